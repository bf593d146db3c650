package org.hbackup.backup;

import java.io.FileNotFoundException;
import java.io.IOException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileStatus;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.apache.hadoop.hdfs.client.HdfsClientConfigKeys;
import org.apache.hadoop.io.BytesWritable;
import org.apache.hadoop.mapreduce.Counters;
import org.apache.hadoop.mapreduce.Job;
import org.apache.hadoop.mapreduce.lib.output.FileOutputFormat;
import org.hbackup.common.CrashPoints;
import org.hbackup.common.DamageException;
import org.hbackup.common.HbackupException;
import org.hbackup.common.NotARepositoryException;
import org.hbackup.common.UnsupportedFormatVersionException;
import org.hbackup.common.compress.Compression;
import org.hbackup.common.id.PointId;
import org.hbackup.common.io.FileSystems;
import org.hbackup.common.manifest.ManifestList;
import org.hbackup.common.manifest.SegmentRef;
import org.hbackup.common.point.PointRecord;
import org.hbackup.common.point.PointType;
import org.hbackup.common.repo.PointScan;
import org.hbackup.common.repo.Repository;
import org.hbackup.common.repo.RepositoryConfig;
import org.hbackup.common.repo.RepositoryLock;
import org.hbackup.common.repo.TmpReclaimer;
import org.hbackup.job.JobCompletion;
import org.hbackup.job.JobSetup;
import org.hbackup.job.ProgressReporter;
import org.hbackup.job.TaskFailures;
import org.hbackup.job.WeightMarks;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs one backup: takes a shared lock on the repository (which also tells others that this
 * backup's files in {@code tmp/} are in use), reclaims what killed backups left there, lists the
 * source into a listing file, runs the MapReduce job whose committer publishes the point, and
 * reports the job's counters and the source entries it could not read. The driver's memory does
 * not grow with the namespace: the listing is streamed to the repository's file system.
 */
public final class BackupJob {
  private static final Logger LOG = LoggerFactory.getLogger(BackupJob.class);
  /** The report names at most this many skipped source entries; the counters have the full numbers. */
  public static final int MAX_REPORTED_SKIPPED = 10_000;

  /** HDFS's checksum combine mode key, and the mode whose checksums do not depend on the block size. */
  static final String CHECKSUM_COMBINE_MODE = HdfsClientConfigKeys.DFS_CHECKSUM_COMBINE_MODE_KEY;
  static final String COMPOSITE_CRC = "COMPOSITE_CRC";

  private final Configuration baseConf;
  private final BackupOptions options;

  public BackupJob(Configuration conf, BackupOptions options) {
    this.baseConf = conf;
    this.options = options;
  }

  public BackupResult run() throws IOException, InterruptedException {
    long started = System.currentTimeMillis();
    Configuration conf = new Configuration(baseConf);
    FileSystem sourceFs = options.source().getFileSystem(conf);
    FileStatus sourceStatus = checkedSource(sourceFs, conf);
    Path source = sourceStatus.getPath();
    options.writeTo(conf);
    // Before the repository is created, so that a refused --snapshot leaves nothing behind.
    SourceSnapshots sourceSnapshots = SourceSnapshots.of(sourceFs, sourceStatus,
        options.snapshot() || BackupSettings.readFrom(conf).snapshotAllow());
    Repository repository = openOrInit(options.repository(), conf);
    PointId point = PointId.create(Instant.now());
    try (RepositoryLock lock = RepositoryLock.acquire(repository, RepositoryLock.Mode.SHARED, "backup", point, conf)) {
      conf.set(BackupConfigKeys.LOCK_FILE, lock.holder().file().toString());
      try {
        return backUp(conf, sourceFs, source, repository, point, sourceSnapshots == null ? null
            : sourceSnapshots.forRepository(repository.config().id()), started);
      } catch (HbackupException e) {
        throw lockLostOr(lock, e);
      }
    }
  }

  /**
   * Why a backup failed when its lock was taken over while it ran: a taker may have reclaimed its
   * staging in {@code tmp/} too, and the task that found its files gone says only that (a
   * FileNotFoundException); the lock's loss is the reason to give, with the failure beside it.
   */
  private static HbackupException lockLostOr(RepositoryLock lock, HbackupException failure) {
    if (failure instanceof org.hbackup.common.repo.LockLostException) {
      return failure;
    }
    try {
      lock.checkHeld("publishing its point");
    } catch (org.hbackup.common.repo.LockLostException lost) {
      lost.addSuppressed(failure);
      return lost;
    } catch (IOException e) {
      failure.addSuppressed(e);
    }
    return failure;
  }

  /**
   * The source's status, with what every backup (and its dry run) refuses checked: a source that
   * is missing, not a directory, or inside the repository; a type that needs a base point where
   * there is no repository yet.
   */
  private FileStatus checkedSource(FileSystem sourceFs, Configuration conf) throws IOException {
    FileStatus sourceStatus;
    try {
      sourceStatus = sourceFs.getFileStatus(options.source());
    } catch (FileNotFoundException e) {
      throw new HbackupException("source " + options.source() + " does not exist", e);
    }
    if (!sourceStatus.isDirectory()) {
      throw new HbackupException("source " + options.source() + " is not a directory");
    }
    Path source = sourceStatus.getPath();
    if (FileSystems.relativeUnder(options.repository(), source, conf) != null) {
      throw new HbackupException("source " + source + " lies inside the repository " + options.repository()
          + "; a repository is never backed up into itself");
    }
    if (options.type() != null && options.type() != PointType.FULL && !Repository.exists(options.repository(), conf)) {
      throw new HbackupException("no repository at " + options.repository() + " holds a point to compare with;"
          + " use --type full or --type auto");
    }
    return sourceStatus;
  }

  /**
   * A dry run: lists the source live (no snapshot is taken, so renames show as new files) against
   * the base the backup would choose, into a temporary file of the local job runner's directory;
   * writes nothing to the repository, takes no lock, and creates no repository.
   */
  public BackupPlan plan() throws IOException {
    long started = System.currentTimeMillis();
    Configuration conf = new Configuration(baseConf);
    FileSystem sourceFs = options.source().getFileSystem(conf);
    Path source = checkedSource(sourceFs, conf).getPath();
    boolean exists = Repository.exists(options.repository(), conf);
    // What the backup itself refuses (openOrInit), the dry run refuses too.
    if (!exists && options.repository().getFileSystem(conf).exists(options.repository())
        && !Repository.isUnfinished(options.repository(), conf)) {
      throw notARepository(options.repository());
    }
    Repository repository = exists ? Repository.open(options.repository(), conf) : null;
    PointRecord base = repository == null ? null
        : chooseBase(repository, repository.scanPoints().points(), source, options.type());
    PointType type = base == null ? PointType.FULL : options.type() == null ? PointType.INCREMENTAL : options.type();
    options.toBuilder().source(source).type(type).build().writeTo(conf);
    BackupSettings settings = BackupSettings.readFrom(conf);
    String repositoryInSource = FileSystems.relativeUnder(source, options.repository(), conf);
    // An owner-only directory of its own: the listing names every path of the source.
    java.nio.file.Path local = java.nio.file.Files.createTempDirectory("hbackup-dry-run",
        java.nio.file.attribute.PosixFilePermissions.asFileAttribute(
            java.nio.file.attribute.PosixFilePermissions.fromString("rwx------")));
    Path listing = new Path(local.resolve("listing").toUri());
    try (BaseManifest baseEntries = base == null ? null
        : new BaseManifest(repository, base.id(), settings.baseSegmentCache())) {
      SourceLister.UnchangedHint hint = baseEntries == null ? SourceLister.UnchangedHint.NONE
          : new CarryOver(baseEntries, base.id(), settings)::likelyUnchanged;
      SourceLister.Totals totals = new SourceLister(conf, settings).list(sourceFs, source, null, listing,
          SnapshotRenames.NONE, hint, repositoryInSource);
      return new BackupPlan(type, base == null ? null : base.id(), exists, totals,
          System.currentTimeMillis() - started);
    } finally {
      listing.getFileSystem(conf).delete(new Path(local.toUri()), true);
    }
  }

  private BackupResult backUp(Configuration conf, FileSystem sourceFs, Path source, Repository repository,
      PointId point, SourceSnapshots snapshots, long started) throws IOException, InterruptedException {
    TmpReclaimer.Reclaimed reclaimed = TmpReclaimer.reclaim(repository, conf);
    String repositoryInSource = FileSystems.relativeUnder(source, repository.layout().root(), conf);
    if (repositoryInSource != null) {
      LOG.info("The repository lies inside the source, at {}: it is left out of the backup", repositoryInSource);
    }
    PointScan scan = repository.scanPoints();
    for (PointScan.Unreadable u : scan.unreadable()) {
      LOG.warn("Point record {} cannot be read; it is not used as a base: {}", u.file(), u.reason());
    }
    PointRecord base = chooseBase(repository, scan.points(), source, options.type());
    PointType type = base == null ? PointType.FULL : options.type() == null ? PointType.INCREMENTAL : options.type();
    BackupOptions qualified = options.toBuilder().source(source).repository(repository.layout().root())
        .type(type).build();
    qualified.writeTo(conf);
    conf.set(BackupConfigKeys.POINT, point.toString());
    if (base != null) {
      conf.set(BackupConfigKeys.BASE_POINT, base.id().toString());
      LOG.info("{} backup against point {}", type.configName(), base.id());
    }
    BackupSettings settings = BackupSettings.readFrom(conf);

    Path staging = new Path(repository.layout().tmpDir(), point.toString());
    Path listing = new Path(repository.layout().tmpDir(), point + ".listing");
    Path skippedReport = new Path(repository.layout().tmpDir(), point + ".skipped");
    conf.set(BackupConfigKeys.SKIPPED_REPORT, skippedReport.toString());
    FileSystem repoFs = repository.fileSystem();
    boolean committed = false;
    try {
      Path listRoot = source;
      FileStatus rootMetadata = null;
      SnapshotRenames renames = SnapshotRenames.NONE;
      if (snapshots != null) {
        rootMetadata = sourceFs.getFileStatus(source);
        listRoot = snapshots.begin(point);
        conf.set(BackupConfigKeys.SNAPSHOT_NAME, snapshots.taken());
        LOG.info("Reading snapshot {} of {}", snapshots.taken(), source);
        renames = snapshots.renamesSince(base, settings.snapshotMaxRenames());
      } else {
        LOG.info("{} is not a snapshottable HDFS directory: reading it live", source);
      }
      SourceLister.Totals totals;
      try (BaseManifest baseEntries = base == null ? null
          : new BaseManifest(repository, base.id(), settings.baseSegmentCache())) {
        SourceLister.UnchangedHint hint = baseEntries == null ? SourceLister.UnchangedHint.NONE
            : new CarryOver(baseEntries, base.id(), settings)::likelyUnchanged;
        totals = new SourceLister(conf, settings).list(sourceFs, listRoot, rootMetadata, listing, renames, hint,
            repositoryInSource);
      }
      LOG.info("Listed {} entries ({} files, {} bytes; split weight {}; {} excluded; {} directories read ahead)"
          + " under {}", totals.entries(), totals.files(), totals.bytes(), totals.weight(), totals.excluded(),
          totals.listingsReadAhead(), listRoot);
      CrashPoints.reached(conf, "backup.listed");
      conf.set(BackupConfigKeys.LISTING, listing.toString());
      conf.setLong(BackupConfigKeys.LISTING_WEIGHT, totals.weight());
      conf.setLong(BackupConfigKeys.EXPECTED_CHUNKS,
          totals.files() + 2 * totals.bytes() / repository.config().chunker().average());
      Job job = configure(conf, point, staging);
      LOG.info("Backing up {} into {} as point {}", source, repository.layout().root(), point);
      Path record = repository.layout().point(point);
      // A published point is never reported as a failure, even when the client lost the job.
      long listedFiles = totals.files();
      long listedBytes = totals.bytes();
      JobCompletion.Outcome outcome = JobCompletion.await(job, LOG.isInfoEnabled(),
          () -> repository.fileSystem().exists(record), "backup", (c, seconds) -> {
            long read = c.findCounter(BackupCounters.BYTES_READ).getValue();
            return String.format(java.util.Locale.ROOT, "%,d of %,d files, %s of %s read (unchanged files are not),"
                + " %s", c.findCounter(BackupCounters.FILES).getValue(), listedFiles, ProgressReporter.bytes(read),
                ProgressReporter.bytes(listedBytes), ProgressReporter.rate(read, seconds));
          });
      if (!outcome.succeeded()) {
        String message = "backup job " + job.getJobID() + " failed: " + JobSetup.failure(job)
            + "; no point was published";
        // Damage the commit found (a shared segment gone since the job read it) exits 3, as damage does.
        throw TaskFailures.damage(job.getJobID()) ? new DamageException(message) : new HbackupException(message);
      }
      committed = true;
      CrashPoints.reached(conf, "backup.committed");
      if (snapshots != null) {
        snapshots.commit(snapshotsNeeded(repository, source), pointIds(repository));
      }
      List<SkippedReport.Skipped> skipped = SkippedReport.readAndDelete(skippedReport, conf, MAX_REPORTED_SKIPPED);
      Counters counters = outcome.counters() != null ? outcome.counters()
          : countersFromRecord(repository.readPoint(point), skipped);
      return new BackupResult(point, qualified, base == null ? null : base.id(), snapshots == null ? null
          : snapshots.nameOf(point), counters, System.currentTimeMillis() - started,
          job.getJobID().toString(), scan.unreadable(), skipped, repositoryInSource, reclaimed)
          .withLostTrack(outcome.lostTrack()).withExcluded(totals.excluded());
    } catch (ClassNotFoundException e) {
      throw new HbackupException("backup job could not load a class: " + e.getMessage(), e);
    } finally {
      // Through the listing's own file system, which also removes a local .crc sidecar.
      listing.getFileSystem(conf).delete(listing, false);
      listing.getFileSystem(conf).delete(WeightMarks.of(listing), false);
      repoFs.delete(skippedReport, false);
      // The committer removes staging on success and on abort; this covers a job that never ran.
      repoFs.delete(staging, true);
      if (snapshots != null && !committed) {
        snapshots.abort();
      }
    }
  }

  /**
   * The figures of a backup whose job the client lost after it published its point: those the
   * point record keeps (totals, bytes and chunks new, changes), and the skipped entries counted
   * from the skipped report (so that an incomplete point still exits 4). The rest read 0.
   */
  static Counters countersFromRecord(PointRecord record, List<SkippedReport.Skipped> skipped) {
    Counters c = new Counters();
    c.findCounter(BackupCounters.FILES).setValue(record.files());
    c.findCounter(BackupCounters.DIRECTORIES).setValue(record.directories());
    c.findCounter(BackupCounters.SYMLINKS).setValue(record.symlinks());
    c.findCounter(BackupCounters.BYTES_NEW).setValue(record.counters().getOrDefault(StagedStats.BYTES_NEW, 0L));
    c.findCounter(BackupCounters.BYTES_STORED).setValue(record.counters().getOrDefault(StagedStats.BYTES_STORED, 0L));
    c.findCounter(BackupCounters.CHUNKS_NEW).setValue(record.counters().getOrDefault(StagedStats.CHUNKS_NEW, 0L));
    if (record.changes() != null) {
      record.changes().forEach((kind, n) -> c.findCounter(BackupCounters.of(kind)).setValue(n));
    }
    for (SkippedReport.Skipped k : skipped) {
      c.findCounter(k.openForWrite() ? BackupCounters.FILES_OPEN_FOR_WRITE
          : k.changing() ? BackupCounters.FILES_CHANGING
          : k.reason().startsWith(SkippedReport.SPECIAL_PREFIX) ? BackupCounters.SPECIAL_FILES_SKIPPED
          : BackupCounters.ENTRIES_UNREADABLE).increment(1);
    }
    return c;
  }

  /**
   * The snapshots a later backup of {@code source} may compare with: the latest point's (base of
   * an incremental) and the latest full point's (base of a differential).
   */
  static Set<String> snapshotsNeeded(Repository repository, Path source) throws IOException {
    PointRecord latest = null;
    PointRecord latestFull = null;
    for (PointRecord p : repository.listPoints()) {
      if (p.source().equals(source.toString())) {
        latest = p;
        if (p.type() == PointType.FULL) {
          latestFull = p;
        }
      }
    }
    Set<String> needed = new HashSet<>();
    for (PointRecord p : new PointRecord[] {latest, latestFull}) {
      if (p != null && p.snapshot() != null) {
        needed.add(p.snapshot());
      }
    }
    return needed;
  }

  private static Set<String> pointIds(Repository repository) throws IOException {
    Set<String> ids = new HashSet<>();
    for (PointRecord p : repository.listPoints()) {
      ids.add(p.id().toString());
    }
    return ids;
  }

  private Job configure(Configuration conf, PointId point, Path staging) throws IOException {
    JobSetup.applyDefaults(conf);
    conf.setIfUnset(FileOutputFormat.COMPRESS, "false");
    // The checksum kept in the manifest must not depend on the block size, which a copy or a
    // restore may change; HDFS's default (MD5 of MD5s of CRCs) does.
    conf.set(CHECKSUM_COMBINE_MODE, COMPOSITE_CRC);
    Job job = Job.getInstance(conf, "hbackup backup " + point);
    JobSetup.setJar(job, BackupJob.class);
    job.setInputFormatClass(ListingInputFormat.class);
    job.setMapperClass(BackupMapper.class);
    job.setMapOutputKeyClass(BackupKey.class);
    job.setMapOutputValueClass(BytesWritable.class);
    job.setReducerClass(BackupReducer.class);
    // One reducer: the manifest is one path-sorted sequence and the index one sorted file.
    job.setNumReduceTasks(1);
    job.setOutputFormatClass(PointOutputFormat.class);
    FileOutputFormat.setOutputPath(job, staging);
    return job;
  }

  /**
   * The point to compare with: for incremental (and auto, once the source has a point) the
   * latest point of the same source, for differential the latest full one; none for full. A
   * point whose manifest list or segments are missing or damaged is passed over for the one
   * before it, and when none is left the backup is a full one: damage in the repository must
   * never stop the next backup, which is what stores the lost data again. Checking a base reads
   * its segments once (SHA-256 only). Memory: one record per point of the repository.
   */
  static PointRecord chooseBase(Repository repository, List<PointRecord> points, Path source, PointType requested)
      throws IOException {
    if (requested == PointType.FULL) {
      return null;
    }
    List<PointRecord> candidates = new ArrayList<>();
    for (PointRecord p : points) {
      if (p.source().equals(source.toString()) && (requested != PointType.DIFFERENTIAL || p.type() == PointType.FULL)) {
        candidates.add(p);
      }
    }
    if (candidates.isEmpty() && requested != null) {
      throw new HbackupException("no earlier " + (requested == PointType.DIFFERENTIAL ? "full " : "")
          + "point of " + source + " to compare with; use --type full or --type auto");
    }
    for (int i = candidates.size() - 1; i >= 0; i--) {
      PointRecord candidate = candidates.get(i);
      String problem = damageOf(repository, candidate.id());
      if (problem == null) {
        return candidate;
      }
      LOG.warn("Point {} is damaged and is not used as a base: {}", candidate.id(), problem);
    }
    if (!candidates.isEmpty()) {
      LOG.warn("No undamaged point of {} to compare with: taking a full backup", source);
    }
    return null;
  }

  /** Why a point's manifest cannot be used (a list or segment missing or damaged), or null. */
  private static String damageOf(Repository repository, PointId point) throws IOException {
    try {
      ManifestList list = repository.readManifest(point);
      for (SegmentRef ref : list.segments()) {
        repository.openSegment(ref.id()).close();
      }
      return null;
    } catch (DamageException | UnsupportedFormatVersionException e) {
      return e.getMessage();
    }
  }

  /**
   * Opens the repository, creating one with defaults when the path does not exist (or holds only
   * what a creation killed before its end left); refuses a path that exists and is not a
   * repository, even an empty directory, so that a mistyped repository URI never turns an
   * unrelated directory into one.
   */
  private static NotARepositoryException notARepository(Path path) {
    return new NotARepositoryException(path + " exists and is not an hbackup repository;"
        + " back up into a new path, or create one there with 'hbackup init'");
  }

  static Repository openOrInit(Path path, Configuration conf) throws IOException {
    if (Repository.exists(path, conf)) {
      return Repository.open(path, conf);
    }
    if (path.getFileSystem(conf).exists(path) && !Repository.isUnfinished(path, conf)) {
      throw notARepository(path);
    }
    LOG.info("Creating repository at {}", path);
    return Repository.init(path, RepositoryConfig.create(Compression.ZSTD), conf);
  }
}
