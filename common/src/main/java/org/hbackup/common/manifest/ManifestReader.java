package org.hbackup.common.manifest;

import java.io.Closeable;
import java.io.IOException;
import java.util.Iterator;
import java.util.List;

import org.hbackup.common.id.ContentId;

/**
 * Streams the entries of a run of segments in path order, one segment in memory at a time.
 * A reader may start inside its first segment ({@code skip}) and stop after {@code limit}
 * entries, which is how a restore split reads its share of a manifest.
 */
public final class ManifestReader implements Closeable {
  /** Opens a segment by its id; the repository supplies this. */
  public interface SegmentSource {
    SegmentReader open(ContentId id) throws IOException;
  }

  private final SegmentSource source;
  private final Iterator<ContentId> segments;
  private long toSkip;
  private long remaining;
  private SegmentReader current;

  public ManifestReader(SegmentSource source, List<ContentId> segments, long skip, long limit) {
    this.source = source;
    this.segments = segments.iterator();
    this.toSkip = skip;
    this.remaining = limit;
  }

  public static ManifestReader all(SegmentSource source, ManifestList list) {
    return new ManifestReader(source, list.segments().stream().map(SegmentRef::id).toList(), 0, Long.MAX_VALUE);
  }

  /** The next entry, or null when the run is exhausted. */
  public ManifestEntry next() throws IOException {
    while (remaining > 0) {
      if (current == null) {
        if (!segments.hasNext()) {
          return null;
        }
        current = source.open(segments.next());
      }
      ManifestEntry e = current.next();
      if (e == null) {
        current.close();
        current = null;
        continue;
      }
      if (toSkip > 0) {
        toSkip--;
        continue;
      }
      remaining--;
      return e;
    }
    return null;
  }

  @Override
  public void close() throws IOException {
    if (current != null) {
      current.close();
    }
  }
}
