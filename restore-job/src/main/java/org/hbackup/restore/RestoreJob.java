package org.hbackup.restore;

import java.io.FileNotFoundException;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;

import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileStatus;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.apache.hadoop.fs.permission.FsPermission;
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
 * <p>Files are written in a staging directory inside the target, {@value #STAGING_PREFIX}
 * followed by a random id, owner-only; the reducer removes it, and so does the driver when the
 * job fails. One left behind by a killed restore marks the target as unfinished: a new restore
 * into it needs {@code --overwrite}, which first removes what the killed one left aside.
 */
public final class RestoreJob {
  private static final Logger LOG = LoggerFactory.getLogger(RestoreJob.class);
  /** The JSON report names at most this many failed files; the counter has the full number. */
  public static final int MAX_REPORTED_FAILURES = 10_000;
  /** Names of staging directories in a target's root. */
  public static final String STAGING_PREFIX = ".hbackup-restore-";

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
    String repositoryInTarget = checkTarget(targetFs, target, repository.layout().root(), conf);
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

    String workDir = conf.get(RestoreConfigKeys.WORK_DIR);
    Path workRoot = workDir != null ? new Path(workDir) : new Path(conf.get("hadoop.tmp.dir", "/tmp"), "hbackup");
    org.hbackup.job.JobSetup.requireOwnWorkRoot(conf, workRoot);
    Path work = FileSystem.get(conf).makeQualified(
        new Path(workRoot, "restore-" + options.point() + "-" + UUID.randomUUID()));
    FileSystem workFs = FileSystems.raw(work, conf);
    Path staging = new Path(target, STAGING_PREFIX + UUID.randomUUID().toString().substring(0, 8));
    try {
      if (PosixFiles.kindOf(targetFs, target) != PosixFiles.Kind.DIRECTORY) {
        throw new HbackupException("target " + target + " is no longer a directory (a link was put in its place while"
            + " the restore was planning); nothing was written");
      }
      makeStaging(targetFs, staging);
      conf.set(RestoreConfigKeys.STAGING, staging.toString());
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
      JobCompletion.Outcome outcome = JobCompletion.await(job, LOG.isInfoEnabled(), JobCompletion.notKnown(), "restore",
          (c, seconds) -> {
            long written = c.findCounter(RestoreCounters.BYTES_WRITTEN).getValue();
            return String.format(java.util.Locale.ROOT, "%,d%s%,d files%s, %s%s%s%s written, %s",
                c.findCounter(RestoreCounters.FILES).getValue(), of, record.files(), close, ProgressReporter.bytes(written),
                of, ProgressReporter.bytes(record.bytes()), close, ProgressReporter.rate(written, seconds));
          });
      if (!outcome.succeeded()) {
        throw new HbackupException("restore job " + job.getJobID() + " failed: " + JobSetup.failure(job));
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
      workFs.delete(work, true);
      // The reducer removed it when the job got that far; this covers a job that failed before.
      targetFs.delete(staging, true);
    }
  }

  /**
   * Checks the target before anything is written: it must not be or lie inside the repository,
   * and must be absent or empty unless overwriting. With {@code --overwrite}, removes what a
   * killed restore left aside. Returns where the repository lies inside the target, or null.
   */
  private String checkTarget(FileSystem fs, Path target, Path repository, Configuration conf) throws IOException {
    if (FileSystems.relativeUnder(repository, target, conf) != null) {
      throw new HbackupException("target " + target + " lies inside the repository " + repository
          + "; restore somewhere else");
    }
    String repositoryInTarget = FileSystems.relativeUnder(target, repository, conf);
    FileStatus status;
    try {
      status = fs.getFileStatus(target);
    } catch (FileNotFoundException e) {
      return repositoryInTarget;
    }
    if (!status.isDirectory()) {
      throw new HbackupException("target " + target + " exists and is not a directory");
    }
    List<Path> leftovers = new ArrayList<>();
    boolean otherEntries = false;
    for (FileStatus child : fs.listStatus(target)) {
      if (isLeftoverStaging(fs, child, repository, conf)) {
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
      LOG.info("Removing {}, left by a restore that did not finish", leftover);
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
      fs.mkdirs(target);
    }
    if (!PosixFiles.isLocal(fs)) {
      return fs.resolvePath(target);
    }
    return fs.makeQualified(new Path(target.toUri().getScheme(), target.toUri().getAuthority(),
        PosixFiles.local(target).toRealPath().toString()));
  }

  /** Creates the staging directory, owner-only, and checks that it is a real directory. */
  static void makeStaging(FileSystem fs, Path staging) throws IOException {
    if (!fs.mkdirs(staging, new FsPermission(PosixFiles.OWNER_ONLY_DIRECTORY))
        || PosixFiles.kindOf(fs, staging) != PosixFiles.Kind.DIRECTORY) {
      throw new HbackupException("could not create the staging directory " + staging);
    }
    PosixFiles.setPermission(fs, staging, PosixFiles.OWNER_ONLY_DIRECTORY);
    FileSystems.createOwnerOnly(fs, new Path(staging, STAGING_MARKER), false).close();
  }

  /**
   * Empties a staging directory of what failed attempts left, keeping the directory and its
   * marker (made when missing): it never disappears while the restore runs. It is made
   * owner-only again, as a new one is (a directory another user owns there refuses that).
   */
  static void emptyStaging(FileSystem fs, Path staging) throws IOException {
    if (PosixFiles.kindOf(fs, staging) != PosixFiles.Kind.DIRECTORY) {
      makeStaging(fs, staging);
      return;
    }
    PosixFiles.setPermission(fs, staging, PosixFiles.OWNER_ONLY_DIRECTORY);
    for (FileStatus child : fs.listStatus(staging)) {
      if (!child.getPath().getName().equals(STAGING_MARKER)) {
        fs.delete(child.getPath(), true);
      }
    }
    if (PosixFiles.kindOf(fs, new Path(staging, STAGING_MARKER)) != PosixFiles.Kind.FILE) {
      FileSystems.createOwnerOnly(fs, new Path(staging, STAGING_MARKER), false).close();
    }
  }

  /** The file each staging directory holds from its creation: what tells it from a user's directory. */
  static final String STAGING_MARKER = ".hbackup-staging";
  private static final java.util.regex.Pattern STAGING_NAME =
      java.util.regex.Pattern.compile(java.util.regex.Pattern.quote(STAGING_PREFIX) + "[0-9a-f]{8}");

  /**
   * Whether an entry of the target is a staging directory that a killed restore left: named as a
   * restore names one (8 hex digits), a directory (not a link), owned by this user, holding the
   * marker a restore writes first, and not holding the repository. Anything else is the user's,
   * however it is named: a prefix match deleted a user's directory named {@code
   * .hbackup-restore-mydata}, and a repository of that name, on {@code --overwrite} (a probe).
   */
  private static boolean isLeftoverStaging(FileSystem fs, FileStatus child, Path repository, Configuration conf)
      throws IOException {
    Path path = child.getPath();
    if (!STAGING_NAME.matcher(path.getName()).matches() || PosixFiles.kindOf(fs, path) != PosixFiles.Kind.DIRECTORY
        || PosixFiles.kindOf(fs, new Path(path, STAGING_MARKER)) != PosixFiles.Kind.FILE
        || FileSystems.relativeUnder(path, repository, conf) != null) {
      return false;
    }
    String owner = fs.getFileLinkStatus(path).getOwner();
    return owner.equals(org.apache.hadoop.security.UserGroupInformation.getCurrentUser().getShortUserName());
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
