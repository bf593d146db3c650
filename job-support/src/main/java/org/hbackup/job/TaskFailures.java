package org.hbackup.job;

import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

import org.apache.hadoop.mapreduce.JobID;
import org.hbackup.common.DamageException;
import org.hbackup.common.OneLine;

/**
 * Why a task or a job commit failed, for the one-line error of a job that runs in this JVM.
 * Hadoop's local job runner reports a failed job's state as "NA" and keeps no task diagnostics,
 * so "No space left on device" or "Permission denied" would be lost; tasks and committers record
 * their exception here, by job, and {@link JobSetup#failure} reads it. On a cluster the tasks run
 * elsewhere and their diagnostics come from the job history instead. Memory: one line per failed
 * job of this JVM.
 */
public final class TaskFailures {
  private static final Map<String, String> FIRST_FAILURE = new ConcurrentHashMap<>();
  private static final Set<String> DAMAGED = ConcurrentHashMap.newKeySet();

  private TaskFailures() {
  }

  /** Records why a task or commit of {@code job} failed; the first failure of a job is kept. */
  public static void record(JobID job, Throwable failure) {
    if (job != null && FIRST_FAILURE.putIfAbsent(job.toString(), describe(failure)) == null
        && isDamage(failure)) {
      DAMAGED.add(job.toString());
    }
  }

  /**
   * Whether the first recorded failure of {@code job} was damage found in the repository, which
   * the command reports with exit code 3; forgotten once read.
   */
  public static boolean damage(JobID job) {
    return job != null && DAMAGED.remove(job.toString());
  }

  private static boolean isDamage(Throwable failure) {
    Throwable t = failure;
    for (int depth = 0; t != null && depth < 32; depth++, t = t.getCause()) { // a cycle of causes ends too
      if (t instanceof DamageException) {
        return true;
      }
    }
    return false;
  }

  /** The recorded failure of {@code job}, or null; forgotten once read. */
  static String take(JobID job) {
    return job == null ? null : FIRST_FAILURE.remove(job.toString());
  }

  /** One line: the failure's message, and its root cause's when that says something more. */
  static String describe(Throwable failure) {
    String top = OneLine.of(failure);
    Throwable root = failure;
    while (root.getCause() != null && root.getCause() != root) {
      root = root.getCause();
    }
    String cause = OneLine.of(root);
    return root == failure || top.contains(cause) ? top : top + " (caused by " + cause + ")";
  }

}
