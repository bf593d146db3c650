package org.hbackup.verify;

import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FSDataOutputStream;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.hbackup.common.CrashPoints;
import org.hbackup.common.DamageException;
import org.hbackup.common.id.PointId;
import org.hbackup.common.io.FileSystems;
import org.hbackup.common.manifest.ChangeKind;
import org.hbackup.common.manifest.ChangeListWriter;
import org.hbackup.common.manifest.ManifestEntry;
import org.hbackup.common.manifest.ManifestList;
import org.hbackup.common.manifest.ManifestWriter;
import org.hbackup.common.manifest.SegmentReader;
import org.hbackup.common.manifest.SegmentRef;
import org.hbackup.common.point.PointRecord;
import org.hbackup.common.point.PointType;
import org.hbackup.common.repo.PointPublisher;
import org.hbackup.common.repo.Repository;
import org.hbackup.common.repo.RepositoryLayout;
import org.hbackup.common.repo.RepositoryLock;
import org.hbackup.common.repo.StagingLayout;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code repair points}: under an exclusive lock, runs verify's joins for the selected points (or
 * all), then writes, for each point that names data the repository no longer has, a new point of
 * type {@code repaired} with the original as its base: the same entries without the files that
 * cannot be restored (and without the entries of a damaged segment), whose change list names
 * each dropped file as deleted (so {@code hbackup diff --to NEW} lists them). It is published
 * like a backup's point, in the order of FORMAT.md; with --forget the damaged original's record
 * is then removed. A point whose record or manifest list is damaged cannot be rewritten: it is
 * reported, and removed with --forget. Memory: one segment at a time; the affected paths stream
 * sorted, in step with the point's entries, one at a time.
 */
public final class RepairPointsJob {
  private static final Logger LOG = LoggerFactory.getLogger(RepairPointsJob.class);
  static final String WHOLE_POINT = VerifyResult.WHOLE_POINT;

  /** One point the repair rewrote, or could not. */
  public record Repaired(PointId original, PointId repaired, long filesDropped, List<String> dropped,
      boolean forgotten, String problem) {
  }

  /** What the repair did, or would do. */
  public record Result(List<Repaired> points, boolean dryRun, long durationMs) {
  }

  /** How many dropped paths of each point the result names; the change list has them all. */
  static final int NAMED = 100;

  private final Configuration conf;
  private final Path repositoryPath;
  private final List<PointId> points;
  private final boolean forget;
  private final boolean dryRun;

  public RepairPointsJob(Configuration conf, Path repository, List<PointId> points, boolean forget, boolean dryRun) {
    this.conf = conf;
    this.repositoryPath = repository;
    this.points = List.copyOf(points);
    this.forget = forget;
    this.dryRun = dryRun;
  }

  public Result run() throws IOException, InterruptedException {
    long started = System.currentTimeMillis();
    Repository repository = Repository.open(repositoryPath, conf);
    try (RepositoryLock lock = RepositoryLock.acquire(repository, RepositoryLock.Mode.EXCLUSIVE, "repair points",
        null, conf)) {
      VerifyOptions.Builder options = VerifyOptions.builder().repository(repository.layout().root());
      points.forEach(options::point);
      Map<PointId, PointRecord> repairedBefore = repairedPoints(repository);
      List<Repaired> repaired = new ArrayList<>();
      try (VerifyResult found = new VerifyJob(conf, options.build()).runLocked(repository);
           AffectedStream affected = new AffectedStream(found)) {
        for (String point = affected.nextPoint(); point != null; point = affected.nextPoint()) {
          PointId original = PointId.parse(point);
          PointRecord earlier = repairedBefore.get(original);
          repaired.add(earlier != null ? alreadyRepaired(repository, lock, original, earlier, affected)
              : repair(repository, lock, original, affected));
        }
      }
      return new Result(repaired, dryRun, System.currentTimeMillis() - started);
    }
  }

  /**
   * Repaired points by their original: a repair stopped between publishing a repaired point and
   * forgetting its original is finished by the next, never repeated. Memory: one record per
   * repaired point.
   */
  private static Map<PointId, PointRecord> repairedPoints(Repository repository) throws IOException {
    Map<PointId, PointRecord> byOriginal = new HashMap<>();
    for (PointRecord p : repository.listPoints()) {
      if (p.type() == PointType.REPAIRED && p.base() != null) {
        byOriginal.put(p.base(), p);
      }
    }
    return byOriginal;
  }

