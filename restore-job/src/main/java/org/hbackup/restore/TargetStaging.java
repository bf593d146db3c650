package org.hbackup.restore;

import java.io.FileNotFoundException;
import java.io.IOException;
import java.io.InputStream;
import java.time.Instant;
import java.util.UUID;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.regex.Pattern;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileStatus;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.apache.hadoop.fs.permission.FsPermission;
import org.apache.hadoop.security.UserGroupInformation;
import org.hbackup.common.HbackupException;
import org.hbackup.common.io.FileSystems;
import org.hbackup.common.io.Json;
import org.hbackup.common.io.PosixFiles;
import org.hbackup.common.io.ProcessIdentity;
import org.hbackup.common.repo.RepositoryLock;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The staging directory a restore keeps in its target's root while it runs (FORMAT.md,
 * "Restoring a point"), and what it tells another restore into that target. Its marker names the
 * restoring process and is refreshed while the restore runs, as a repository lock is: a staging
 * directory whose marker is fresh belongs to a restore still running, and no second restore
 * starts into that target, with or without {@code --overwrite}; one whose marker is stale (not
 * refreshed for {@code hbackup.lock.stale.seconds}, or its process gone from this host) was left
 * by a restore that did not finish, and {@code --overwrite} removes it. Everything else is the
 * user's, however it is named: a directory is taken for a staging directory only when its name,
 * owner, marker and contents are all what a restore makes, so a copy of one that a backup kept
 * and a restore brought back (holding the user's files) is never removed.
 */
final class TargetStaging implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(TargetStaging.class);
  static final String PREFIX = ".hbackup-restore-";
  /** The file each staging directory holds from its creation. */
  static final String MARKER = ".hbackup-staging";
  static final String FORMAT = "hbackup-restore-staging";
  static final int VERSION = 1;
  /** A marker is a few hundred bytes: anything longer is not read (a FIFO would block, a huge file fill the heap). */
  private static final int MAX_MARKER_BYTES = 4096;
  /** A staging directory holds a few files per task; one holding more is not looked through. */
  private static final int MAX_CHILDREN = 10_000;
  private static final Pattern NAME = Pattern.compile(Pattern.quote(PREFIX) + "[0-9a-f]{8}");
  /**
   * What restore tasks name what they write aside ({@code RestoreMapper}: m, task, a, attempt;
   * {@code RestoreReducer}: r, attempt; then a count), a local checksum file of one, and the
   * marker's own scratch file while it is written.
   */
  private static final Pattern ASIDE = Pattern.compile(
      "\\.?(m[0-9]+a[0-9]+|r[0-9]+)-[0-9]+(\\.crc)?|\\." + Pattern.quote(MARKER) + "\\.[0-9]+\\.tmp");

  /** What an entry of a target's root is to a restore. */
  enum State {
    /** The user's (or the point's): restored over with --overwrite like any entry, never removed. */
    NOT_STAGING,
    /** A running restore's: no other restore starts into the target. */
    LIVE,
    /** Left by a restore that did not finish: --overwrite removes it. */
    LEFTOVER
  }

  /** One entry of the target's root, as classified; {@code holder} describes the restore for messages. */
  record Found(Path path, State state, String holder) {
  }

  private final FileSystem fs;
  private final Path dir;
  private final long createdAt;
  /** The target file system's clock less this host's, so that refreshes are on the clock markers are judged by. */
  private final long skew;
  private final ScheduledExecutorService refresher;
  private final String point;

  private TargetStaging(FileSystem fs, Path dir, String point, long createdAt, long refreshSeconds) {
    this.fs = fs;
    this.dir = dir;
    this.point = point;
    this.createdAt = createdAt;
    this.skew = createdAt - System.currentTimeMillis();
    this.refresher = Executors.newSingleThreadScheduledExecutor(r -> {
      Thread t = new Thread(r, "hbackup-staging-refresh");
      t.setDaemon(true);
      return t;
    });
    refresher.scheduleWithFixedDelay(this::refresh, refreshSeconds, refreshSeconds, TimeUnit.SECONDS);
  }

  /**
   * Creates a staging directory in {@code target} (owner-only, under a random name, its marker
   * written first of all) and starts refreshing its marker.
   */
  static TargetStaging create(FileSystem fs, Path target, String point, Configuration conf) throws IOException {
    Path dir = new Path(target, PREFIX + UUID.randomUUID().toString().substring(0, 8));
    make(fs, dir, point);
    long createdAt = fs.getFileStatus(new Path(dir, MARKER)).getModificationTime();
    return new TargetStaging(fs, dir, point, createdAt, conf.getLong(RepositoryLock.REFRESH_EVERY,
        RepositoryLock.DEFAULT_REFRESH_EVERY_SECONDS));
  }

  Path path() {
    return dir;
  }

  /** The target file system's time when this staging directory was made: what others' markers are judged by. */
  long createdAt() {
    return createdAt;
  }

  /** Stops refreshing the marker; the directory stays (the reducer removes it, or it marks the target unfinished). */
  @Override
  public void close() {
    refresher.shutdownNow();
    try {
      refresher.awaitTermination(10, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  /**
   * Marks the directory as left by a restore that ended without finishing: its marker's time goes
   * back to the epoch, stale at once, so the next restore into the target is told it did not
   * finish (and --overwrite takes it as left over) even while this process still runs (a
   * restore called from a longer-lived program). A marker that cannot be changed is left to the
   * process check and the stale time.
   */
  void markUnfinished() {
    close();
    try {
      Path marker = new Path(dir, MARKER);
      fs.setTimes(marker, 0, -1);
      if (fs.getFileStatus(marker).getModificationTime() != 0) {
        // A store that ignores setTimes (S3A): the marker says so itself.
        rewriteMarker(fs, dir, point, true);
      }
    } catch (IOException | RuntimeException e) {
      LOG.warn("Could not mark {} as unfinished: {}", dir, e.getMessage());
    }
  }

  /** Removes the directory: only when nothing was written through it yet. */
  void delete() throws IOException {
    close();
    fs.delete(dir, true);
  }

  private void refresh() {
    try {
      Path marker = new Path(dir, MARKER);
      long now = System.currentTimeMillis() + skew;
      fs.setTimes(marker, now, -1);
      if (fs.getFileStatus(marker).getModificationTime() < now - 1000) {
        // A store that ignores setTimes (S3A) kept the creation time, and a restore running past
        // the stale time would be taken for one left over: write the marker again, which gives
        // it a new time (a PUT there is whole or nothing, as the marker must be).
        rewriteMarker(fs, dir, point, false);
      }
    } catch (IOException | RuntimeException e) {
      LOG.warn("Could not refresh {}: {}", new Path(dir, MARKER), e.getMessage());
    }
  }

  /** Creates the directory owner-only, checks that it is a real directory, and writes the marker. */
  private static void make(FileSystem fs, Path dir, String point) throws IOException {
    if (!fs.mkdirs(dir, new FsPermission(PosixFiles.OWNER_ONLY_DIRECTORY))
        || PosixFiles.kindOf(fs, dir) != PosixFiles.Kind.DIRECTORY) {
      throw new HbackupException("could not create the staging directory " + dir);
    }
    PosixFiles.setPermission(fs, dir, PosixFiles.OWNER_ONLY_DIRECTORY);
    writeMarker(fs, dir, point);
  }

  /** The marker names this process, so that a restore that died on this host is known at once. */
  private static void writeMarker(FileSystem fs, Path dir, String point) throws IOException {
    // Whole or not at all: a marker read half-written would not parse (and a directory without a
    // readable marker counts as live while it is young, below).
    FileSystems.writeAtomically(fs, new Path(dir, MARKER), markerBytes(point, false), dir);
  }

  /** Writes the marker again in place: only where setTimes is ignored (object stores, whose writes are whole). */
  private static void rewriteMarker(FileSystem fs, Path dir, String point, boolean unfinished) throws IOException {
    try (org.apache.hadoop.fs.FSDataOutputStream out = fs.create(new Path(dir, MARKER), true)) {
      out.write(markerBytes(point, unfinished));
    }
  }

  private static byte[] markerBytes(String point, boolean unfinished) throws IOException {
    ObjectNode root = Json.object();
    root.put("format", FORMAT);
    root.put("version", VERSION);
    root.put("point", point);
    ProcessIdentity.self().writeTo(root);
    root.put("user", UserGroupInformation.getCurrentUser().getShortUserName());
    root.put("created", Instant.now().toString());
    if (unfinished) {
      root.put("unfinished", true);
    }
    return Json.toBytes(root);
  }

  /**
   * Empties a staging directory of what failed attempts left, keeping the directory and its
   * marker (written again, naming this process, when missing): it never disappears while the
   * restore runs. It is made owner-only again, as a new one is (a directory another user owns
   * there refuses that).
   */
  static void empty(FileSystem fs, Path dir, String point) throws IOException {
    if (PosixFiles.kindOf(fs, dir) != PosixFiles.Kind.DIRECTORY) {
      make(fs, dir, point);
      return;
    }
    PosixFiles.setPermission(fs, dir, PosixFiles.OWNER_ONLY_DIRECTORY);
    for (FileStatus child : fs.listStatus(dir)) {
      if (!child.getPath().getName().equals(MARKER)) {
        fs.delete(child.getPath(), true);
      }
    }
    if (PosixFiles.kindOf(fs, new Path(dir, MARKER)) != PosixFiles.Kind.FILE) {
      writeMarker(fs, dir, point);
    }
  }

  /**
   * What an entry of the target's root is. A staging directory is named as a restore names one (8
   * hex digits), a directory (not a link) owned by this user, not holding the repository, and
   * holding nothing a restore does not write there. With a marker that a restore wrote: live while
   * refreshed within the stale time (judged on the target file system's clock, {@code now}) by a
   * process not known to be gone; left over otherwise. Without a readable marker, live while the
   * directory is younger than the stale time (a restore between its creation and its marker); the
   * user's otherwise.
   */
  static Found classify(FileSystem fs, FileStatus child, Path repository, long now, Configuration conf)
      throws IOException {
    Path path = child.getPath();
    Found user = new Found(path, State.NOT_STAGING, null);
    if (!NAME.matcher(path.getName()).matches() || PosixFiles.kindOf(fs, path) != PosixFiles.Kind.DIRECTORY
        || FileSystems.relativeUnder(path, repository, conf) != null) {
      return user;
    }
    FileStatus status = fs.getFileLinkStatus(path);
    if (!status.getOwner().equals(UserGroupInformation.getCurrentUser().getShortUserName())) {
      return user;
    }
    if (!holdsOnlyWhatARestoreWrites(fs, path)) {
      return user;
    }
    long staleMillis = conf.getLong(RepositoryLock.STALE_AFTER, RepositoryLock.DEFAULT_STALE_AFTER_SECONDS) * 1000;
    Marker marker = readMarker(fs, new Path(path, MARKER));
    if (marker == null) {
      return now - status.getModificationTime() <= staleMillis
          ? new Found(path, State.LIVE, "a restore that is creating it") : user;
    }
    String holder = "a restore of point " + marker.point + " (host " + marker.process.host() + ", process "
        + marker.process.pid() + ", since " + marker.created + ", last seen " + Instant.ofEpochMilli(marker.refreshed) + ")";
    // As a lock: a marker dated ahead of the target's clock by more than the stale time is stale.
    if (!marker.unfinished && Math.abs(now - marker.refreshed) <= staleMillis && !marker.process.knownGone()) {
      return new Found(path, State.LIVE, holder);
    }
    return new Found(path, State.LEFTOVER, holder);
  }

  private static boolean holdsOnlyWhatARestoreWrites(FileSystem fs, Path dir) throws IOException {
    int seen = 0;
    for (org.apache.hadoop.fs.RemoteIterator<FileStatus> it = fs.listStatusIterator(dir); it.hasNext(); ) {
      FileStatus child = it.next();
      String name = child.getPath().getName();
      if (++seen > MAX_CHILDREN || child.isDirectory()
          || !(name.equals(MARKER) || name.equals("." + MARKER + ".crc") || ASIDE.matcher(name).matches())) {
        return false;
      }
    }
    return true;
  }

  private record Marker(String point, ProcessIdentity process, String created, long refreshed, boolean unfinished) {
  }

  /** The marker a restore wrote, or null when there is none that reads as one. */
  private static Marker readMarker(FileSystem fs, Path file) throws IOException {
    FileStatus status;
    try {
      status = fs.getFileLinkStatus(file);
    } catch (FileNotFoundException e) {
      return null;
    }
    if (!status.isFile() || status.getLen() > MAX_MARKER_BYTES) {
      return null;
    }
    try (InputStream in = fs.open(file)) {
      JsonNode root = Json.parse(in, file.toString());
      Json.checkFormat(root, FORMAT, file.toString(), 1, VERSION);
      return new Marker(Json.requireText(root, "point", file.toString()),
          ProcessIdentity.readFrom(root, file.toString()),
          root.path("created").asText("?"), status.getModificationTime(), root.path("unfinished").asBoolean(false));
    } catch (IOException | RuntimeException e) {
      return null; // not a marker a restore wrote (or not whole yet: see classify)
    }
  }
}
