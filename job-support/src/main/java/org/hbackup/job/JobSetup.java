package org.hbackup.job;

import java.io.IOException;

import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.mapred.JobConf;
import org.apache.hadoop.mapred.LocalJobRunner;
import org.apache.hadoop.mapreduce.Job;
import org.apache.hadoop.mapreduce.MRConfig;
import org.apache.hadoop.mapreduce.MRJobConfig;
import org.apache.hadoop.mapreduce.TaskCompletionEvent;
import org.apache.hadoop.mapreduce.lib.output.FileOutputCommitter;

/** What the backup and restore drivers share about configuring and reporting a MapReduce job. */
public final class JobSetup {
  private JobSetup() {
  }

  /**
   * Settings every hbackup job runs with. Always: no speculative attempts (a second attempt
   * would read and write everything again for nothing) and the output committer's algorithm 2.
   * Unless the user set them: a smaller sort buffer, reducers after the maps, short polls, and on
   * the local job runner one map and one reduce thread per core (it uses one otherwise).
   */
  public static void applyDefaults(Configuration conf) throws IOException {
    boolean local = runsLocally(conf);
    if (local) {
      String cores = Integer.toString(Runtime.getRuntime().availableProcessors());
      setUnlessUserSet(conf, LocalJobRunner.LOCAL_MAX_MAPS, cores);
      setUnlessUserSet(conf, LocalJobRunner.LOCAL_MAX_REDUCES, cores);
      // Each reducer may keep this share of the heap for map outputs it merges in memory; the
      // local runner runs one per core in one JVM, so together they must stay well inside it.
      setUnlessUserSet(conf, MRJobConfig.SHUFFLE_INPUT_BUFFER_PERCENT,
          Float.toString(Math.min(0.70f, 0.60f / Runtime.getRuntime().availableProcessors())));
      // ...and keep them there through the reduce, up to the same share, instead of merging them
      // into a file on local disk first and reading that back (Hadoop's default, made for a
      // reducer with a JVM of its own): a nothing-changed backup of 200,000 files wrote and read
      // 39 MB so, 0.23 s of its single reducer (8.13 -> 7.64 s, the same peak RSS;
      // docs/BENCHMARKS.md). What a reducer merges beyond its share still goes to disk. Never more
      // than the reducer threads' part of 60% of the heap, whatever a site file tuned the shuffle
      // to for reducers with JVMs of their own.
      int reducers = Math.max(1, conf.getInt(LocalJobRunner.LOCAL_MAX_REDUCES, 1));
      float kept = Math.min(conf.getFloat(MRJobConfig.SHUFFLE_INPUT_BUFFER_PERCENT, 0f), 0.60f / reducers);
      setUnlessUserSet(conf, MRJobConfig.REDUCE_INPUT_BUFFER_PERCENT, Float.toString(Math.max(0f, kept)));
      LocalRuns.apply(conf);
    }
    // Never a second attempt of the same task at once: it would read and write everything again
    // for nothing, and a restore's attempts would race to place the same files.
    conf.setBoolean(MRJobConfig.MAP_SPECULATIVE, false);
    conf.setBoolean(MRJobConfig.REDUCE_SPECULATIVE, false);
    // Map outputs are small records (an entry or an index row per file or chunk): a 100 MiB sort
    // buffer per task costs more to allocate than the task spends on them. On the local runner
    // every task's buffer is allocated in the one JVM's heap, which the collector copies into the
    // old generation and frees only in a full collection: 8 MiB took a nothing-changed backup of
    // 44k files from 7.4 to 6.4 s and 510 to 345 MiB resident (docs/BENCHMARKS.md). A task whose
    // output outgrows it spills to local disk and merges, as on a cluster.
    setUnlessUserSet(conf, MRJobConfig.IO_SORT_MB, Integer.toString(local ? LOCAL_SORT_BUFFER_MB : SORT_BUFFER_MB));
    // Reducers start when every map is done, not at 5% of them: what they fetch is small
    // (entries, rows, verdicts), so starting early gains nothing, and an early reducer holds a
    // container through the whole map phase, which a map task could use (on a cluster of two
    // task slots it took one from the maps for 25-35 s of a 60 s job).
    setUnlessUserSet(conf, MRJobConfig.COMPLETED_MAPS_FOR_REDUCE_SLOWSTART, "1.0");
    // Map tasks write packs into their attempt directories and send the rows that name them
    // through the shuffle (backup, prune's repack). A map that succeeded is run again when
    // reducers cannot fetch its output, after some may have fetched it: algorithm 1 would then
    // replace the first attempt's committed packs with the second's, and rows already fetched
    // would name packs that are gone. Algorithm 2 (Hadoop 3.4's default) moves each attempt's
    // files into the output directory, so both attempts' packs stay (random names, no clash) and
    // every row names a pack that is there. Its one drawback, a job commit that is not atomic,
    // does not apply: the output is a staging directory the driver publishes from afterwards.
    conf.setInt(FileOutputCommitter.FILEOUTPUTCOMMITTER_ALGORITHM_VERSION, 2);
    // The client asks whether the job finished every 5 s by default (every 1 s while printing
    // progress): a job that takes 3 s would be reported after 5. Asking costs one RPC to the
    // application master, or a method call on the local job runner.
    String poll = Integer.toString(local ? LOCAL_POLL_INTERVAL_MS : POLL_INTERVAL_MS);
    setUnlessUserSet(conf, Job.COMPLETION_POLL_INTERVAL_KEY, poll);
    setUnlessUserSet(conf, Job.PROGRESS_MONITOR_POLL_INTERVAL_KEY, poll);
    applyHdfsCloseDefaults(conf);
  }

