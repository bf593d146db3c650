package org.hbackup.restore;

import java.io.FileNotFoundException;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileStatus;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.FsStatus;
import org.apache.hadoop.fs.Path;
import org.apache.hadoop.fs.QuotaUsage;
import org.apache.hadoop.security.UserGroupInformation;
import org.apache.hadoop.util.StringUtils;
import org.hbackup.common.io.FileSystems;
import org.hbackup.common.io.PosixFiles;
import org.hbackup.common.manifest.EntryType;
import org.hbackup.common.manifest.ManifestEntry;
import org.hbackup.common.manifest.ManifestList;
import org.hbackup.common.manifest.ManifestReader;
import org.hbackup.common.manifest.ManifestTotals;
import org.hbackup.common.manifest.RelativePaths;
import org.hbackup.common.repo.Repository;

/**
 * What a restore would do and whether it can ({@code restore --dry-run}): the entries and bytes
 * it would write, and the reasons it would fail, found without writing anything: a target that is
 * not empty without {@code --overwrite}, no permission to create it, too little space or HDFS
 * quota, names the target cannot hold; also the entries {@code --overwrite} would replace and
 * those whose owner the restoring user cannot set. Streams the point's manifest once (memory: one
 * segment), with one status call per entry only when the target already holds something.
 */
public final class RestorePreflight {
  /** Longest name of one path component on the local file system and, by default, on HDFS. */
  static final int MAX_NAME_BYTES = 255;
  /** Examples of each finding kept for the report. */
  static final int EXAMPLES = 10;

  /** The findings. */
  public static final class Report {
    final ManifestTotals totals = new ManifestTotals();
    long existing;
    long ownershipNotApplicable;
    final List<String> existingExamples = new ArrayList<>();
    final List<String> problems = new ArrayList<>();
    final List<String> leftOver = new ArrayList<>();

    /** Staging directories that restores which did not finish left, which --overwrite removes first. */
    public List<String> leftOver() {
      return leftOver;
    }

    /** The entries and bytes the restore would write. */
    public ManifestTotals totals() {
      return totals;
    }

    /** Entries of the point the target already holds (replaced with --overwrite). */
    public long existing() {
      return existing;
    }

    public List<String> existingExamples() {
      return existingExamples;
    }

    /** Entries whose owner or group the restoring user may not set (restored as the user's). */
    public long ownershipNotApplicable() {
      return ownershipNotApplicable;
    }

    /** Why the restore would fail; empty when it would not. */
    public List<String> problems() {
      return problems;
    }

    private void problem(String p) {
      if (problems.size() < 50) {
        problems.add(p);
      }
    }
  }

  private RestorePreflight() {
  }