  private Repaired alreadyRepaired(Repository repository, RepositoryLock lock, PointId original, PointRecord earlier,
      AffectedStream affected) throws IOException {
    affected.skip(original.toString());
    boolean forgotten = forget && !dryRun && forget(repository, lock, original);
    LOG.info("Point {} was already repaired as {}{}", original, earlier.id(), forgotten ? "; forgotten now" : "");
    return new Repaired(original, earlier.id(), earlier.counters().getOrDefault("filesDropped", 0L), List.of(),
        forgotten, null);
  }

  private Repaired repair(Repository repository, RepositoryLock lock, PointId original, AffectedStream affected)
      throws IOException {
    List<String> named = new ArrayList<>();
    if (affected.peekPath().equals(WHOLE_POINT)) {
      affected.skip(original.toString());
      String notDamaged = whyNotDamagedNow(repository, original);
      if (notDamaged != null) {
        // Never forgotten on a verdict that does not hold now: forgetting cannot be undone.
        return new Repaired(original, null, 0, named, false, notDamaged);
      }
      boolean forgotten = forget && !dryRun && forget(repository, lock, original);
      return new Repaired(original, null, 0, named, forgotten, "its record or manifest list is damaged: nothing to"
          + " rewrite it from");
    }
    PointRecord record = repository.readPoint(original);
    ManifestList list = repository.readManifest(record);
    // The original's time, not now: the repaired point takes the original's place among its
    // source's points, so that retention and "latest" never take it for the newest backup.
    PointId id = PointId.create(record.created());
    Path stagingRoot = new Path(repository.layout().tmpDir(), id.toString());
    StagingLayout staging = new StagingLayout(stagingRoot);
    FileSystem fs = repository.fileSystem();
    long dropped = 0;
    try {
      ManifestWriter manifest = new ManifestWriter((segment, bytes, length) -> {
        if (!dryRun) {
          try (FSDataOutputStream out = FileSystems.createOwnerOnly(fs,
              new Path(staging.segmentsDir(), segment.toHex() + RepositoryLayout.SEGMENT_SUFFIX), true)) {
            out.write(bytes, 0, length);
            FileSystems.sync(out);
          }
        }
      });
      OutputStream changeFile = dryRun ? OutputStream.nullOutputStream()
          : FileSystems.syncedOnClose(FileSystems.createOwnerOnly(fs, staging.changes(), true));
      try (ChangeListWriter changes = new ChangeListWriter(new BufferedOutputStream(changeFile, 1 << 16))) {
        for (SegmentRef ref : list.segments()) {
          List<ManifestEntry> entries = readSegment(repository, ref);
          if (entries == null) {
            named.add("segment " + ref.firstPath() + " .. " + ref.lastPath() + " (" + ref.entries() + " entries)");
            dropped += ref.files();
            continue;
          }
          for (ManifestEntry e : entries) {
            if (affected.drops(original.toString(), e.path())) {
              changes.add(ChangeKind.DELETED, e.path(), null);
              dropped++;
              if (named.size() < NAMED) {
                named.add(e.path());
              }
            } else {
              manifest.add(e);
              changes.add(ChangeKind.UNCHANGED, e.path(), null);
            }
          }
        }
        affected.skip(original.toString());
        ManifestList repairedList = manifest.finish();
        changes.finish();
        if (repairedList.segments().isEmpty()) {
          // Nothing of it is left, not even its root: such a point restores nothing (a restore
          // refuses it, exit 1) and verify calls it damaged, so none is published (a probe found
          // one published, passed by verify, and taken by "latest").
          boolean forgotten = forget && !dryRun && forget(repository, lock, original);
          return new Repaired(original, null, dropped, named, forgotten, "every entry of it is lost: no point is left"
              + " to rewrite it as");
        }
        if (dryRun) {
          return new Repaired(original, null, dropped, named, false, null);
        }
        try (FSDataOutputStream out = FileSystems.createOwnerOnly(fs, staging.manifest(), true)) {
          out.write(repairedList.toJson());
          FileSystems.sync(out);
        }
        PointRecord repaired = PointRecord.builder(id, PointType.REPAIRED).base(original).source(record.source())
            .created(record.created()).completed(Instant.now())
            .totals(repairedList.totals().files(), repairedList.totals().directories(),
                repairedList.totals().symlinks(), repairedList.totals().bytes())
            .counter("filesDropped", dropped).changes(changes.counts()).changeList(true)
            .manifestList(repairedList.contentId()).build();
        PointPublisher publisher = new PointPublisher(repository, conf);
        lock.checkHeld("publishing the repaired point of " + original);
        publisher.publishData(staging);
        lock.checkHeld("publishing the repaired point of " + original);
        publisher.publishPoint(staging, repaired);
        LOG.info("Point {} repaired as {}: {} files dropped", original, id, dropped);
        CrashPoints.reached(conf, "repair.points.published");
      }
      boolean forgotten = forget && forget(repository, lock, original);
      return new Repaired(original, id, dropped, named, forgotten, null);
    } finally {
      fs.delete(stagingRoot, true);
    }
  }