  /** HDFS client: how soon to ask again whether a file's last block is complete, and how often. */
  static final String CLOSE_INITIAL_DELAY_MS = "dfs.client.block.write.locateFollowingBlock.initial.delay.ms";
  static final String CLOSE_RETRIES = "dfs.client.block.write.locateFollowingBlock.retries";

  /**
   * Closing an HDFS file asks the NameNode to complete it, which it does once a DataNode has
   * reported the last block; the report usually arrives a few milliseconds after the close, so the
   * first ask mostly fails and the client sleeps its initial delay, 400 ms by default, before
   * asking again. A restore closes a file per entry: on a MiniDFSCluster that was 0.2-0.4 s per
   * file, most of a restore of small files (docs/BENCHMARKS.md, "On YARN"). Asking after 10 ms
   * and doubling, with eleven retries instead of five, gives up after 20.5 s, where the defaults
   * give up after 12.4 s; a close costs the NameNode one or two more cheap calls. Only when the
   * site sets neither: a site that tuned one keeps its own.
   */
  static void applyHdfsCloseDefaults(Configuration conf) {
    if (isUserSet(conf, CLOSE_INITIAL_DELAY_MS) || isUserSet(conf, CLOSE_RETRIES)) {
      return;
    }
    conf.set(CLOSE_INITIAL_DELAY_MS, "10", "hbackup default");
    conf.set(CLOSE_RETRIES, "11", "hbackup default");
  }

  /**
   * Names the jar that holds the job's classes, on a cluster. On the local job runner the classes
   * are already loaded, and submitting would copy the whole job jar (12 MB) into the staging
   * directory for nothing, on every run.
   */
  public static void setJar(Job job, Class<?> jobClass) {
    if (runsLocally(job.getConfiguration())) {
      return;
    }
    // bin/hbackup runs from a jar that also holds Hadoop (MergedClassPath): it names the job jar,
    // which a cluster needs, rather than the jar the job's class was loaded from.
    String jar = System.getProperty(JOB_JAR);
    if (jar != null && !jar.isEmpty()) {
      job.setJar(jar);
    } else {
      job.setJarByClass(jobClass);
    }
  }

  /** System property: the job jar, when the classes were loaded from another jar (bin/hbackup). */
  public static final String JOB_JAR = "hbackup.job.jar";

  /**
   * Whether jobs submitted with {@code conf} run on Hadoop's local job runner (the embedded
   * default). Read through a JobConf, which loads mapred-site.xml, where a cluster says "yarn".
   */
  public static boolean runsLocally(Configuration conf) {
    return MRConfig.LOCAL_FRAMEWORK_NAME.equals(
        new JobConf(conf).get(MRConfig.FRAMEWORK_NAME, MRConfig.LOCAL_FRAMEWORK_NAME));
  }

  /**
   * Sets {@code key} unless a user or site file did. {@code setIfUnset} is not enough: once
   * mapred-default.xml is loaded, every key it lists counts as set.
   */
  static void setUnlessUserSet(Configuration conf, String key, String value) {
    if (!isUserSet(conf, key)) {
      conf.set(key, value, "hbackup default");
    }
  }

  /** Whether a user, a site file or a caller set {@code key} (not only a *-default.xml). */
  static boolean isUserSet(Configuration conf, String key) {
    String[] sources = conf.getPropertySources(key);
    if (sources != null) {
      for (String source : sources) {
        if (!source.endsWith("-default.xml")) {
          return true;
        }
      }
    }
    return false;
  }

  /** How often the driver asks whether its job finished, on a cluster. */
  public static final int POLL_INTERVAL_MS = 200;

  /** How often the driver asks whether its job finished, on the local job runner. */
  public static final int LOCAL_POLL_INTERVAL_MS = 20;

  /** The map sort buffer hbackup's jobs use on a cluster unless told otherwise. */
  public static final int SORT_BUFFER_MB = 32;

  /** The map sort buffer on the local job runner, where all tasks share one heap. */
  public static final int LOCAL_SORT_BUFFER_MB = 8;

  /**
   * One line saying why a job failed: the first failed attempt's diagnostics, because the local
   * runner's job status says only "NA".
   */
  public static String failure(Job job) {
    String recorded = TaskFailures.take(job.getJobID());
    if (recorded != null) {
      return recorded;
    }
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

  /**
   * Makes sure a directory for a run's work files on the local file system is this user's own:
   * {@code hadoop.tmp.dir} and {@code root} are created owner-only, or must be directories of
   * this user's that no one else may write to and no links. In a shared {@code /tmp} a directory
   * another user made first (or a link) would let that user read, change or redirect the files.
   * On other default file systems (HDFS) nothing is checked here.
   */
  public static void requireOwnWorkRoot(Configuration conf, org.apache.hadoop.fs.Path root) throws IOException {
    if (!"file".equals(org.apache.hadoop.fs.FileSystem.get(conf).getUri().getScheme())) {
      return;
    }
    String tmp = conf.get("hadoop.tmp.dir");
    if (tmp != null) {
      LocalRuns.checkOwn(java.nio.file.Paths.get(tmp));
    }
    LocalRuns.checkOwn(java.nio.file.Paths.get(root.toUri().getPath()));
  }
}
