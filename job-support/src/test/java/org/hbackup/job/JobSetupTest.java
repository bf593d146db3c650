package org.hbackup.job;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.mapreduce.Job;
import org.apache.hadoop.mapreduce.MRConfig;
import org.apache.hadoop.mapreduce.MRJobConfig;
import org.apache.hadoop.mapreduce.lib.output.FileOutputCommitter;
import org.junit.jupiter.api.Test;

class JobSetupTest {
  @Test
  void pollsTheLocalRunnerOftenAndAClusterLess() throws java.io.IOException {
    Configuration local = new Configuration();
    assertTrue(JobSetup.runsLocally(local));
    JobSetup.applyDefaults(local);
    assertEquals(JobSetup.LOCAL_POLL_INTERVAL_MS, local.getInt(Job.COMPLETION_POLL_INTERVAL_KEY, 0));
    assertEquals(Runtime.getRuntime().availableProcessors(), local.getInt("mapreduce.local.map.tasks.maximum", 0));
    assertEquals(JobSetup.LOCAL_SORT_BUFFER_MB, local.getInt(MRJobConfig.IO_SORT_MB, 0), "tasks share one heap");
    float share = local.getFloat(MRJobConfig.SHUFFLE_INPUT_BUFFER_PERCENT, 0);
    assertEquals(Math.min(0.70f, 0.60f / Runtime.getRuntime().availableProcessors()), share, 1e-6f,
        "the reducers, one per core, share at most 60% of the heap");
    assertEquals(share, local.getFloat(MRJobConfig.REDUCE_INPUT_BUFFER_PERCENT, -1), 1e-6f,
        "what a reducer shuffled into memory stays there through the reduce, not merged to disk");

    Configuration yarn = new Configuration();
    yarn.set(MRConfig.FRAMEWORK_NAME, MRConfig.YARN_FRAMEWORK_NAME);
    assertFalse(JobSetup.runsLocally(yarn));
    JobSetup.applyDefaults(yarn);
    assertEquals(JobSetup.POLL_INTERVAL_MS, yarn.getInt(Job.COMPLETION_POLL_INTERVAL_KEY, 0));
    assertEquals(JobSetup.POLL_INTERVAL_MS, yarn.getInt(Job.PROGRESS_MONITOR_POLL_INTERVAL_KEY, 0));
    assertEquals(JobSetup.SORT_BUFFER_MB, yarn.getInt(MRJobConfig.IO_SORT_MB, 0));
    assertFalse(yarn.getBoolean(MRJobConfig.MAP_SPECULATIVE, true));
    assertEquals(1.0f, yarn.getFloat(MRJobConfig.COMPLETED_MAPS_FOR_REDUCE_SLOWSTART, 0), "reducers after the maps");
    assertEquals(0.0f, yarn.getFloat(MRJobConfig.REDUCE_INPUT_BUFFER_PERCENT, -1), "a cluster's reducers: Hadoop's default");
  }

  @Test
  void keepsWhatTheUserSetEvenWhereMapredDefaultListsTheKey() throws java.io.IOException {
    Configuration conf = new Configuration();
    conf.set(Job.COMPLETION_POLL_INTERVAL_KEY, "1234");
    conf.set(MRJobConfig.IO_SORT_MB, "64");
    conf.set(MRJobConfig.SHUFFLE_INPUT_BUFFER_PERCENT, "0.01");
    JobSetup.applyDefaults(conf);
    assertEquals(0.01f, conf.getFloat(MRJobConfig.REDUCE_INPUT_BUFFER_PERCENT, -1), 1e-6f,
        "a reducer keeps no more than the user let it shuffle into memory");

    Configuration tuned = new Configuration();
    tuned.set(MRJobConfig.SHUFFLE_INPUT_BUFFER_PERCENT, "0.9"); // a cluster's reducers, a JVM each
    tuned.set("mapreduce.local.reduce.tasks.maximum", "8");
    JobSetup.applyDefaults(tuned);
    assertEquals(0.60f / 8, tuned.getFloat(MRJobConfig.REDUCE_INPUT_BUFFER_PERCENT, -1), 1e-6f,
        "eight local reducers together keep at most 60% of the one heap through their reduce");
    assertEquals(1234, conf.getInt(Job.COMPLETION_POLL_INTERVAL_KEY, 0));
    assertEquals(64, conf.getInt(MRJobConfig.IO_SORT_MB, 0));
    assertEquals(JobSetup.LOCAL_POLL_INTERVAL_MS, conf.getInt(Job.PROGRESS_MONITOR_POLL_INTERVAL_KEY, 0));
  }

  /**
   * A map attempt run again after its output was partly fetched must not take the first
   * attempt's committed packs away: algorithm 2, even where a site chose algorithm 1.
   */
  @Test
  void commitsTaskOutputWithAlgorithm2EvenWhereTheSiteSetsAlgorithm1() throws java.io.IOException {
    Configuration conf = new Configuration();
    conf.setInt(FileOutputCommitter.FILEOUTPUTCOMMITTER_ALGORITHM_VERSION, 1);
    JobSetup.applyDefaults(conf);
    assertEquals(2, conf.getInt(FileOutputCommitter.FILEOUTPUTCOMMITTER_ALGORITHM_VERSION, 0));
  }

  /** On a cluster the job ships the job jar bin/hbackup names, not the merged jar its classes come from. */
  @Test
  void shipsTheJobJarBinHbackupNamesToACluster() throws java.io.IOException {
    Configuration yarn = new Configuration();
    yarn.set(MRConfig.FRAMEWORK_NAME, MRConfig.YARN_FRAMEWORK_NAME);
    String before = System.getProperty(JobSetup.JOB_JAR);
    try {
      System.setProperty(JobSetup.JOB_JAR, "/opt/hbackup/cli/target/hbackup-0.1.0.jar");
      Job job = Job.getInstance(yarn);
      JobSetup.setJar(job, JobSetupTest.class);
      assertEquals("/opt/hbackup/cli/target/hbackup-0.1.0.jar", job.getJar());

      Job local = Job.getInstance(new Configuration());
      JobSetup.setJar(local, JobSetupTest.class);
      assertEquals(null, local.getJar(), "the local runner needs no jar");
    } finally {
      if (before == null) {
        System.clearProperty(JobSetup.JOB_JAR);
      } else {
        System.setProperty(JobSetup.JOB_JAR, before);
      }
    }
  }

  /** The HDFS client asks again after 10 ms whether a closed file is complete, and waits no less in all. */
  @Test
  void closesHdfsFilesWithoutTheDefault400MillisecondSleepButWaitsAsLongInAll() throws java.io.IOException {
    Configuration conf = new Configuration();
    JobSetup.applyDefaults(conf);
    int initial = conf.getInt(JobSetup.CLOSE_INITIAL_DELAY_MS, 0);
    int retries = conf.getInt(JobSetup.CLOSE_RETRIES, 0);
    assertEquals(10, initial);
    long total = initial * ((1L << retries) - 1);
    long defaults = 400 * ((1L << 5) - 1);
    assertTrue(total >= defaults, "gives up no sooner than the defaults: " + total + " vs " + defaults + " ms");

    Configuration tuned = new Configuration();
    tuned.set(JobSetup.CLOSE_INITIAL_DELAY_MS, "100");
    JobSetup.applyDefaults(tuned);
    assertEquals(100, tuned.getInt(JobSetup.CLOSE_INITIAL_DELAY_MS, 0));
    assertEquals(null, tuned.get(JobSetup.CLOSE_RETRIES), "a site that tuned one of the two keeps both as they were");
  }
}
