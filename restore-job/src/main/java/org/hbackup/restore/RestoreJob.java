package org.hbackup.restore;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;

import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileStatus;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.apache.hadoop.io.BytesWritable;
import org.apache.hadoop.io.SequenceFile;
import org.apache.hadoop.io.Text;
import org.apache.hadoop.mapreduce.Counters;
import org.apache.hadoop.mapreduce.Job;
import org.apache.hadoop.mapreduce.lib.output.FileOutputFormat;
import org.apache.hadoop.mapreduce.lib.output.SequenceFileOutputFormat;
import org.hbackup.common.HbackupException;
import org.hbackup.common.OneLine;
import org.hbackup.common.io.FileSystems;
import org.hbackup.common.io.PosixFiles;
import org.hbackup.common.manifest.ManifestList;
import org.hbackup.common.repo.Repository;
import org.hbackup.common.repo.RepositoryLock;
import org.hbackup.job.FileWeights;
import org.hbackup.job.JobCompletion;
import org.hbackup.job.JobSetup;
import org.hbackup.job.ProgressReporter;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs one restore: checks the point and the target, plans the work ({@link RestorePlanner}),
 * runs the MapReduce job, and collects the report of failed and refused entries. Memory of the
 * driver: one manifest segment at a time while planning, and the reported failures.
 *
 * <p>Files are written in a staging directory inside the target ({@link TargetStaging}),
 * {@value #STAGING_PREFIX} followed by a random id, owner-only; the reducer removes it last. One
 * left behind by a restore that was killed or failed marks the target as unfinished: a new
 * restore into it needs {@code --overwrite}, which first removes what the other one left aside;
 * one whose restore still runs refuses every other restore into the target.
 */
public final class RestoreJob {
  private static final Logger LOG = LoggerFactory.getLogger(RestoreJob.class);
  /** The JSON report names at most this many failed files; the counter has the full number. */
  public static final int MAX_REPORTED_FAILURES = 10_000;
  /** Names of staging directories in a target's root. */
  public static final String STAGING_PREFIX = TargetStaging.PREFIX;

  private final Configuration baseConf;
  private final RestoreOptions options;

  public RestoreJob(Configuration conf, RestoreOptions options) {
    this.baseConf = conf;
    this.options = options;
  }

  public RestoreResult run() throws IOException, InterruptedException {
    Configuration conf = new Configuration(baseConf);
    Repository repository = Repository.open(options.repository(), conf);
    RepositoryLock lock = sharedLock(repository, conf);
    try {
      return restore(conf, repository);
    } finally {
      if (lock != null) {
        lock.close();
      }
    }
  }

  /**
   * A shared lock, so that no prune or repair changes the repository under the restore. A
   * repository the restoring user may not write to (a read-only copy) is restored without one.
   */
  private static RepositoryLock sharedLock(Repository repository, Configuration conf) throws IOException {
    return RepositoryLock.sharedUnlessReadOnly(repository, "restore", "Restoring", conf);
  }

  private RestoreResult restore(Configuration conf, Repository repository) throws IOException, InterruptedException {
    long started = System.currentTimeMillis();
    ManifestList manifest = repository.readManifest(repository.readPoint(options.point()));
    FileSystem targetFs = FileSystems.raw(options.target(), conf);
    Path given = targetFs.makeQualified(options.target());
    if (FileSystems.relativeUnder(repository.layout().root(), given, conf) != null) {
      throw new HbackupException("target " + given + " lies inside the repository " + repository.layout().root()
          + "; restore somewhere else");
    }
    boolean existed = targetFs.exists(given);
    Path target = resolvedTarget(targetFs, given);
    try {
      return restoreInto(conf, repository, manifest, targetFs, target, started);
    } catch (IOException | RuntimeException | InterruptedException e) {
      if (!existed) {
        removeIfEmpty(targetFs, target);
      }
      throw e;
    }
  }

  /**
   * A restore that fails before it wrote anything leaves no trace: the target it made (at
   * resolution, so that nothing can be planted there) goes again, when it is still empty.
   */
  private static void removeIfEmpty(FileSystem fs, Path target) {
    try {
      if (PosixFiles.kindOf(fs, target) == PosixFiles.Kind.DIRECTORY && fs.listStatus(target).length == 0) {
        fs.delete(target, false);
      }
    } catch (IOException e) {
      LOG.warn("Could not remove the empty target {} this restore made: {}", target, OneLine.of(e));
    }
  }

  private RestoreResult restoreInto(Configuration conf, Repository repository, ManifestList manifest,
      FileSystem targetFs, Path target, long started) throws IOException, InterruptedException {
    if (PosixFiles.kindOf(targetFs, target) != PosixFiles.Kind.DIRECTORY) {
      throw new HbackupException("target " + target + " exists and is not a directory");
    }
    if (FileSystems.relativeUnder(repository.layout().root(), target, conf) != null) {
      throw new HbackupException("target " + target + " lies inside the repository " + repository.layout().root()
          + "; restore somewhere else");
    }
    // Made before the target is looked at: another restore starting now sees it and refuses, and
    // its marker's time is the target file system's clock, which others' markers are judged by.
    TargetStaging staging = TargetStaging.create(targetFs, target, options.point().toString(), conf);
    boolean submitted = false;
    String workDir = conf.get(RestoreConfigKeys.WORK_DIR);
    Path workRoot = workDir != null ? new Path(workDir) : new Path(conf.get("hadoop.tmp.dir", "/tmp"), "hbackup");
    Path work = null;
    FileSystem workFs = null;
    try {
      String repositoryInTarget = checkTarget(targetFs, target, repository.layout().root(), staging, conf);
      RestoreOptions qualified = options.toBuilder().repository(repository.layout().root()).target(target).build();
      qualified.writeTo(conf);
      if (repositoryInTarget != null) {
        conf.set(RestoreConfigKeys.REPOSITORY_IN_TARGET, repositoryInTarget);
      }

      RestorePlanner.Plan plan = new RestorePlanner(repository, new PathSelection(options.paths()),
          FileWeights.setting(conf, RestoreConfigKeys.FILE_WEIGHT_BYTES, target),
          conf.getInt(RestoreConfigKeys.MAX_MAPS, RestoreConfigKeys.DEFAULT_MAX_MAPS),
          conf.getLong(RestoreConfigKeys.MIN_SPLIT_BYTES, RestoreConfigKeys.DEFAULT_MIN_SPLIT_BYTES))
          .plan(manifest, options.point().toString());
      for (RestoreResult.Failure f : plan.damagedSegments) {
        LOG.warn("Damaged manifest segment, its entries are not restored: {}: {}", f.path(), f.reason());
      }

      org.hbackup.job.JobSetup.requireOwnWorkRoot(conf, workRoot);
      work = FileSystem.get(conf).makeQualified(
          new Path(workRoot, "restore-" + options.point() + "-" + UUID.randomUUID()));
      workFs = FileSystems.raw(work, conf);
      // Owner-only, naming this process: a later run removes it if this one is killed.
      org.hbackup.common.io.WorkDirectories.create(workFs, work);
      if (PosixFiles.kindOf(targetFs, target) != PosixFiles.Kind.DIRECTORY) {
        throw new HbackupException("target " + target + " is no longer a directory (a link was put in its place while"
            + " the restore was planning); nothing was written");
      }
      conf.set(RestoreConfigKeys.STAGING, staging.path().toString());
      Path splits = new Path(work, "splits");
      RestorePlanner.write(workFs, splits, plan.splits);
      conf.set(RestoreConfigKeys.PLANNED_SPLITS, splits.toString());
      Path report = new Path(work, "report");
      Job job = configure(conf, report);
      LOG.info("Restoring point {} from {} into {}", options.point(), repository.layout().root(), target);
      // What the point holds; a restore of selected paths writes part of it.
      org.hbackup.common.point.PointRecord record = repository.readPoint(options.point());
      String of = options.paths().isEmpty() ? " of " : " (the point holds ";
      String close = options.paths().isEmpty() ? "" : ")";
      submitted = true;
      JobCompletion.Outcome outcome = JobCompletion.await(job, LOG.isInfoEnabled(), JobCompletion.notKnown(), "restore",
          (c, seconds) -> {
            long written = c.findCounter(RestoreCounters.BYTES_WRITTEN).getValue();
            return String.format(java.util.Locale.ROOT, "%,d%s%,d files%s, %s%s%s%s written, %s",
                c.findCounter(RestoreCounters.FILES).getValue(), of, record.files(), close, ProgressReporter.bytes(written),
                of, ProgressReporter.bytes(record.bytes()), close, ProgressReporter.rate(written, seconds));
          });
      if (!outcome.succeeded()) {
        throw new HbackupException("restore job " + job.getJobID() + " failed: " + JobSetup.failure(job)
            + unfinished(targetFs, target, staging));
      }
      if (outcome.counters() == null) {
        // What failed is in the report files, read below; only the figures are missing.
        LOG.warn("Restore job {} finished but its counters could not be read ({}): its figures read 0",
            job.getJobID(), outcome.lostTrack());
      }
      List<RestoreResult.Failure> failures = new ArrayList<>(plan.damagedSegments);
      readFailures(workFs, report, conf, failures);
      return new RestoreResult(options.point(), outcome.counters() == null ? new Counters() : outcome.counters(),
          failures, plan.filesInDamagedSegments, System.currentTimeMillis() - started);
    } catch (ClassNotFoundException e) {
      throw new HbackupException("restore job could not load a class: " + e.getMessage(), e);
    } finally {
      staging.close();
      if (workFs != null) {
        try {
          workFs.delete(work, true);
        } catch (IOException e) {
          // The staging directory below matters more than a work directory left for the next run.
          LOG.warn("Could not remove the work directory {}: {}", work, e.getMessage());
        }
      }
      if (!submitted) {
        staging.delete(); // nothing was written through it
      } else if (targetFs.exists(staging.path())) {
        staging.markUnfinished();
      }
      // Else the reducer removed it when the job got that far. A job that failed keeps it: what it
      // wrote is in the target, which a later restore must be told did not finish (a failure
      // removed it once, and left a partial target that looked whole).
    }
  }

  /** What the message of a failed job adds: where the target stands. */
  private static String unfinished(FileSystem fs, Path target, TargetStaging staging) {
    try {
      if (!fs.exists(staging.path())) {
        return "";
      }
    } catch (IOException e) {
      return "";
    }
    return "; " + target + " holds what the restore wrote (its staging directory " + staging.path().getName()
        + " marks it unfinished): a restore with --overwrite finishes it";
  }

  /**
   * Checks the target before anything is written: it must not be or lie inside the repository,
   * and must be empty but for {@code ours} unless overwriting; no other restore may be running
   * into it. With {@code --overwrite}, removes what a restore that did not finish left aside.
   * Returns where the repository lies inside the target, or null.
   */
  private String checkTarget(FileSystem fs, Path target, Path repository, TargetStaging ours, Configuration conf)
      throws IOException {
    if (FileSystems.relativeUnder(repository, target, conf) != null) {
      throw new HbackupException("target " + target + " lies inside the repository " + repository
          + "; restore somewhere else");
    }
    String repositoryInTarget = FileSystems.relativeUnder(target, repository, conf);
    List<Path> leftovers = new ArrayList<>();
    boolean otherEntries = false;
    for (FileStatus child : fs.listStatus(target)) {
      if (child.getPath().getName().equals(ours.path().getName())) {
        continue;
      }
      TargetStaging.Found found = TargetStaging.classify(fs, child, repository, ours.createdAt(), conf);
      if (found.state() == TargetStaging.State.LIVE) {
        throw new HbackupException("another restore is writing into target " + target + ": " + found.holder()
            + ", through " + found.path().getName() + "; two restores never run into one target at once. If it"
            + " died, its staging directory counts as left over once its process is gone from this host, or"
            + " after " + conf.getLong(RepositoryLock.STALE_AFTER, RepositoryLock.DEFAULT_STALE_AFTER_SECONDS)
            + " s without a refresh");
      }
      if (found.state() == TargetStaging.State.LEFTOVER) {
        leftovers.add(child.getPath());
      } else {
        otherEntries = true;
      }
    }
    if (!options.overwrite() && !leftovers.isEmpty()) {
      throw new HbackupException("target " + target + " holds what a restore that did not finish left ("
          + leftovers.get(0).getName() + "); use --overwrite to restore into it again");
    }
    if (!options.overwrite() && otherEntries) {
      throw new HbackupException("target " + target + " is not empty; use --overwrite to restore into it");
    }
    for (Path leftover : leftovers) {
      LOG.warn("Removing {}, left by a restore that did not finish", leftover);
      fs.delete(leftover, true);
    }
    return repositoryInTarget;
  }

  /**
   * The target with the links on the way to it resolved, once, here: a target given as a link
   * (to a larger disk, say) is the directory it names, and from there on nothing below the
   * target is ever followed (FORMAT.md, "Restoring a point").
   */
  private static Path resolvedTarget(FileSystem fs, Path target) throws IOException {
    // Made now, not after planning: a link planted at its name in the meantime (in a directory
    // others may write to) would otherwise take every file of the restore elsewhere.
    if (!fs.exists(target)) {
      if (PosixFiles.kindOf(fs, target) == PosixFiles.Kind.SYMLINK) {
        throw new HbackupException("target " + target + " is a symlink to nothing; nothing was written");
      }
      fs.mkdirs(target);
    }
    if (!PosixFiles.isLocal(fs)) {
      return fs.resolvePath(target);
    }
    return fs.makeQualified(new Path(target.toUri().getScheme(), target.toUri().getAuthority(),
        PosixFiles.local(target).toRealPath().toString()));
  }

  private Job configure(Configuration conf, Path report) throws IOException {
    JobSetup.applyDefaults(conf);
    Job job = Job.getInstance(conf, "hbackup restore " + options.point());
    JobSetup.setJar(job, RestoreJob.class);
    job.setInputFormatClass(ManifestInputFormat.class);
    job.setMapperClass(RestoreMapper.class);
    job.setMapOutputKeyClass(RestoreKey.class);
    job.setMapOutputValueClass(BytesWritable.class);
    job.setReducerClass(RestoreReducer.class);
    // One reducer: symlinks come after every map task, and directories must be finished deepest
    // first across the whole tree.
    job.setNumReduceTasks(1);
    job.setOutputKeyClass(Text.class);
    job.setOutputValueClass(Text.class);
    // A SequenceFile: paths may hold tabs and newlines, which a text report would split.
    job.setOutputFormatClass(SequenceFileOutputFormat.class);
    FileOutputFormat.setOutputPath(job, report);
    return job;
  }

  private static void readFailures(FileSystem fs, Path report, Configuration conf, List<RestoreResult.Failure> into)
      throws IOException {
    Text path = new Text();
    Text reason = new Text();
    for (FileStatus s : fs.listStatus(report, p -> p.getName().startsWith("part-"))) {
      try (SequenceFile.Reader in = new SequenceFile.Reader(conf, SequenceFile.Reader.file(s.getPath()))) {
        while (into.size() < MAX_REPORTED_FAILURES && in.next(path, reason)) {
          into.add(new RestoreResult.Failure(path.toString(), reason.toString()));
        }
      }
    }
  }
}
