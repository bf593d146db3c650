package org.hbackup.job;

import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Comparator;
import java.util.Map;
import java.util.stream.Stream;

import org.apache.hadoop.conf.Configuration;
import org.hbackup.common.HbackupException;
import org.hbackup.common.io.ProcessIdentity;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Where Hadoop's local job runner keeps a job's submission files and its map outputs on the
 * embedded default: under {@code ${hadoop.tmp.dir}/hbackup-runs/<pid>-<start>}, one directory per
 * process, owner-only, removed when the process ends. Without this the local runner uses one
 * staging directory shared by every user ({@code /tmp/hadoop/mapred/staging}: a user could not
 * run a job after root had), and a killed run's files stay forever. A directory whose process is
 * known to be gone ({@link ProcessIdentity}, written beside it) is reclaimed by the next run; any
 * other is never touched. {@code hadoop.tmp.dir} must be the user's own: in a shared {@code /tmp},
 * a directory another user made first (or a link) would let that user read or change the jobs.
 */
final class LocalRuns {
  private static final Logger LOG = LoggerFactory.getLogger(LocalRuns.class);
  static final String STAGING_ROOT = "mapreduce.jobtracker.staging.root.dir";
  static final String LOCAL_DIR = "mapreduce.cluster.local.dir";
  static final String OWNER_FILE = "owner";
  private static final Object LOCK = new Object();
  private static Path own;

  private LocalRuns() {
  }

  /** Points the local runner's staging and local directories at this process's own. */
  static void apply(Configuration conf) throws IOException {
    String tmp = conf.get("hadoop.tmp.dir");
    if (tmp == null) {
      return;
    }
    Path base = Paths.get(tmp);
    checkOwn(base);
    Path dir = own(base.resolve("hbackup-runs"));
    JobSetup.setUnlessUserSet(conf, STAGING_ROOT, dir.resolve("staging").toString());
    JobSetup.setUnlessUserSet(conf, LOCAL_DIR, dir.resolve("local").toString());
  }

  /** Creates {@code dir} owner-only, or checks that the one there is this user's, and no link. */
  static void checkOwn(Path dir) throws IOException {
    if (!Files.exists(dir, LinkOption.NOFOLLOW_LINKS)) {
      Files.createDirectories(dir, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
      return;
    }
    Map<String, Object> a = Files.readAttributes(dir, "unix:uid,mode", LinkOption.NOFOLLOW_LINKS);
    int mode = (Integer) a.get("mode");
    boolean directory = (mode & 0170000) == 0040000;
    boolean othersWrite = (mode & 0002) != 0 && (mode & 01000) == 0;
    int uid = (Integer) Files.readAttributes(Paths.get("/proc/self"), "unix:uid").get("uid");
    if (!directory || othersWrite || ((Integer) a.get("uid") != uid && (Integer) a.get("uid") != 0)) {
      throw new HbackupException("hadoop.tmp.dir " + dir + " is not a directory of this user's (it is "
          + (!directory ? "a link or file" : othersWrite ? "writable by others" : "owned by uid " + a.get("uid"))
          + "): refusing to keep job files there; remove it or set -D hadoop.tmp.dir");
    }
  }

  private static Path own(Path runs) throws IOException {
    synchronized (LOCK) {
      ProcessIdentity self = ProcessIdentity.self();
      Path dir = runs.resolve(self.pid() + "-" + self.start());
      if (!dir.equals(own)) {
        checkOwn(runs);
        reclaimDead(runs);
        checkOwn(dir);
        Files.writeString(dir.resolve(OWNER_FILE), self.host() + "\n" + self.pid() + "\n" + self.start() + "\n"
            + self.boot() + "\n" + self.pidNamespace() + "\n" + self.startTicks() + "\n");
        own = dir;
        Runtime.getRuntime().addShutdownHook(new Thread(() -> deleteTree(dir), "hbackup-local-run-cleanup"));
      }
      return dir;
    }
  }

  /** Removes the directories of processes known to be gone; returns how many. */
  static int reclaimDead(Path runs) {
    int reclaimed = 0;
    if (!Files.isDirectory(runs)) {
      return 0;
    }
    try (DirectoryStream<Path> dirs = Files.newDirectoryStream(runs)) {
      for (Path dir : dirs) {
        if (gone(dir)) {
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

  /** Whether the process that owned a run directory is known to be gone. */
  static boolean gone(Path dir) {
    try {
      String[] lines = Files.readString(dir.resolve(OWNER_FILE)).split("\n", -1);
      long ticks = lines.length > 5 && !lines[5].isEmpty() ? Long.parseLong(lines[5]) : 0;
      return new ProcessIdentity(lines[0], Long.parseLong(lines[1]), Long.parseLong(lines[2]), lines[3], lines[4], ticks)
          .knownGone();
    } catch (IOException | RuntimeException e) {
      return false; // no owner to judge by: not ours to remove
    }
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
