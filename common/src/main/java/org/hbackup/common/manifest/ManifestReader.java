package org.hbackup.common.manifest;

import java.io.Closeable;
import java.io.IOException;
import java.util.Iterator;
import java.util.List;

import com.google.common.collect.Iterators;
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

  /** Opens a segment by its manifest list's row, checked against it; the repository supplies this. */
  public interface RowSource {
    SegmentReader open(SegmentRef row) throws IOException;
  }

  private interface Opener {
    SegmentReader open() throws IOException;
  }

  private final Iterator<Opener> segments;
  private long toSkip;
  private long remaining;
  private SegmentReader current;

  public ManifestReader(SegmentSource source, List<ContentId> segments, long skip, long limit) {
    this(Iterators.transform(segments.iterator(), id -> () -> source.open(id)), skip, limit);
  }

  private ManifestReader(Iterator<Opener> segments, long skip, long limit) {
    this.segments = segments;
    this.toSkip = skip;
    this.remaining = limit;
  }

  /** Every entry of a manifest, each segment checked against the list's row that names it. */
  public static ManifestReader all(RowSource source, ManifestList list) {
    return rows(source, list.segments());
  }

  /** Every entry of these segments, each checked against its row. */
  public static ManifestReader rows(RowSource source, List<SegmentRef> rows) {
    return new ManifestReader(Iterators.transform(rows.iterator(), row -> () -> source.open(row)), 0, Long.MAX_VALUE);
  }

  /** The next entry, or null when the run is exhausted. */
  public ManifestEntry next() throws IOException {
    while (remaining > 0) {
      if (current == null) {
        if (!segments.hasNext()) {
          return null;
        }
        current = segments.next().open();
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
