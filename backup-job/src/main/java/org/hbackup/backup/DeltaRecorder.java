package org.hbackup.backup;

import java.io.IOException;
import java.util.Map;

import org.hbackup.common.manifest.ChangeKind;
import org.hbackup.common.manifest.ChangeListWriter;
import org.hbackup.common.manifest.ManifestEntry;
import org.hbackup.common.manifest.ManifestReader;
import org.hbackup.common.manifest.RelativePaths;

/**
 * Classifies each path of the new point against the base point while the reducer streams the new
 * entries in path order: a merge join with the base manifest, read in the same order, so memory
 * is one base segment. Every path that differs goes to the change list; base paths that the new
 * point lacks are deleted, unless the mapper marked them as moved to another path.
 */
final class DeltaRecorder implements AutoCloseable {
  private final ManifestReader base;
  private final ChangeListWriter changes;
  private ManifestEntry nextBase;

  DeltaRecorder(ManifestReader base, ChangeListWriter changes) throws IOException {
    this.base = base;
    this.changes = changes;
    this.nextBase = base.next();
  }

  /**
   * Records one path of the shuffle, in increasing path order. {@code current} is the new point's
   * entry, or null when the path only carries a moved-away mark; {@code renamedFrom} is the base
   * path a renamed entry came from. Returns the path's kind, or null for a moved-away path (its
   * rename is counted at the new path).
   */
  ChangeKind record(String path, ManifestEntry current, String renamedFrom) throws IOException {
    deleteBefore(path);
    ManifestEntry before = null;
    if (nextBase != null && nextBase.path().equals(path)) {
      before = nextBase;
      nextBase = base.next();
    }
    if (current == null) {
      return null;
    }
    ChangeKind kind = renamedFrom != null && before == null ? ChangeKind.RENAMED : ChangeKind.of(before, current);
    changes.add(kind, path, kind == ChangeKind.RENAMED ? renamedFrom : null);
    return kind;
  }

  private void deleteBefore(String path) throws IOException {
    while (nextBase != null && (path == null || RelativePaths.compare(nextBase.path(), path) < 0)) {
      changes.add(ChangeKind.DELETED, nextBase.path(), null);
      nextBase = base.next();
    }
  }

  /** Records the base paths after the last new one as deleted and ends the change list. */
  Map<ChangeKind, Long> finish() throws IOException {
    deleteBefore(null);
    changes.finish();
    return changes.counts();
  }

  @Override
  public void close() throws IOException {
    base.close();
  }
}
