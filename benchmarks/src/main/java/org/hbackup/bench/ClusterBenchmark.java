package org.hbackup.bench;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.ContentSummary;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.apache.hadoop.hdfs.MiniDFSCluster;
import org.apache.hadoop.mapreduce.v2.MiniMRYarnCluster;
import org.apache.hadoop.tools.DistCp;
import org.apache.hadoop.util.ToolRunner;
import org.hbackup.cli.Hbackup;

/**
 * Times, on a MiniDFSCluster (one DataNode) and a MiniMRYarnCluster (one NodeManager with room
 * for an application master and two tasks, one per core of this machine), hbackup's full backup
 * of an HDFS tree and its restore against DistCp copying the same tree with its metadata
 * ({@code -p}), all three YARN jobs on the same data in the same run. Rounds alternate the order;
 * the better time of each counts. Every restore is checked against the source (files and bytes).
 *
 * <p>Usage: {@code ClusterBenchmark WORK_DIR [GIB [ROUNDS [default-close]]]}: with
 * {@code default-close}, each round also restores with HDFS's default close settings (400 ms
 * before asking again), to show what hbackup's own save; with {@code no-distcp}, only hbackup's
 * jobs run (to profile them). Prints a Markdown table, and each
 * command's duration and map tasks on stderr.
 */
public final class ClusterBenchmark {
  /** Task JVMs: C2 (SHA-256 is a C2 intrinsic), a heap inside the 512 MB container. */
  private static final String OPENS = " --add-opens java.base/java.lang=ALL-UNNAMED"
      + " --add-opens java.base/java.util=ALL-UNNAMED --add-opens java.base/java.nio=ALL-UNNAMED"
      + " --add-opens java.base/sun.nio.ch=ALL-UNNAMED --add-opens java.base/java.io=ALL-UNNAMED";
  private static final String TASK_OPTS = "-Xmx384m" + OPENS;
  /** The application master does little work: C1 and the serial collector start it sooner. */
  private static final String AM_OPTS = "-Xmx384m -XX:TieredStopAtLevel=1 -XX:+UseSerialGC" + OPENS;

  private static final String CLOSE_DELAY = "dfs.client.block.write.locateFollowingBlock.initial.delay.ms";
  private static final String CLOSE_RETRIES = "dfs.client.block.write.locateFollowingBlock.retries";

  /** Only hbackup's jobs (a profile of them): DistCp takes most of a round's time. */
  private static boolean skipDistCp;

  private ClusterBenchmark() {
  }

  public static void main(String[] args) throws Exception {
    java.nio.file.Path work = Paths.get(args.length > 0 ? args[0] : "/tmp/hbackup-cluster").toAbsolutePath();
    double gib = args.length > 1 ? Double.parseDouble(args[1]) : 0.25;
    int rounds = args.length > 2 ? Integer.parseInt(args[2]) : 2;
    boolean defaultClose = args.length > 3 && args[3].equals("default-close");
    skipDistCp = args.length > 3 && args[3].equals("no-distcp");
    java.nio.file.Path local = work.resolve("source");
    if (!Files.exists(work.resolve("source.complete"))) {
      EndToEndBenchmark.delete(work);
      Files.createDirectories(local);
      DataSet.generate(local, (long) (gib * (1L << 30)));
      Files.createFile(work.resolve("source.complete"));
    }
    EndToEndBenchmark.delete(work.resolve("cluster"));
    System.setProperty(MiniDFSCluster.PROP_TEST_BUILD_DATA, work.resolve("cluster").toString());
    Configuration base = new Configuration();
    base.setInt("dfs.replication", 1);
    MiniDFSCluster dfs = new MiniDFSCluster.Builder(base).numDataNodes(1).build();
    MiniMRYarnCluster yarn = null;
    try {
      dfs.waitActive();
      yarn = startYarn(dfs);
      Configuration conf = new Configuration(yarn.getConfig());
      FileSystem fs = dfs.getFileSystem();
      Path source = fs.makeQualified(new Path("/data/source"));
      // Loading (not timed) with the close settings hbackup's jobs use: 0.2 s a file otherwise.
      Configuration load = new Configuration(conf);
      load.set(CLOSE_DELAY, "10");
      load.set(CLOSE_RETRIES, "11");
      try (FileSystem loader = FileSystem.newInstance(fs.getUri(), load)) {
        loader.copyFromLocalFile(false, true, new Path(local.toUri()), source);
      }
      ContentSummary summary = fs.getContentSummary(source);
      System.err.printf(Locale.ROOT, "source on HDFS: %d bytes in %d files%n", summary.getLength(),
          summary.getFileCount());
      run(conf, fs, source, summary, rounds, defaultClose);
    } finally {
      if (yarn != null) {
        yarn.stop();
      }
      dfs.shutdown();
    }
  }

