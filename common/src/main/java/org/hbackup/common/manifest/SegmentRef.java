package org.hbackup.common.manifest;

import org.hbackup.common.id.ContentId;

/** A manifest list's row for one segment: its name, path range and totals. */
public final class SegmentRef {
  private final ContentId id;
  private final String firstPath;
  private final String lastPath;
  private final long entries;
  private final long files;
  private final long bytes;

  public SegmentRef(ContentId id, String firstPath, String lastPath, long entries, long files, long bytes) {
    this.id = id;
    this.firstPath = firstPath;
    this.lastPath = lastPath;
    this.entries = entries;
    this.files = files;
    this.bytes = bytes;
  }

  public ContentId id() {
    return id;
  }

  public String firstPath() {
    return firstPath;
  }

  public String lastPath() {
    return lastPath;
  }

  public long entries() {
    return entries;
  }

  public long files() {
    return files;
  }

  /** Bytes of file content the segment's entries describe. */
  public long bytes() {
    return bytes;
  }
}
