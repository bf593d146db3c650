package org.hbackup.common.repo;

import java.io.FileNotFoundException;
import java.io.IOException;
import java.io.InputStream;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FSDataOutputStream;
import org.apache.hadoop.fs.FileStatus;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.apache.hadoop.fs.permission.FsPermission;
import org.hbackup.common.DamageException;
import org.hbackup.common.HbackupException;
import org.hbackup.common.id.PointId;
import org.hbackup.common.io.FileSystems;
import org.hbackup.common.io.Json;
import org.hbackup.common.io.ProcessIdentity;
import org.hbackup.common.io.PosixFiles;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A lock on a repository: a small file {@code locks/<id>.json} naming its holder (command, host,
 * process, user, time, and for a backup the point it writes), whose modification time the holder
 * refreshes while it runs (FORMAT.md, "Locks"). Backups, restores and verify take shared locks;
 * repair and prune take an exclusive one. A lock not refreshed for {@link #STALE_AFTER} (default
 * 30 minutes, as restic), or whose process is gone from this host, is stale: it blocks no one and
 * may be removed.
 *
 * <p>Taking a lock writes it first, then reads every other lock: two exclusive takers that race
 * each see the other and both back off, so two exclusive holders never both proceed. Creation
 * never overwrites, which is atomic on HDFS and the local file system. On a store without atomic
 * create (S3A) two takers could still both create, but each still sees the other afterwards.
 */
