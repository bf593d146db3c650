package org.hbackup.common.manifest;

import java.io.Closeable;
import java.io.IOException;

/**
 * Walks two manifests side by side in path order and yields each path that differs. Both are
 * sorted by the same order, so this is a streamed merge join: memory is one segment of each.
 */
public final class ManifestDiff implements Closeable {
  /** One path that differs, with its entry in each point (null where it is absent). */
  public static final class Change {
    private final ChangeKind kind;
    private final ManifestEntry before;
    private final ManifestEntry after;

    Change(ChangeKind kind, ManifestEntry before, ManifestEntry after) {
      this.kind = kind;
      this.before = before;
      this.after = after;
    }

    public ChangeKind kind() {
      return kind;
    }

    public ManifestEntry before() {
      return before;
    }

    public ManifestEntry after() {
      return after;
    }

    /** The entry that describes the path now: the later one, or the earlier one if deleted. */
    public ManifestEntry current() {
      return after != null ? after : before;
    }
  }

  private final ManifestReader from;
  private final ManifestReader to;
  private ManifestEntry nextFrom;
  private ManifestEntry nextTo;

  public ManifestDiff(ManifestReader from, ManifestReader to) throws IOException {
    this.from = from;
    this.to = to;
    this.nextFrom = from.next();
    this.nextTo = to.next();
  }

  /** The next path that differs, or null when both manifests are exhausted. */
  public Change next() throws IOException {
    while (nextFrom != null || nextTo != null) {
      int order = nextFrom == null ? 1 : nextTo == null ? -1 : RelativePaths.compare(nextFrom.path(), nextTo.path());
      ManifestEntry before = order <= 0 ? nextFrom : null;
      ManifestEntry after = order >= 0 ? nextTo : null;
      if (before != null) {
        nextFrom = from.next();
      }
      if (after != null) {
        nextTo = to.next();
      }
      ChangeKind kind = ChangeKind.of(before, after);
      if (kind != ChangeKind.UNCHANGED) {
        return new Change(kind, before, after);
      }
    }
    return null;
  }

  @Override
  public void close() throws IOException {
    try {
      from.close();
    } finally {
      to.close();
    }
  }
}
