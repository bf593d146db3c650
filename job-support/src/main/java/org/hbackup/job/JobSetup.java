package org.hbackup.job;

import java.io.IOException;

import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.mapreduce.Job;
import org.apache.hadoop.mapreduce.MRConfig;
import org.apache.hadoop.mapreduce.MRJobConfig;
import org.apache.hadoop.mapreduce.TaskCompletionEvent;

/** What the backup and restore drivers share about configuring and reporting a MapReduce job. */
public final class JobSetup {
  private JobSetup() {
  }

  /**
   * Defaults every hbackup job runs with, unless the user set them: no speculative attempts
   * (a second attempt would read and write everything again for nothing), and on the local job
   * runner one map thread per core (it uses one otherwise).
   */
  public static void applyDefaults(Configuration conf) {
    if ("local".equals(conf.get(MRConfig.FRAMEWORK_NAME, MRConfig.LOCAL_FRAMEWORK_NAME))) {
      conf.setIfUnset("mapreduce.local.map.tasks.maximum",
          Integer.toString(Runtime.getRuntime().availableProcessors()));
    }
    conf.setBooleanIfUnset(MRJobConfig.MAP_SPECULATIVE, false);
    conf.setBooleanIfUnset(MRJobConfig.REDUCE_SPECULATIVE, false);
  }

  /**
   * One line saying why a job failed: the first failed attempt's diagnostics, because the local
   * runner's job status says only "NA".
   */
  public static String failure(Job job) {
    try {
      for (TaskCompletionEvent event : job.getTaskCompletionEvents(0, 100)) {
        if (event.getStatus() == TaskCompletionEvent.Status.FAILED) {
          String[] diagnostics = job.getTaskDiagnostics(event.getTaskAttemptId());
          if (diagnostics != null && diagnostics.length > 0) {
            return diagnostics[0].split("\n", 2)[0];
          }
        }
      }
      String failure = job.getStatus().getFailureInfo();
      return failure == null || failure.isEmpty() ? job.getStatus().getState().toString() : failure;
    } catch (IOException e) {
      return "state unknown (" + e.getMessage() + ")";
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return "state unknown (interrupted)";
    }
  }
}