public final class RepositoryLock implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(RepositoryLock.class);
  public static final String FORMAT = "hbackup-lock";
  public static final int VERSION = 1;
  public static final String DIRECTORY = "locks";
  /** The largest lock file read; hbackup's are a few hundred bytes. */
  static final long MAX_LOCK_BYTES = 64 * 1024;

  /** How long a lock may go without a refresh before it is stale, in seconds. */
  public static final String STALE_AFTER = "hbackup.lock.stale.seconds";
  public static final long DEFAULT_STALE_AFTER_SECONDS = 30 * 60;
  /** How often a holder refreshes its lock, in seconds. */
  public static final String REFRESH_EVERY = "hbackup.lock.refresh.seconds";
  public static final long DEFAULT_REFRESH_EVERY_SECONDS = 5 * 60;
  /** How long to wait for a conflicting lock to go before giving up, in seconds (0: do not wait). */
  public static final String WAIT = "hbackup.lock.wait.seconds";
  /**
   * Test only: take the lock without looking for conflicting ones, as a writer that ignores the
   * protocol would, so that tests can show what prune does about such a writer.
   */
  public static final String TEST_IGNORE_CONFLICTS = "hbackup.test.lock.ignore";

  /** Who may hold the repository alongside whom. */
  public enum Mode {
    SHARED, EXCLUSIVE
  }

  /** What a lock file says about its holder. */
  public record Holder(String id, Mode mode, String command, String point, ProcessIdentity process,
      String user, Instant created, Instant refreshed, Path file) {
    public String host() {
      return process.host();
    }

    public long pid() {
      return process.pid();
    }

    /** One phrase naming the holder, for an error message. */
    public String describe() {
      return command + " (" + mode.name().toLowerCase(java.util.Locale.ROOT) + " lock " + id + ", user " + user
          + ", host " + process.host() + ", process " + process.pid() + ", since " + created + ", refreshed "
          + refreshed + ")";
    }
  }

  private final FileSystem fs;
  private final Path file;
  private final Holder holder;
  private final ScheduledExecutorService refresher;
  /** Set when a refresh found the lock file gone: the lock is no longer held. */
  private volatile boolean lost;
  /** When {@link #checkHeld} last found the lock file there ({@link System#nanoTime}). */
  private volatile long confirmedAt = System.nanoTime();

  private RepositoryLock(FileSystem fs, Path file, Holder holder, long refreshSeconds) {
    this.fs = fs;
    this.file = file;
    this.holder = holder;
    this.refresher = Executors.newSingleThreadScheduledExecutor(r -> {
      Thread t = new Thread(r, "hbackup-lock-refresh");
      t.setDaemon(true);
      return t;
    });
    refresher.scheduleWithFixedDelay(this::refresh, refreshSeconds, refreshSeconds, TimeUnit.SECONDS);
  }

  public static Path directory(Repository repository) {
    return new Path(repository.layout().root(), DIRECTORY);
  }

  /**
   * A shared lock for a reader, or null when this user may not write the repository's locks (a
   * read-only copy, an HDFS snapshot of a repository): the reader goes on without one, and says
   * so as {@code doing} ("Restoring", "Verifying"). verify failed there with only a lock file's
   * path for a message, where restore went on (found by a probe).
   */
  public static RepositoryLock sharedUnlessReadOnly(Repository repository, String command, String doing,
      Configuration conf) throws IOException {
    try {
      return acquire(repository, Mode.SHARED, command, null, conf);
    } catch (org.apache.hadoop.security.AccessControlException | java.nio.file.AccessDeniedException
        | java.nio.file.ReadOnlyFileSystemException e) {
      LOG.warn("{} without a lock: the repository's locks cannot be written ({})", doing,
          org.hbackup.common.OneLine.of(e));
      return null;
    } catch (FileNotFoundException e) {
      // Hadoop's local file system reports a directory it may not write to as "not found".
      if (e.getMessage() != null && e.getMessage().contains("Permission denied")) {
        LOG.warn("{} without a lock: the repository's locks cannot be written ({})", doing,
            org.hbackup.common.OneLine.of(e));
        return null;
      }
      throw e;
    }
  }

  /**
   * Takes a lock, or fails with {@link LockConflictException} naming the holder of a live lock
   * that conflicts (after waiting up to {@link #WAIT} seconds for it to go).
   */
  public static RepositoryLock acquire(Repository repository, Mode mode, String command, PointId point,
      Configuration conf) throws IOException {
    FileSystem fs = repository.fileSystem();
    Path dir = directory(repository);
    repository.checkOwnDirectories(); // taking a lock removes stale ones: never through a link
    fs.mkdirs(dir, new FsPermission(PosixFiles.OWNER_ONLY_DIRECTORY));
    long deadline = System.currentTimeMillis() + conf.getLong(WAIT, 0) * 1000;
    while (true) {
      String id = UUID.randomUUID().toString().replace("-", "");
      Instant now = Instant.now();
      Holder holder = new Holder(id, mode, command, point == null ? null : point.toString(), ProcessIdentity.self(),
          currentUser(), now, now, new Path(dir, id + ".json"));
      write(fs, holder);
      Optional<Holder> conflict;
      boolean taken = false;
      try {
        conflict = conf.getBoolean(TEST_IGNORE_CONFLICTS, false) ? Optional.empty()
            : conflicting(fs, dir, holder, conf);
        if (conflict.isEmpty()) {
          taken = true;
          return new RepositoryLock(fs, holder.file(), holder,
              conf.getLong(REFRESH_EVERY, DEFAULT_REFRESH_EVERY_SECONDS));
        }
      } finally {
        if (!taken) {
          fs.delete(holder.file(), false);
        }
      }
      if (System.currentTimeMillis() >= deadline) {
        throw new LockConflictException("repository " + repository.layout().root() + " is locked by "
            + conflict.get().describe() + "; " + (conflict.get().mode() == Mode.EXCLUSIVE
            ? "wait for it to finish" : "wait for it to finish, or run this again when it has")
            + (conflict.get().process().pid() < 0
                ? " (an unreadable lock file: once no hbackup command runs on this repository, 'hbackup unlock"
                    + " --remove-all' removes it; 'hbackup unlock' does once it is stale)"
                : " (if it died, 'hbackup unlock' removes its lock once it is stale)"));
      }
      sleep(Math.min(5000, Math.max(100, deadline - System.currentTimeMillis())));
    }
  }

  /** The live lock that conflicts with {@code mine}, if there is one. */
  private static Optional<Holder> conflicting(FileSystem fs, Path dir, Holder mine, Configuration conf)
      throws IOException {
    List<FileStatus> scratch = new ArrayList<>();
    List<Holder> holders = list(fs, dir, scratch);
    // The file system's clock, not this host's: the time our own lock file was just given.
    long now = System.currentTimeMillis();
    for (Holder h : holders) {
      if (h.id().equals(mine.id())) {
        now = h.refreshed().toEpochMilli();
      }
    }
    long staleMillis = conf.getLong(STALE_AFTER, DEFAULT_STALE_AFTER_SECONDS) * 1000;
    for (FileStatus s : scratch) {
      // A lock written aside by a taker killed before it gave the file its name (or removed the
      // copy after): as old as a stale lock, it is no one's. (Not a probe of the clock, which
      // its writer removes at once.)
      if (now - s.getModificationTime() > staleMillis) {
        fs.delete(s.getPath(), false);
      }
    }
    for (Holder other : holders) {
      if (other.id().equals(mine.id())) {
        continue;
      }
      if (isStale(other, conf, now)) {
        // Blocks no one; taken over by removing it, so that dead locks do not pile up.
        LOG.info("Removing stale lock of {}", other.describe());
        fs.delete(other.file(), false);
        continue;
      }
      if (mine.mode() == Mode.EXCLUSIVE || other.mode() == Mode.EXCLUSIVE) {
        return Optional.of(other);
      }
    }
    return Optional.empty();
  }

  /** Every lock file of the repository that can be read; a damaged one counts as a live exclusive lock until stale. */
  public static List<Holder> list(Repository repository) throws IOException {
    repository.checkOwnDirectories(); // callers remove what it lists
    return list(repository.fileSystem(), directory(repository));
  }

  private static List<Holder> list(FileSystem fs, Path dir) throws IOException {
    return list(fs, dir, new ArrayList<>());
  }

  /**
   * The lock files of {@code dir}; files there that are not lock files go to {@code others}.
   * Directories are neither.
   */
  private static List<Holder> list(FileSystem fs, Path dir, List<FileStatus> others) throws IOException {
    List<Holder> holders = new ArrayList<>();
    FileStatus[] files;
    try {
      files = fs.listStatus(dir);
    } catch (FileNotFoundException e) {
      return holders;
    }
    for (FileStatus f : files) {
      if (f.isDirectory()) {
        // Never a lock (locks are files), whatever its name: it blocks no one, and is not
        // removed (a non-empty one cannot be by a file delete, which made every command fail).
        LOG.warn("{} is a directory, not a lock: ignored", f.getPath());
        continue;
      }
      if (!f.getPath().getName().endsWith(".json")) {
        if (f.isFile()) {
          others.add(f);
        }
        continue;
      }
      try {
        holders.add(read(fs, f));
      } catch (FileNotFoundException e) {
        continue; // released since the listing
      } catch (DamageException | org.hbackup.common.UnsupportedFormatVersionException e) {
        // Unreadable: it might be a taker's lock half-written by a store without atomic create,
        // or a lock of another hbackup version, so it blocks like an exclusive lock until it is
        // stale by its time (failing here would stop every command, unlock included, for good).
        Instant at = Instant.ofEpochMilli(f.getModificationTime());
        holders.add(new Holder(f.getPath().getName(), Mode.EXCLUSIVE, "unknown (unreadable lock file: "
            + e.getMessage() + ")", null, new ProcessIdentity("?", -1, 0, "", ""), f.getOwner(), at, at, f.getPath()));
      }
    }
    return holders;
  }

  /**
   * Whether a lock blocks no one: not refreshed for the stale time, or held by a process known to
   * be gone (same host, boot and PID namespace as this one, and no process with its id and start
   * time runs).
   */
  public static boolean isStale(Holder h, Configuration conf, long fileSystemNow) {
    long staleMillis = conf.getLong(STALE_AFTER, DEFAULT_STALE_AFTER_SECONDS) * 1000;
    // Ahead of the repository's clock by more than the stale time is stale too: a live holder sets
    // its times on that clock, so only a clock that was wrong and was set back (or a hand-made
    // file) dates a lock so far ahead, and such a lock would otherwise block until that date.
    return Math.abs(fileSystemNow - h.refreshed().toEpochMilli()) > staleMillis || h.process().knownGone();
  }

  /**
   * The repository's clock: the modification time the file system gives a file it creates now
   * (a probe in {@code locks/}, removed at once). Lock times are set and judged on this clock
   * alone, so hosts whose clocks disagree still agree on which locks are stale (FORMAT.md,
   * "Locks").
   */
  public static long fileSystemNow(Repository repository) throws IOException {
    FileSystem fs = repository.fileSystem();
    Path dir = directory(repository);
    fs.mkdirs(dir, new FsPermission(PosixFiles.OWNER_ONLY_DIRECTORY));
    return fileSystemNow(fs, dir);
  }

  private static long fileSystemNow(FileSystem fs, Path dir) throws IOException {
    Path probe = new Path(dir, ".clock-" + UUID.randomUUID());
    try {
      FileSystems.createOwnerOnly(fs, probe, false).close();
      return fs.getFileStatus(probe).getModificationTime();
    } finally {
      fs.delete(probe, false);
    }
  }

  /** Removes one lock file; returns whether it was there. */
  public static boolean remove(Repository repository, Holder h) throws IOException {
    return repository.fileSystem().delete(h.file(), false);
  }

  public Holder holder() {
    return holder;
  }

  /**
   * Fails, naming the step it stops before, when this lock is no longer held: its file is gone,
   * taken over as stale (a holder paused past the stale time, or a taker whose clock is ahead) or
   * removed by {@code hbackup unlock}. Another process may then be changing the repository, so a
   * holder that publishes or deletes calls this before each such step; what it did before stays
   * harmless by FORMAT.md's order, what it has not done yet is left to a later run.
   */
  public void checkHeld(String step) throws IOException {
    if (!lost && fs.exists(file)) {
      confirmedAt = System.nanoTime();
      return;
    }
    lost = true;
    throw new LockLostException("the repository lock " + file + " of " + holder.command() + " is gone (taken over"
        + " as stale, or removed by 'hbackup unlock') and another process may be changing the repository: stopped"
        + " before " + step + "; run " + holder.command() + " again");
  }

  /**
   * As {@link #checkHeld}, for a step repeated many times (each delete of a long list): asks the
   * file system only when the last confirmation is older than {@code seconds}, and fails at once
   * when the refresher found the lock gone. A lock taken over in the middle of a delete phase
   * stops the phase within that time, not at its end.
   */
  public void checkHeldWithin(long seconds, String step) throws IOException {
    if (!lost && System.nanoTime() - confirmedAt < TimeUnit.SECONDS.toNanos(seconds)) {
      return;
    }
    checkHeld(step);
  }

  /** Moves the lock's time forward, so that others see it is alive. */
  private void refresh() {
    try {
      long now = fileSystemNow(fs, file.getParent());
      fs.setTimes(file, now, -1);
      if (fs.getFileStatus(file).getModificationTime() < now - 1000) {
        // A store that ignores setTimes (S3A): write the lock again, which gives it a new time.
        write(fs, holder, true);
      }
    } catch (FileNotFoundException e) {
      lost = true;
      LOG.error("Lock {} was removed while {} still runs: another process may now change the repository",
          file, holder.command());
    } catch (IOException | RuntimeException e) {
      LOG.warn("Could not refresh lock {}: {}", file, e.getMessage());
    }
  }

  /**
   * Stops the refresher, waiting for a refresh under way, then removes the lock file: a refresh
   * that wrote the lock again (object stores) after the delete would leave a lock of a process
   * that is gone, blocking every exclusive command until it is stale.
   */
  @Override
  public void close() throws IOException {
    refresher.shutdownNow();
    try {
      if (!refresher.awaitTermination(CLOSE_WAIT_SECONDS, TimeUnit.SECONDS)) {
        LOG.warn("Lock {}: a refresh is still running after {} s; removing the lock anyway", file, CLOSE_WAIT_SECONDS);
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    fs.delete(file, false);
  }

  /** How long {@link #close} waits for a refresh under way (one small write). */
  private static final long CLOSE_WAIT_SECONDS = 60;

  private static void write(FileSystem fs, Holder h) throws IOException {
    write(fs, h, false);
  }

  private static void write(FileSystem fs, Holder h, boolean overwrite) throws IOException {
    ObjectNode root = Json.object();
    root.put("format", FORMAT);
    root.put("version", VERSION);
    root.put("id", h.id());
    root.put("mode", h.mode().name().toLowerCase(java.util.Locale.ROOT));
    root.put("command", h.command());
    if (h.point() == null) {
      root.putNull("point");
    } else {
      root.put("point", h.point());
    }
    h.process().writeTo(root);
    root.put("user", h.user());
    root.put("created", h.created().toString());
    byte[] content = Json.toBytes(root);
    if (!overwrite) {
      // Written aside (a name that is not *.json, so no taker lists it), then given its name,
      // never replacing one: created in place, a taker listing locks/ between the create and the
      // write would read an empty file and take it for a live exclusive lock.
      FileSystems.writeAtomically(fs, h.file(), content, h.file().getParent());
      return;
    }
    try (FSDataOutputStream out = FileSystems.createOwnerOnly(fs, h.file(), true)) {
      out.write(content);
      FileSystems.sync(out);
    }
  }

  private static Holder read(FileSystem fs, FileStatus f) throws IOException {
    String name = f.getPath().toString();
    if (f.getLen() > MAX_LOCK_BYTES
        || (PosixFiles.isLocal(fs) && PosixFiles.kindOf(fs, f.getPath()) != PosixFiles.Kind.FILE)) {
      // A lock hbackup writes is a few hundred bytes: anything else is not read (a FIFO would
      // block the reader, a huge file fill its heap).
      throw new org.hbackup.common.FormatException(name, "not a lock file (" + f.getLen() + " bytes, or not a regular file)");
    }
    JsonNode root;
    try (InputStream in = fs.open(f.getPath())) {
      root = Json.parse(in, name);
    }
    Json.checkFormat(root, FORMAT, name, 1, VERSION);
    try {
      JsonNode point = root.get("point");
      return new Holder(Json.requireText(root, "id", name),
          Mode.valueOf(Json.requireText(root, "mode", name).toUpperCase(java.util.Locale.ROOT)),
          Json.requireText(root, "command", name), point == null || point.isNull() ? null : point.asText(),
          ProcessIdentity.readFrom(root, name),
          Json.requireText(root, "user", name),
          Instant.parse(Json.requireText(root, "created", name)), Instant.ofEpochMilli(f.getModificationTime()),
          f.getPath());
    } catch (IllegalArgumentException | java.time.format.DateTimeParseException e) {
      throw new org.hbackup.common.FormatException(name, e.getMessage(), e);
    }
  }

  private static String currentUser() {
    try {
      return org.apache.hadoop.security.UserGroupInformation.getCurrentUser().getShortUserName();
    } catch (IOException e) {
      return System.getProperty("user.name", "unknown");
    }
  }

  private static void sleep(long millis) throws HbackupException {
    try {
      Thread.sleep(millis);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new HbackupException("interrupted while waiting for a repository lock", e);
    }
  }
}