  private static MiniMRYarnCluster startYarn(MiniDFSCluster dfs) throws java.io.IOException {
    Configuration conf = new Configuration(dfs.getConfiguration(0));
    conf.set("fs.defaultFS", dfs.getFileSystem().getUri().toString());
    conf.set("yarn.app.mapreduce.am.command-opts", AM_OPTS);
    conf.set("mapreduce.map.java.opts", TASK_OPTS);
    conf.set("mapreduce.reduce.java.opts", TASK_OPTS);
    conf.setInt("yarn.app.mapreduce.am.resource.mb", 512);
    conf.setInt("mapreduce.map.memory.mb", 512);
    conf.setInt("mapreduce.reduce.memory.mb", 512);
    // The application master and two tasks at a time: one per core.
    conf.setInt("yarn.nodemanager.resource.memory-mb", 1536);
    conf.setInt("yarn.minicluster.yarn.nodemanager.resource.memory-mb", 1536); // what MiniYARNCluster reads
    conf.setInt("yarn.scheduler.minimum-allocation-mb", 512);
    // Containers are handed out on heartbeats, every second by default; a production cluster
    // tunes these down too, and both tools profit alike.
    conf.setInt("yarn.resourcemanager.nodemanagers.heartbeat-interval-ms", 100);
    conf.setInt("yarn.app.mapreduce.am.scheduler.heartbeat.interval-ms", 100);
    MiniMRYarnCluster yarn = new MiniMRYarnCluster(ClusterBenchmark.class.getSimpleName(), 1);
    yarn.init(conf);
    yarn.start();
    return yarn;
  }

  private static void run(Configuration conf, FileSystem fs, Path source, ContentSummary summary, int rounds,
      boolean defaultClose) throws Exception {
    List<double[]> times = new ArrayList<>();
    for (int round = 0; round < rounds; round++) {
      Path copy = new Path("/data/distcp-" + round);
      Path repo = fs.makeQualified(new Path("/backups/repo-" + round));
      Path restored = fs.makeQualified(new Path("/data/restored-" + round));
      double[] t = new double[] {0, 0, 0, 0, Double.NaN};
      Configuration tuned = new Configuration(conf);
      tuned.set(CLOSE_DELAY, "10");
      tuned.set(CLOSE_RETRIES, "11");
      Runnable distcp = skipDistCp ? () -> { } : () -> {
        t[0] = timed("distcp", () -> distcp(conf, source, fs.makeQualified(copy)));
        timed("delete", () -> fs.delete(copy, true));
        t[3] = timed("distcp, tuned", () -> distcp(tuned, source, fs.makeQualified(copy)));
      };
      Runnable backup = () -> t[1] = timed("backup", () -> report(conf, "backup", "--source", source.toString(),
          "--repo", repo.toString(), "--json"));
      if (round % 2 == 0) {
        distcp.run();
        backup.run();
      } else {
        backup.run();
        distcp.run();
      }
      Configuration restoreConf = new Configuration(conf);
      String profile = System.getProperty("bench.restore.map.opts"); // e.g. a flight recording of each map
      if (profile != null) {
        restoreConf.set("mapreduce.map.java.opts", TASK_OPTS + " " + profile);
      }
      t[2] = timed("restore", () -> report(restoreConf, "restore", "--repo", repo.toString(), "--point", "latest",
          "--target", restored.toString(), "--json"));
      checkRestored(fs, restored, summary);
      if (defaultClose) {
        fs.delete(restored, true);
        Configuration hdfsDefaults = new Configuration(conf);
        hdfsDefaults.set(CLOSE_DELAY, "400");
        hdfsDefaults.set(CLOSE_RETRIES, "5");
        t[4] = timed("restore, default close", () -> report(hdfsDefaults, "restore", "--repo", repo.toString(),
            "--point", "latest", "--target", restored.toString(), "--json"));
        checkRestored(fs, restored, summary);
      }
      times.add(t);
      System.err.printf(Locale.ROOT, "round %d: distcp -p %.1f s (tuned %.1f s), backup %.1f s, restore %.1f s"
          + " (default close %.1f s)%n", round + 1, t[0], t[3], t[1], t[2], t[4]);
      fs.delete(copy, true);
      fs.delete(restored, true);
    }
    double d = best(times, 0);
    double b = best(times, 1);
    double r = best(times, 2);
    double dt = best(times, 3);
    System.out.printf(Locale.ROOT, "Data set: %,d bytes in %,d files on HDFS; MiniDFSCluster (1 DataNode) +"
        + " MiniMRYarnCluster (1 NodeManager: AM + 2 tasks); %d cores%n%n", summary.getLength(),
        summary.getFileCount(), Runtime.getRuntime().availableProcessors());
    System.out.println("| job (YARN) | best of " + times.size() + " | vs DistCp | all runs |");
    System.out.println("|---|---|---|---|");
    System.out.printf(Locale.ROOT, "| DistCp `-p -m 20` | %.1f s | 1.00x | %s |%n", d, all(times, 0));
    System.out.printf(Locale.ROOT, "| DistCp `-p -m 20`, closes tuned as hbackup's jobs | %.1f s | %.2fx | %s |%n",
        dt, dt / d, all(times, 3));
    System.out.printf(Locale.ROOT, "| hbackup backup | %.1f s | %.2fx | %s |%n", b, b / d, all(times, 1));
    System.out.printf(Locale.ROOT, "| hbackup restore | %.1f s | %.2fx | %s |%n", r, r / d, all(times, 2));
    if (defaultClose) {
      double rd = best(times, 4);
      System.out.printf(Locale.ROOT, "| hbackup restore, HDFS's default close delay | %.1f s | %.2fx | %s |%n", rd,
          rd / d, all(times, 4));
    }
    System.out.printf(Locale.ROOT, "%nrestore / backup: %.2fx%n", r / b);
  }

