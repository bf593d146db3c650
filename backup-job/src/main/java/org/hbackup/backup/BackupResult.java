package org.hbackup.backup;

import java.util.List;

import org.apache.hadoop.mapreduce.Counters;
import org.hbackup.common.id.PointId;
import org.hbackup.common.point.PointType;
import org.hbackup.common.repo.PointScan;
import org.hbackup.common.repo.TmpReclaimer;

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
  private final List<PointScan.Unreadable> unreadablePoints;
  private final List<SkippedReport.Skipped> skipped;
  private final String repositoryExcluded;
  private final TmpReclaimer.Reclaimed reclaimed;
  private String lostTrack;
  private long excluded;

  public BackupResult(PointId point, BackupOptions options, PointId base, String snapshot, Counters counters,
      long durationMs, String jobId, List<PointScan.Unreadable> unreadablePoints, List<SkippedReport.Skipped> skipped,
      String repositoryExcluded, TmpReclaimer.Reclaimed reclaimed) {
    this.point = point;
    this.options = options;
    this.type = options.type();
    this.base = base;
    this.snapshot = snapshot;
    this.counters = counters;
    this.durationMs = durationMs;
    this.jobId = jobId;
    this.unreadablePoints = List.copyOf(unreadablePoints);
    this.skipped = List.copyOf(skipped);
    this.repositoryExcluded = repositoryExcluded;
    this.reclaimed = reclaimed;
  }

  BackupResult withExcluded(long entries) {
    this.excluded = entries;
    return this;
  }

  /** Source entries the exclude rules left out (not counting what lies under an excluded directory). */
  public long excluded() {
    return excluded;
  }

  /** Marks a result whose figures come from the point record: the client lost the job (why). */
  BackupResult withLostTrack(String why) {
    this.lostTrack = why;
    return this;
  }

  /**
   * Why the job's counters could not be fetched after it published the point (the figures then
   * come from the point record, and those it does not keep read 0); null when they were.
   */
  public String lostTrack() {
    return lostTrack;
  }

  /**
   * Source entries not in the point (unreadable, special, open for write with --open-files skip),
   * at most {@link BackupJob#MAX_REPORTED_SKIPPED}.
   */
  public List<SkippedReport.Skipped> skipped() {
    return skipped.stream().filter(SkippedReport.Skipped::leftOut).toList();
  }

  /** Paths of the files that changed while they were read (as many as the report holds). */
  public List<String> changing() {
    return skipped.stream().filter(SkippedReport.Skipped::changing).map(SkippedReport.Skipped::path).toList();
  }

  /** Paths of the files found open for write, taken or left out (as many as the report holds). */
  public List<String> openForWrite() {
    return skipped.stream().filter(SkippedReport.Skipped::openForWrite).map(SkippedReport.Skipped::path).toList();
  }

  /** Where the repository lies inside the source (left out of the point), or null. */
  public String repositoryExcluded() {
    return repositoryExcluded;
  }

  /** What killed jobs had left in the repository's tmp/, reclaimed before this backup. */
  public TmpReclaimer.Reclaimed reclaimed() {
    return reclaimed;
  }

  /** Point records of the repository that could not be read (and were not used as a base). */
  public List<PointScan.Unreadable> unreadablePoints() {
    return unreadablePoints;
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

  /** How many map tasks of the job ran to the end; 0 when its counters were lost. */
  public long mapTasks() {
    return get(BackupCounters.MAP_TASKS);
  }

  public long durationMs() {
    return durationMs;
  }

  public String jobId() {
    return jobId;
  }
}
