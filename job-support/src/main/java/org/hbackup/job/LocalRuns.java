package org.hbackup.job;

import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.time.Instant;
import java.util.Comparator;
import java.util.Optional;
import java.util.stream.Stream;

import org.apache.hadoop.conf.Configuration;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Where Hadoop's local job runner keeps a job's submission files and its map outputs on the
 * embedded default: under {@code ${hadoop.tmp.dir}/hbackup-runs/<pid>-<start>}, one directory per
 * process, removed when the process ends. Without this the local runner uses one staging
 * directory shared by every user ({@code /tmp/hadoop/mapred/staging}: a user could not run a job
 * after root had), and a killed run's files stay forever. A directory whose process is gone from
 * this host is reclaimed by the next run; a live one is never touched.
 */
final class LocalRuns {
  private static final Logger LOG = LoggerFactory.getLogger(LocalRuns.class);
  static final String STAGING_ROOT = "mapreduce.jobtracker.staging.root.dir";
  static final String LOCAL_DIR = "mapreduce.cluster.local.dir";
  private static final Object LOCK = new Object();
  private static Path own;

  private LocalRuns() {
  }

  /** Points the local runner's staging and local directories at this process's own. */
  static void apply(Configuration conf) {
    String tmp = conf.get("hadoop.tmp.dir");
    if (tmp == null) {
      return;
    }
    Path runs = Paths.get(tmp, "hbackup-runs");
    Path dir = own(runs);
    JobSetup.setUnlessUserSet(conf, STAGING_ROOT, dir.resolve("staging").toString());
    JobSetup.setUnlessUserSet(conf, LOCAL_DIR, dir.resolve("local").toString());
  }

  private static Path own(Path runs) {
    synchronized (LOCK) {
      ProcessHandle self = ProcessHandle.current();
      Path dir = runs.resolve(self.pid() + "-" + startOf(self));
      if (!dir.equals(own)) {
        own = dir;
        reclaimDead(runs);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> deleteTree(dir), "hbackup-local-run-cleanup"));
      }
      return dir;
    }
  }

  /** Removes the directories of processes that are gone; returns how many. */
  static int reclaimDead(Path runs) {
    int reclaimed = 0;
    if (!Files.isDirectory(runs)) {
      return 0;
    }
    try (DirectoryStream<Path> dirs = Files.newDirectoryStream(runs)) {
      for (Path dir : dirs) {
        if (!alive(dir.getFileName().toString())) {
          LOG.info("Removing {}, left by a run of hbackup that is gone", dir);
          deleteTree(dir);
          reclaimed++;
        }
      }
    } catch (IOException e) {
      LOG.warn("Could not look for runs left in {}: {}", runs, e.getMessage());
    }
    return reclaimed;
  }

  /** Whether {@code <pid>-<start>} names a process of this host that still runs. */
  static boolean alive(String name) {
    int dash = name.indexOf('-');
    if (dash < 0) {
      return true; // not ours: leave it
    }
    try {
      long pid = Long.parseLong(name.substring(0, dash));
      long start = Long.parseLong(name.substring(dash + 1));
      Optional<ProcessHandle> process = ProcessHandle.of(pid);
      return process.isPresent() && process.get().isAlive() && startOf(process.get()) == start;
    } catch (NumberFormatException e) {
      return true;
    }
  }

  private static long startOf(ProcessHandle process) {
    return process.info().startInstant().map(Instant::toEpochMilli).orElse(0L);
  }

  private static void deleteTree(Path dir) {
    if (!Files.exists(dir)) {
      return;
    }
    try (Stream<Path> walk = Files.walk(dir)) {
      walk.sorted(Comparator.reverseOrder()).forEach(p -> {
        try {
          Files.deleteIfExists(p);
        } catch (IOException e) {
          // Best effort: what is left is reclaimed by a later run.
        }
      });
    } catch (IOException e) {
      LOG.debug("Could not remove {}: {}", dir, e.getMessage());
    }
  }
}