  private static void checkRestored(FileSystem fs, Path restored, ContentSummary source) throws java.io.IOException {
    ContentSummary back = fs.getContentSummary(restored);
    if (back.getLength() != source.getLength() || back.getFileCount() != source.getFileCount()) {
      throw new IllegalStateException("the restore differs from the source: " + back + " vs " + source);
    }
  }

  private static void distcp(Configuration conf, Path source, Path target) throws Exception {
    check(ToolRunner.run(new Configuration(conf), new DistCp(new Configuration(conf), null),
        new String[] {"-p", "-m", "20", source.toString(), target.toString()}));
  }

  interface Step {
    void run() throws Exception;
  }

  private static double timed(String what, Step step) {
    try {
      return EndToEndBenchmark.time(step::run);
    } catch (Exception e) {
      throw new IllegalStateException(what + " failed: " + e.getMessage(), e);
    }
  }

  /** Runs one hbackup command in this JVM (its jobs go to YARN) and prints its report's timings. */
  private static void report(Configuration conf, String... args) throws Exception {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    int code = Hbackup.run(new Configuration(conf), args, new PrintStream(out, true, StandardCharsets.UTF_8),
        System.err);
    String text = out.toString(StandardCharsets.UTF_8);
    if (code != 0) {
      throw new IllegalStateException(args[0] + " exited " + code + ": " + text);
    }
    JsonNode json = new ObjectMapper().readTree(text);
    StringBuilder line = new StringBuilder("  " + args[0] + ":");
    json.fields().forEachRemaining(e -> {
      if (e.getKey().endsWith("Ms") || e.getKey().equals("mapTasks") || e.getKey().equals("jobId")) {
        line.append(' ').append(e.getKey()).append('=').append(e.getValue().asText());
      }
    });
    System.err.println(line);
    phases(conf);
  }

  /**
   * Where the last job's time went, from its task reports: start-up (submission to the first
   * task), the map phase (its tasks, their average length), the reduce phase, the rest.
   */
  private static void phases(Configuration conf) throws Exception {
    org.apache.hadoop.mapreduce.Cluster cluster = new org.apache.hadoop.mapreduce.Cluster(conf);
    try {
      org.apache.hadoop.mapreduce.JobStatus last = null;
      for (org.apache.hadoop.mapreduce.JobStatus s : cluster.getAllJobStatuses()) {
        if (last == null || s.getStartTime() > last.getStartTime()) {
          last = s;
        }
      }
      if (last == null) {
        return;
      }
      org.apache.hadoop.mapreduce.Job job = cluster.getJob(last.getJobID());
      long[] maps = span(job.getTaskReports(org.apache.hadoop.mapreduce.TaskType.MAP));
      long[] reduces = span(job.getTaskReports(org.apache.hadoop.mapreduce.TaskType.REDUCE));
      long start = job.getStartTime();
      System.err.printf(Locale.ROOT, "    %s: to first map %.1f s; %d maps over %.1f s (avg %.1f s each);"
          + " %d reduces over %.1f s (from %.1f s after the last map); job %.1f s%n", last.getJobID(),
          (maps[1] - start) / 1e3, maps[0], (maps[2] - maps[1]) / 1e3, maps[3] / 1e3 / Math.max(1, maps[0]),
          reduces[0], (reduces[2] - reduces[1]) / 1e3, (reduces[1] - maps[2]) / 1e3,
          (job.getFinishTime() - start) / 1e3);
    } finally {
      cluster.close();
    }
  }

  /** {count, first start, last finish, sum of lengths} of some task reports. */
  private static long[] span(org.apache.hadoop.mapreduce.TaskReport[] reports) {
    long first = Long.MAX_VALUE;
    long lastFinish = 0;
    long sum = 0;
    for (org.apache.hadoop.mapreduce.TaskReport r : reports) {
      first = Math.min(first, r.getStartTime());
      lastFinish = Math.max(lastFinish, r.getFinishTime());
      sum += r.getFinishTime() - r.getStartTime();
    }
    return new long[] {reports.length, reports.length == 0 ? 0 : first, lastFinish, sum};
  }

  private static void check(int exitCode) {
    if (exitCode != 0) {
      throw new IllegalStateException("exit code " + exitCode);
    }
  }

  private static double best(List<double[]> times, int i) {
    return times.stream().mapToDouble(t -> t[i]).min().orElse(Double.NaN);
  }

  private static String all(List<double[]> times, int i) {
    StringBuilder s = new StringBuilder();
    for (double[] t : times) {
      s.append(s.length() == 0 ? "" : " / ").append(String.format(Locale.ROOT, "%.1f s", t[i]));
    }
    return s.toString();
  }
}
