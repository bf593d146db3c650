package org.hbackup.common.manifest;

import java.io.IOException;

import org.hbackup.common.id.ContentId;

/** Where a {@link ManifestWriter} puts each finished segment file. */
public interface SegmentSink {
  /** Stores {@code bytes[0..length)} as the segment named {@code id}. */
  void store(ContentId id, byte[] bytes, int length) throws IOException;
}
