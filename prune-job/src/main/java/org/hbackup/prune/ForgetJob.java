package org.hbackup.prune;

import java.io.IOException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.hbackup.common.CrashPoints;
import org.hbackup.common.HbackupException;
import org.hbackup.common.id.PointId;
import org.hbackup.common.point.PointRecord;
import org.hbackup.common.repo.PointScan;
import org.hbackup.common.repo.Repository;
import org.hbackup.common.repo.RepositoryLock;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code forget}: under an exclusive lock, applies a {@link KeepPolicy} to each source's points
 * separately (or removes the named points), removes the point record of each point it does not
 * keep (one delete each: a point exists exactly while its record does), and deletes the HDFS
 * snapshots that only those points needed. Data stays until {@code prune}, which {@code --prune}
 * runs under the same lock. Memory: one record per point.
 */
public final class ForgetJob {
  private static final Logger LOG = LoggerFactory.getLogger(ForgetJob.class);

  /** One source's decision. */
  public record SourceDecision(String source, List<Retention.Kept> kept, List<PointRecord> removed) {
  }

  /** What forget did (or, on a dry run, would do); {@code prune} is null unless asked for. */
  public record Result(String policy, List<SourceDecision> sources, List<PointScan.Unreadable> unreadable,
      int snapshotsDeleted, int snapshotsNotDeleted, boolean dryRun, PruneJob.Result prune, long durationMs) {
    public int removed() {
      return sources.stream().mapToInt(s -> s.removed().size()).sum();
    }
  }

  private final Configuration conf;
  private final Path repositoryPath;
  private final String source;
  private final List<PointId> points;
  private final KeepPolicy policy;
  private final PruneOptions prune;
  private final boolean dryRun;

  /**
   * @param source only this source's points, or null for every source
   * @param points the points to remove, or empty to apply {@code policy}
   * @param prune prune after forgetting, or null
   */
  public ForgetJob(Configuration conf, Path repository, String source, List<PointId> points, KeepPolicy policy,
      PruneOptions prune, boolean dryRun) {
    if (points.isEmpty() == policy.isEmpty()) {
      throw new IllegalArgumentException(points.isEmpty()
          ? "no policy: give at least one --keep-* rule, or the points to remove with --point"
          : "give either --point or --keep-* rules, not both");
    }
    this.conf = conf;
    this.repositoryPath = repository;
    this.source = source;
    this.points = List.copyOf(points);
    this.policy = policy;
    this.prune = prune;
    this.dryRun = dryRun;
  }

  public Result run() throws IOException, InterruptedException {
    long started = System.currentTimeMillis();
    Repository repository = Repository.open(repositoryPath, conf);
    try (RepositoryLock lock = RepositoryLock.acquire(repository, RepositoryLock.Mode.EXCLUSIVE, "forget", null,
        conf)) {
      PointScan scan = repository.scanPoints();
      List<SourceDecision> decisions = points.isEmpty() ? byPolicy(scan.points(), qualified(source))
          : named(scan.points());
      int[] snapshots = new int[SourceSnapshotCleanup.Outcome.values().length];
      if (!dryRun) {
        for (SourceDecision d : decisions) {
          for (PointRecord p : d.removed()) {
            forget(repository, p);
            CrashPoints.reached(conf, "forget.removed");
            snapshots[SourceSnapshotCleanup.deleteFor(p, repository.config().id(), conf).ordinal()]++;
          }
        }
      }
      PruneJob.Result pruned = null;
      if (prune != null) {
        Set<String> removed = new HashSet<>();
        if (dryRun) {
          // Nothing was removed: the prune's plan counts these points as gone.
          decisions.forEach(d -> d.removed().forEach(p -> removed.add(p.id().toString())));
        }
        pruned = new PruneJob(conf, repository.layout().root(), prune.withDryRun(dryRun), removed)
            .runLocked(repository, lock);
      }
      return new Result(points.isEmpty() ? policy.describe() : "remove the named points", decisions,
          scan.unreadable(), snapshots[SourceSnapshotCleanup.Outcome.DELETED.ordinal()],
          snapshots[SourceSnapshotCleanup.Outcome.FAILED.ordinal()], dryRun, pruned,
          System.currentTimeMillis() - started);
    }
  }

  /** The policy, applied to each source's points on their own (or to {@link #source}'s only). */
  private List<SourceDecision> byPolicy(List<PointRecord> all, String only) throws HbackupException {
    Map<String, List<PointRecord>> bySource = new TreeMap<>();
    for (PointRecord p : all) {
      if (only == null || stripSlash(p.source()).equals(only)) {
        bySource.computeIfAbsent(p.source(), s -> new ArrayList<>()).add(p);
      }
    }
    if (source != null && bySource.isEmpty()) {
      throw new HbackupException("the repository has no point of source " + source);
    }
    List<SourceDecision> decisions = new ArrayList<>();
    Instant now = Instant.now();
    for (Map.Entry<String, List<PointRecord>> e : bySource.entrySet()) {
      Retention.Decision d = Retention.apply(e.getValue(), policy, now);
      if (d.kept().isEmpty()) {
        // Cannot happen with a rule of at least 1; kept as the last guard against emptying a source.
        throw new HbackupException("the policy would remove every point of " + e.getKey() + "; nothing removed");
      }
      decisions.add(new SourceDecision(e.getKey(), d.kept(), d.removed()));
    }
    return decisions;
  }

  /**
   * The named points, each of which must exist, and be of {@link #source} when one is given: it
   * was ignored, and a point of another source was removed with exit 0 (found by a probe).
   */
  private List<SourceDecision> named(List<PointRecord> all) throws IOException {
    Set<PointId> wanted = new HashSet<>(points);
    Map<String, List<PointRecord>> removed = new TreeMap<>();
    String only = qualified(source);
    for (PointRecord p : all) {
      if (wanted.remove(p.id())) {
        if (only != null && !stripSlash(p.source()).equals(only)) {
          throw new HbackupException("point " + p.id() + " is of source " + p.source() + ", not " + source
              + "; nothing removed");
        }
        removed.computeIfAbsent(p.source(), s -> new ArrayList<>()).add(p);
      }
    }
    if (!wanted.isEmpty()) {
      throw new HbackupException("no point " + wanted.iterator().next() + " in the repository; nothing removed");
    }
    List<SourceDecision> decisions = new ArrayList<>();
    removed.forEach((s, list) -> decisions.add(new SourceDecision(s, List.of(), list)));
    return decisions;
  }

  /** A point ceases to exist when its record is deleted: one step, whatever it named. */
  private static void forget(Repository repository, PointRecord p) throws IOException {
    FileSystem fs = repository.fileSystem();
    if (fs.delete(repository.layout().point(p.id()), false)) {
      LOG.info("Forgot point {} of {}", p.id(), p.source());
    }
  }

  /** The source as backups record it: qualified by its file system (a plain path is on the default one). */
  private String qualified(String given) throws IOException {
    if (given == null) {
      return null;
    }
    Path p = new Path(given);
    return stripSlash(p.getFileSystem(conf).makeQualified(p).toString());
  }

  private static String stripSlash(String s) {
    return s.endsWith("/") && s.length() > 1 ? s.substring(0, s.length() - 1) : s;
  }
}
