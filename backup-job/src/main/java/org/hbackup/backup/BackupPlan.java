package org.hbackup.backup;

import org.hbackup.common.id.PointId;
import org.hbackup.common.point.PointType;

/**
 * What a backup would do ({@code backup --dry-run}), from a listing of the source and the base
 * point's manifest, with nothing written to the repository: how much it would list, carry over
 * unread (same length and modification time as the base; on HDFS the checksum decides when the
 * backup runs) and read. What reading would store is not known before reading: at most the bytes
 * read, less what deduplication and compression save.
 */
public final class BackupPlan {
  private final PointType type;
  private final PointId base;
  private final boolean repositoryExists;
  private final SourceLister.Totals totals;
  private final long durationMs;

  BackupPlan(PointType type, PointId base, boolean repositoryExists, SourceLister.Totals totals, long durationMs) {
    this.type = type;
    this.base = base;
    this.repositoryExists = repositoryExists;
    this.totals = totals;
    this.durationMs = durationMs;
  }

  public PointType type() {
    return type;
  }

  /** The point it would compare with; null for a full backup. */
  public PointId base() {
    return base;
  }

  /** Whether the repository exists (a backup would create it). */
  public boolean repositoryExists() {
    return repositoryExists;
  }

  public long entries() {
    return totals.entries();
  }

  public long files() {
    return totals.files();
  }

  public long bytes() {
    return totals.bytes();
  }

  public long filesUnchanged() {
    return totals.unchangedFiles();
  }

  public long bytesUnchanged() {
    return totals.unchangedBytes();
  }

  public long filesToRead() {
    return totals.files() - totals.unchangedFiles();
  }

  public long bytesToRead() {
    return totals.bytes() - totals.unchangedBytes();
  }

  public long excluded() {
    return totals.excluded();
  }

  /** Special files and directories it may not list: reported by the backup, not in its point. */
  public long skipped() {
    return totals.skipped();
  }

  public long durationMs() {
    return durationMs;
  }
}