  public static Report check(Configuration conf, RestoreOptions options) throws IOException {
    Report r = new Report();
    Repository repository = Repository.open(options.repository(), conf);
    ManifestList manifest = repository.readManifest(repository.readPoint(options.point()));
    FileSystem fs = FileSystems.raw(options.target(), conf);
    Path target = fs.makeQualified(options.target());
    if (FileSystems.relativeUnder(repository.layout().root(), target, conf) != null) {
      r.problem("the target lies inside the repository");
    }
    boolean holdsEntries = checkTargetState(fs, target, repository.layout().root(), options.overwrite(), conf, r);
    // Entries the restore refuses, as its tasks would (RestoreMapper, RestoreTarget): a dry run
    // that predicted success for them was followed by a restore that exited 3 (a probe).
    String repositoryInTarget = FileSystems.relativeUnder(target, repository.layout().root(), conf);
    int refusedNames = 0;
    String user = UserGroupInformation.getCurrentUser().getShortUserName();
    boolean superuser = isSuperuser(fs, user, conf);
    PathSelection selection = new PathSelection(options.paths());
    int longNames = 0;
    try (ManifestReader reader = ManifestReader.all(repository::openSegment, manifest)) {
      for (ManifestEntry e = reader.next(); e != null; e = reader.next()) {
        if (!selection.selects(e.path())) {
          continue;
        }
        r.totals.add(e);
        if (!superuser && !e.owner().isEmpty() && !e.owner().equals(user)) {
          r.ownershipNotApplicable++;
        }
        String tooLong = longComponent(e.path());
        if (tooLong != null && longNames++ < EXAMPLES) {
          r.problem("'" + e.path() + "': the name '" + tooLong + "' is longer than " + MAX_NAME_BYTES
              + " bytes, which the target cannot hold");
        }
        if (repositoryInTarget != null && RelativePaths.isAtOrUnder(e.path(), repositoryInTarget)) {
          if (refusedNames++ < EXAMPLES) {
            r.problem("'" + e.path() + "': it would overwrite the repository, which lies at '" + repositoryInTarget
                + "' in the target; the restore refuses it");
          }
          continue;
        }
        PosixFiles.Kind there = holdsEntries && !e.path().isEmpty()
            ? kindOf(fs, RelativePaths.resolve(target, e.path())) : PosixFiles.Kind.MISSING;
        if (there == PosixFiles.Kind.DIRECTORY && e.type() != EntryType.DIRECTORY) {
          if (refusedNames++ < EXAMPLES) {
            r.problem("'" + e.path() + "': a directory is in the way in the target (never removed, even with"
                + " --overwrite); the restore refuses it");
          }
        } else if (there != PosixFiles.Kind.MISSING) {
          r.existing++;
          if (r.existingExamples.size() < EXAMPLES) {
            r.existingExamples.add(e.path());
          }
        }
      }
    }
    if (!options.paths().isEmpty() && r.totals.entries() == 0) {
      r.problem("no entry of point " + options.point() + " matches " + options.paths());
    }
    checkSpace(fs, target, r);
    return r;
  }

  /** Checks the target itself; returns whether it holds entries (so that each must be looked at). */
  private static boolean checkTargetState(FileSystem fs, Path target, Path repository, boolean overwrite,
      Configuration conf, Report r) throws IOException {
    FileStatus status;
    try {
      status = fs.getFileStatus(target);
    } catch (FileNotFoundException e) {
      if (exists(fs, target)) {
        r.problem("the target is a symlink to nothing");
        return false;
      }
      checkCreatable(fs, target, r);
      return false;
    } catch (org.apache.hadoop.fs.ParentNotDirectoryException e) {
      r.problem("a parent of the target is not a directory");
      return false;
    }
    if (!status.isDirectory()) {
      r.problem("the target exists and is not a directory");
      return false;
    }
    boolean holds = fs.listStatusIterator(target).hasNext();
    if (holds && !overwrite) {
      r.problem("the target is not empty; --overwrite would restore into it");
    }
    if (holds) {
      for (FileStatus child : fs.listStatus(target)) {
        TargetStaging.Found found = TargetStaging.classify(fs, child, repository, System.currentTimeMillis(), conf);
        if (found.state() == TargetStaging.State.LIVE) {
          r.problem("another restore is writing into the target: " + found.holder() + ", through "
              + found.path().getName());
        } else if (found.state() == TargetStaging.State.LEFTOVER && overwrite) {
          r.leftOver.add(found.path().getName());
        }
      }
    }
    if (!writable(fs, target)) {
      r.problem("the target directory is not writable by this user");
    }
    return holds;
  }

  /** The nearest existing ancestor must let this user create the target below it. */
  private static void checkCreatable(FileSystem fs, Path target, Report r) throws IOException {
    Path p = target.getParent();
    while (p != null && !exists(fs, p)) {
      p = p.getParent();
    }
    if (p == null) {
      return;
    }
    FileStatus nearest;
    try {
      nearest = fs.getFileStatus(p);
    } catch (FileNotFoundException e) {
      r.problem("cannot create the target: " + p + " is a symlink to nothing");
      return;
    }
    if (!nearest.isDirectory()) {
      r.problem("cannot create the target: " + p + " is not a directory");
    } else if (!writable(fs, p)) {
      r.problem("cannot create the target: " + p + " is not writable by this user");
    }
  }

