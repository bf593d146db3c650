package org.hbackup.backup;

import org.apache.hadoop.mapreduce.Counters;
import org.hbackup.common.id.PointId;
import org.hbackup.common.point.PointType;

/** What a finished backup reports: its point and the job's counters. */
public final class BackupResult {
  private final PointId point;
  private final BackupOptions options;
  private final PointType type;
  private final PointId base;
  private final String snapshot;
  private final Counters counters;
  private final long durationMs;
  private final String jobId;

  public BackupResult(PointId point, BackupOptions options, PointId base, String snapshot, Counters counters,
      long durationMs, String jobId) {
    this.point = point;
    this.options = options;
    this.type = options.type();
    this.base = base;
    this.snapshot = snapshot;
    this.counters = counters;
    this.durationMs = durationMs;
    this.jobId = jobId;
  }

  public PointId point() {
    return point;
  }

  /** The options as run: source and repository fully qualified. */
  public BackupOptions options() {
    return options;
  }

  public PointType type() {
    return type;
  }

  public PointId base() {
    return base;
  }

  /** The source snapshot the backup read; null when it read the source live. */
  public String snapshot() {
    return snapshot;
  }

  public long get(BackupCounters counter) {
    return counters.findCounter(counter).getValue();
  }

  public long durationMs() {
    return durationMs;
  }

  public String jobId() {
    return jobId;
  }
}
