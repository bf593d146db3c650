package org.hbackup.restore;

import java.util.Collections;
import java.util.List;

import org.apache.hadoop.mapreduce.Counters;
import org.hbackup.common.id.PointId;

/** What a finished restore reports: the job's counters and the files that failed. */
public final class RestoreResult {
  /** One file that was not restored, and why. */
  public static final class Failure {
    private final String path;
    private final String reason;

    public Failure(String path, String reason) {
      this.path = path;
      this.reason = reason;
    }

    public String path() {
      return path;
    }

    public String reason() {
      return reason;
    }
  }

  private final PointId point;
  private final Counters counters;
  private final List<Failure> failures;
  private final long filesInDamagedSegments;
  private final long durationMs;

  /**
   * {@code filesInDamagedSegments}: files of the point that the planner could not even list,
   * because the manifest segments holding them are damaged; they count as failed files.
   */
  public RestoreResult(PointId point, Counters counters, List<Failure> failures, long filesInDamagedSegments,
      long durationMs) {
    this.point = point;
    this.counters = counters;
    this.failures = Collections.unmodifiableList(failures);
    this.filesInDamagedSegments = filesInDamagedSegments;
    this.durationMs = durationMs;
  }

  public PointId point() {
    return point;
  }

  /** How many map tasks of the job ran to the end; 0 when its counters were lost. */
  public long mapTasks() {
    return counters.findCounter(RestoreCounters.MAP_TASKS).getValue();
  }

  public long get(RestoreCounters counter) {
    long value = counters.findCounter(counter).getValue();
    return counter == RestoreCounters.FILES_FAILED ? value + filesInDamagedSegments : value;
  }

  /** Whether anything was not restored: damaged files or segments, or refused entries. */
  public boolean incomplete() {
    return get(RestoreCounters.FILES_FAILED) > 0 || get(RestoreCounters.ENTRIES_REFUSED) > 0 || !failures.isEmpty();
  }

  public List<Failure> failures() {
    return failures;
  }

  public long durationMs() {
    return durationMs;
  }
}
