package org.hbackup.backup;

import java.util.HashMap;
import java.util.Map;

/**
 * Paths renamed since the base point, from an HDFS snapshot diff report: for each new path, the
 * path it had in the base point. Memory: one pair of paths per rename, at most
 * {@link BackupConfigKeys#SNAPSHOT_MAX_RENAMES} pairs; past that, renamed files are simply read
 * again (their chunks are already stored, so they still add no data).
 */
public final class SnapshotRenames {
  public static final SnapshotRenames NONE = new SnapshotRenames(0);

  private final int limit;
  private final Map<String, String> sourceByTarget = new HashMap<>();
  private long dropped;

  public SnapshotRenames(int limit) {
    this.limit = limit;
  }

  /** Records a rename; returns false when the limit is reached and it was dropped. */
  public boolean add(String source, String target) {
    if (sourceByTarget.size() >= limit && !sourceByTarget.containsKey(target)) {
      dropped++;
      return false;
    }
    sourceByTarget.put(target, source);
    return true;
  }

  /** The base path of {@code target} if the report says it was renamed; null otherwise. */
  public String sourceOf(String target) {
    return sourceByTarget.get(target);
  }

  public int size() {
    return sourceByTarget.size();
  }

  /** Renames past the limit, not kept. */
  public long dropped() {
    return dropped;
  }
}