  private static boolean writable(FileSystem fs, Path dir) throws IOException {
    if (PosixFiles.isLocal(fs)) {
      return java.nio.file.Files.isWritable(PosixFiles.local(dir));
    }
    try {
      fs.access(dir, org.apache.hadoop.fs.permission.FsAction.WRITE_EXECUTE);
      return true;
    } catch (org.apache.hadoop.security.AccessControlException e) {
      return false;
    }
  }

  private static boolean isSuperuser(FileSystem fs, String user, Configuration conf) {
    if (PosixFiles.isLocal(fs)) {
      return "root".equals(System.getProperty("user.name"));
    }
    // HDFS: the user that runs the NameNode, or a member of the superuser group.
    try {
      String group = conf.get("dfs.permissions.superusergroup", "supergroup");
      return java.util.Arrays.asList(UserGroupInformation.getCurrentUser().getGroupNames()).contains(group)
          || user.equals(fs.getFileStatus(new Path("/")).getOwner());
    } catch (IOException e) {
      return false;
    }
  }

  private static String longComponent(String path) {
    for (String part : path.split("/")) {
      if (part.getBytes(StandardCharsets.UTF_8).length > MAX_NAME_BYTES) {
        return part;
      }
    }
    return null;
  }

  /** What is at {@code p} in the target, not following a link; missing when a component on the way is a file. */
  private static PosixFiles.Kind kindOf(FileSystem fs, Path p) throws IOException {
    try {
      return PosixFiles.kindOf(fs, p);
    } catch (FileNotFoundException | java.nio.file.FileSystemException e) {
      return PosixFiles.Kind.MISSING;
    }
  }

  private static boolean exists(FileSystem fs, Path p) throws IOException {
    try {
      PosixFiles.linkStatus(fs, p);
      return true;
    } catch (FileNotFoundException | java.nio.file.NoSuchFileException e) {
      return false;
    } catch (java.nio.file.FileSystemException e) {
      // ENOTDIR: a component on the way is a file; checkCreatable names it.
      return false;
    }
  }

  /** Free space where the target would be, and on HDFS the space and name quotas on the way. */
  private static void checkSpace(FileSystem fs, Path target, Report r) throws IOException {
    Path existing = target;
    while (existing != null && !fs.exists(existing)) {
      existing = existing.getParent();
    }
    if (existing == null) {
      return;
    }
    short replication = PosixFiles.isLocal(fs) ? 1 : fs.getDefaultReplication(existing);
    long needed = r.totals.bytes() * replication;
    FsStatus status = fs.getStatus(existing);
    if (status.getRemaining() < needed) {
      r.problem("the target's file system has " + StringUtils.byteDesc(status.getRemaining()) + " free; the restore"
          + " writes " + StringUtils.byteDesc(needed) + (replication > 1 ? " (" + replication + " replicas)" : ""));
    }
    if (!(fs instanceof org.apache.hadoop.hdfs.DistributedFileSystem)) {
      return;
    }
    long entries = r.totals.entries();
    for (Path p = existing; p != null; p = p.getParent()) {
      QuotaUsage q;
      try {
        // Of a directory with a quota, HDFS answers from the quota it keeps; of one without, it
        // counts, which needs permission to list what lies below: then there is nothing to say.
        q = fs.getQuotaUsage(p);
      } catch (org.apache.hadoop.security.AccessControlException e) {
        continue;
      }
      if (q.getSpaceQuota() >= 0 && q.getSpaceConsumed() + needed > q.getSpaceQuota()) {
        r.problem("the space quota of " + p + " (" + StringUtils.byteDesc(q.getSpaceQuota()) + ", "
            + StringUtils.byteDesc(q.getSpaceConsumed()) + " used) cannot take " + StringUtils.byteDesc(needed));
      }
      if (q.getQuota() >= 0 && q.getFileAndDirectoryCount() + entries > q.getQuota()) {
        r.problem("the name quota of " + p + " (" + q.getQuota() + ", " + q.getFileAndDirectoryCount()
            + " used) cannot take " + entries + " more entries");
      }
    }
  }
}