  /**
   * Why a point verify found whole-point damage in is not damaged as read now, or null when it
   * is: its record or manifest list is of a newer format version (a newer hbackup reads it), or
   * both read back now (the failure was passing: a block HDFS has since restored).
   */
  private static String whyNotDamagedNow(Repository repository, PointId point) throws IOException {
    try {
      if (repository.readManifest(repository.readPoint(point)).segments().isEmpty()) {
        return null; // it reads, and holds nothing: as damaged as verify said
      }
      return "its record and manifest list read back now: run verify again";
    } catch (org.hbackup.common.UnsupportedFormatVersionException e) {
      return "it is of a newer format version than this hbackup reads: left as it is";
    } catch (org.hbackup.common.HbackupException e) {
      return null; // damaged or missing
    } catch (IOException e) {
      if (org.hbackup.common.io.ReadFailures.isDamage(e)) {
        return null;
      }
      throw e; // this run's failure: nothing is decided on it
    }
  }

  /**
   * Deletes a point's record, only while this job still holds its exclusive lock: a job whose
   * lock was taken over must not go on changing what another writer now sees.
   */
  private static boolean forget(Repository repository, RepositoryLock lock, PointId point) throws IOException {
    lock.checkHeld("forgetting point " + point);
    return repository.fileSystem().delete(repository.layout().point(point), false);
  }

  /** A segment's entries, or null when it is damaged: its entries are lost with it. */
  private static List<ManifestEntry> readSegment(Repository repository, SegmentRef ref) throws IOException {
    List<ManifestEntry> entries = new ArrayList<>();
    try (SegmentReader reader = repository.openSegment(ref)) {
      for (ManifestEntry e = reader.next(); e != null; e = reader.next()) {
        entries.add(e);
      }
      return entries;
    } catch (DamageException e) {
      return null;
    }
  }

  /**
   * The files that cannot be restored, read in step with a point's entries: both come in path
   * order, so only the next affected file is held. Memory: one record.
   */
  static final class AffectedStream implements AutoCloseable {
    private final VerifyResult.AffectedReader reader;
    private VerifyResult.Affected next;

    AffectedStream(VerifyResult result) throws IOException {
      this.reader = result.affectedReader();
      this.next = reader.next();
    }

    /** The point of the next affected file, or null after the last. */
    String nextPoint() {
      return next == null ? null : next.point();
    }

    String peekPath() {
      return next.path();
    }

    /** Whether {@code path} of {@code point} is one to drop; moves past that point's paths before it. */
    boolean drops(String point, String path) throws IOException {
      while (next != null && next.point().equals(point)
          && org.hbackup.common.manifest.RelativePaths.compare(next.path(), path) < 0) {
        next = reader.next();
      }
      return next != null && next.point().equals(point) && next.path().equals(path);
    }

    /** Moves past every affected file of {@code point}. */
    void skip(String point) throws IOException {
      while (next != null && next.point().equals(point)) {
        next = reader.next();
      }
    }

    @Override
    public void close() throws IOException {
      reader.close();
    }
  }
}
