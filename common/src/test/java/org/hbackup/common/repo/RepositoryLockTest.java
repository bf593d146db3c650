package org.hbackup.common.repo;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.attribute.FileTime;
import java.time.Instant;

import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.Path;
import org.hbackup.common.id.PointId;
import org.hbackup.common.testing.RepositoryFixture;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class RepositoryLockTest {
  @TempDir
  java.nio.file.Path dir;

  private Configuration conf;
  private Repository repository;

  @BeforeEach
  void setUp() throws IOException {
    conf = new Configuration();
    repository = RepositoryFixture.create(new Path(dir.resolve("repo").toUri()), conf).repository();
  }

  private static RepositoryLock.Mode shared() {
    return RepositoryLock.Mode.SHARED;
  }

  private static RepositoryLock.Mode exclusive() {
    return RepositoryLock.Mode.EXCLUSIVE;
  }

  /**
   * A reader of a repository whose locks it may not write (a read-only copy) goes on without a
   * lock; a writer's lock still fails, and a reader of a writable repository takes one.
   */
  @Test
  void aReaderOfARepositoryItMayNotWriteGoesOnWithoutALock() throws IOException {
    Configuration faulty = new Configuration(conf);
    org.hbackup.common.testing.FaultFileSystem.register(faulty);
    faulty.set(org.hbackup.common.testing.FaultFileSystem.READ_ONLY, "/locks/");
    Repository readOnly = Repository.open(new Path(org.hbackup.common.testing.FaultFileSystem.SCHEME + ":"
        + dir.resolve("repo")), faulty);
    assertEquals(null, RepositoryLock.sharedUnlessReadOnly(readOnly, "verify", "Verifying", faulty));
    assertThrows(IOException.class, () -> RepositoryLock.acquire(readOnly, exclusive(), "prune", null, faulty));
    try (RepositoryLock lock = RepositoryLock.sharedUnlessReadOnly(repository, "verify", "Verifying", conf)) {
      assertEquals(1, RepositoryLock.list(repository).size());
    }
  }

  /**
   * A directory named like a lock is no lock: it used to block every command as an unreadable
   * lock, then, once stale, make each fail trying to delete it with a file delete.
   */
  @Test
  void aDirectoryNamedLikeALockBlocksNoOneFreshOrStale() throws IOException {
    RepositoryLock.acquire(repository, shared(), "backup", null, conf).close(); // makes locks/
    java.nio.file.Path fake = Files.createDirectories(dir.resolve("repo/locks/x.json"));
    Files.writeString(fake.resolve("anything"), "x");
    for (int age : new int[] {0, 7200}) {
      Files.setLastModifiedTime(fake, FileTime.from(Instant.now().minusSeconds(age)));
      assertEquals(0, RepositoryLock.list(repository).size(), "age " + age);
      try (RepositoryLock x = RepositoryLock.acquire(repository, exclusive(), "prune", null, conf)) {
        assertEquals(1, RepositoryLock.list(repository).size(), "age " + age);
      }
    }
    assertTrue(Files.exists(fake.resolve("anything")), "not ours to remove");
  }

  @Test
  void sharedLocksGoTogetherAndExclusiveOnesExcludeEveryOther() throws IOException {
    try (RepositoryLock a = RepositoryLock.acquire(repository, shared(), "backup", null, conf);
         RepositoryLock b = RepositoryLock.acquire(repository, shared(), "restore", null, conf)) {
      LockConflictException e = assertThrows(LockConflictException.class,
          () -> RepositoryLock.acquire(repository, exclusive(), "prune", null, conf));
      assertTrue(e.getMessage().contains("shared lock"), e.getMessage());
      assertEquals(2, RepositoryLock.list(repository).size(), "the refused taker leaves no lock behind");
    }
    try (RepositoryLock x = RepositoryLock.acquire(repository, exclusive(), "prune", null, conf)) {
      LockConflictException e = assertThrows(LockConflictException.class,
          () -> RepositoryLock.acquire(repository, shared(), "backup", null, conf));
      assertTrue(e.getMessage().contains("prune") && e.getMessage().contains("exclusive"), e.getMessage());
      assertThrows(LockConflictException.class, () -> RepositoryLock.acquire(repository, exclusive(), "repair", null, conf));
    }
    assertEquals(0, RepositoryLock.list(repository).size(), "released locks are gone");
  }

  @Test
  void aLockNotRefreshedForTheStaleTimeBlocksNoOneAndIsTakenOver() throws IOException {
    RepositoryLock old = RepositoryLock.acquire(repository, exclusive(), "prune", null, conf);
    java.nio.file.Path file = dir.resolve("repo/locks/" + old.holder().id() + ".json");
    Files.setLastModifiedTime(file, FileTime.from(Instant.now().minusSeconds(3600)));
    assertTrue(RepositoryLock.isStale(RepositoryLock.list(repository).get(0), conf,
        RepositoryLock.fileSystemNow(repository)));
    try (RepositoryLock b = RepositoryLock.acquire(repository, shared(), "backup", null, conf)) {
      assertFalse(Files.exists(file), "the stale lock was removed by the one that took over");
      assertEquals(1, RepositoryLock.list(repository).size());
    }
    old.close();
  }

  @Test
  void aHolderWhoseLockWasTakenOverFindsOutBeforeItsNextStep() throws IOException {
    RepositoryLock prune = RepositoryLock.acquire(repository, exclusive(), "prune", null, conf);
    prune.checkHeld("publishing");
    java.nio.file.Path file = dir.resolve("repo/locks/" + prune.holder().id() + ".json");
    Files.setLastModifiedTime(file, FileTime.from(Instant.now().minusSeconds(3600)));
    try (RepositoryLock backup = RepositoryLock.acquire(repository, shared(), "backup", null, conf)) {
      LockLostException e = assertThrows(LockLostException.class, () -> prune.checkHeld("deleting packs"));
      assertTrue(e.getMessage().contains("stopped before deleting packs") && e.getMessage().contains("prune"),
          e.getMessage());
    }
    prune.close();
  }

  /**
   * In a loop of many deletes, the lock is asked after at most the given time, and a lock the
   * refresher (or an earlier check) found gone fails the very next step.
   */
  @Test
  void aLongPhaseFindsItsLockGoneWithinTheRecheckTime() throws Exception {
    RepositoryLock prune = RepositoryLock.acquire(repository, exclusive(), "prune", null, conf);
    prune.checkHeldWithin(3600, "deleting packs");
    Files.delete(dir.resolve("repo/locks/" + prune.holder().id() + ".json"));
    prune.checkHeldWithin(3600, "deleting packs"); // confirmed a moment ago: no call
    LockLostException e = assertThrows(LockLostException.class, () -> prune.checkHeldWithin(0, "deleting packs"));
    assertTrue(e.getMessage().contains("stopped before deleting packs"), e.getMessage());
    assertThrows(LockLostException.class, () -> prune.checkHeldWithin(3600, "deleting segments"),
        "once found lost, every later step stops at once");
    prune.close();
  }

  /**
   * Closing waits for a refresh under way: on an object store a refresh writes the lock again,
   * and one that finished after the close's delete left a lock of a process that was gone.
   */
  @Test
  void closeWaitsForARefreshUnderWay() throws Exception {
    Configuration slow = new Configuration(conf);
    slow.setClass("fs.slowlock.impl", SlowRefreshFileSystem.class, org.apache.hadoop.fs.FileSystem.class);
    slow.setBoolean("fs.slowlock.impl.disable.cache", true);
    slow.setLong(RepositoryLock.REFRESH_EVERY, 1);
    java.net.URI uri = dir.resolve("repo").toUri();
    Repository slowRepo = Repository.open(new Path("slowlock", null, uri.getPath()), slow);
    RepositoryLock lock = RepositoryLock.acquire(slowRepo, exclusive(), "prune", null, slow);
    java.nio.file.Path file = dir.resolve("repo/locks/" + lock.holder().id() + ".json");
    // An old time that setTimes cannot move: the refresh writes the lock again, as on S3A.
    Files.setLastModifiedTime(file, FileTime.from(Instant.now().minusSeconds(600)));
    assertTrue(SlowRefreshFileSystem.refreshing.tryAcquire(30, java.util.concurrent.TimeUnit.SECONDS),
        "a refresh started");
    lock.close();
    Thread.sleep(SlowRefreshFileSystem.PAUSE_MS + 500);
    assertFalse(Files.exists(file), "no refresh wrote the lock again after the close");
  }

  /**
   * A local file system that ignores setTimes, as S3A does (so a refresh writes the lock again),
   * and whose refresher's look at the lock file is slow: a close in that moment meets a refresh
   * that has checked the lock and not yet written it.
   */
  public static final class SlowRefreshFileSystem extends org.apache.hadoop.fs.RawLocalFileSystem {
    static final long PAUSE_MS = 1500;
    static final java.util.concurrent.Semaphore refreshing = new java.util.concurrent.Semaphore(0);

    @Override
    public java.net.URI getUri() {
      return java.net.URI.create("slowlock:///");
    }

    @Override
    public void setTimes(Path p, long mtime, long atime) {
      // Ignored, as on S3A.
    }

    @Override
    public org.apache.hadoop.fs.FileStatus getFileStatus(Path p) throws IOException {
      org.apache.hadoop.fs.FileStatus status = super.getFileStatus(p);
      if (Thread.currentThread().getName().equals("hbackup-lock-refresh") && !p.getName().startsWith(".")) {
        refreshing.release();
        long end = System.currentTimeMillis() + PAUSE_MS;
        while (System.currentTimeMillis() < end) {
          try {
            Thread.sleep(Math.max(1, end - System.currentTimeMillis()));
          } catch (InterruptedException e) {
            // A slow store call is not cut short by an interrupt either.
          }
        }
      }
      return status;
    }
  }


  /**
   * On a file system whose clock is an hour behind this host's (an HDFS NameNode, an object
   * store), a lock just taken is live to every taker: staleness is judged on the file system's
   * clock. Before, a taker compared the lock's time with its own clock, took the live lock for
   * stale, removed it and took the repository beside its holder.
   */
  @Test
  void stalenessIsJudgedOnTheFileSystemsClockNotThisHosts() throws IOException {
    Configuration skewed = new Configuration(conf);
    org.hbackup.common.testing.FaultFileSystem.register(skewed);
    skewed.setLong(org.hbackup.common.testing.FaultFileSystem.CLOCK_OFFSET_MS, -3_600_000L);
    Repository behind = Repository.open(new Path(org.hbackup.common.testing.FaultFileSystem.SCHEME + ":"
        + dir.resolve("repo")), skewed);
    try (RepositoryLock prune = RepositoryLock.acquire(behind, exclusive(), "prune", null, skewed)) {
      assertThrows(LockConflictException.class,
          () -> RepositoryLock.acquire(behind, shared(), "backup", null, skewed), "the prune's lock is live");
      assertFalse(RepositoryLock.isStale(RepositoryLock.list(behind).get(0), skewed,
          RepositoryLock.fileSystemNow(behind)));
      assertTrue(Files.exists(dir.resolve("repo/locks/" + prune.holder().id() + ".json")));
    }
  }

  @Test
  void aLockOfAProcessOfThisHostThatIsGoneIsStaleAtOnce() throws Exception {
    Process gone = new ProcessBuilder("true").start();
    gone.waitFor();
    RepositoryLock mine = RepositoryLock.acquire(repository, exclusive(), "prune", null, conf);
    java.nio.file.Path file = dir.resolve("repo/locks/" + mine.holder().id() + ".json");
    String json = Files.readString(file).replace("\"pid\" : " + ProcessHandle.current().pid(),
        "\"pid\" : " + gone.pid());
    Files.writeString(file, json, StandardCharsets.UTF_8);
    RepositoryLock.Holder holder = RepositoryLock.list(repository).get(0);
    assertEquals(gone.pid(), holder.pid());
    assertTrue(RepositoryLock.isStale(holder, conf, RepositoryLock.fileSystemNow(repository)),
        "a killed job's lock never blocks");
    try (RepositoryLock x = RepositoryLock.acquire(repository, exclusive(), "repair", null, conf)) {
      assertEquals("repair", x.holder().command());
    }
    mine.close();
  }

  @Test
  void anUnreadableLockFileBlocksLikeAnExclusiveLockUntilItIsStale() throws IOException {
    Files.createDirectories(dir.resolve("repo/locks"));
    java.nio.file.Path junk = dir.resolve("repo/locks/junk.json");
    Files.writeString(junk, "{ truncated");
    LockConflictException refused = assertThrows(LockConflictException.class,
        () -> RepositoryLock.acquire(repository, shared(), "backup", null, conf));
    org.junit.jupiter.api.Assertions.assertTrue(refused.getMessage().contains("unlock --remove-all"),
        "the way out is named: " + refused.getMessage());
    Files.setLastModifiedTime(junk, FileTime.from(Instant.now().minusSeconds(3600)));
    RepositoryLock.acquire(repository, shared(), "backup", null, conf).close();
  }

  /**
   * A lock of a format version this build does not read (a newer hbackup's, or a hostile one)
   * blocks like an unreadable one until it is stale, and is listed (so unlock can remove it): it
   * used to fail every command, unlock --remove-all included, for as long as it was there.
   */
  @Test
  void aLockOfAnotherFormatVersionBlocksLikeAnUnreadableOneUntilItIsStale() throws IOException {
    Files.createDirectories(dir.resolve("repo/locks"));
    for (int version : new int[] {0, 2}) {
      java.nio.file.Path other = dir.resolve("repo/locks/0123456789abcdef0123456789abcdef.json");
      Files.writeString(other, "{\"format\":\"hbackup-lock\",\"version\":" + version
          + ",\"id\":\"0123456789abcdef0123456789abcdef\",\"mode\":\"shared\",\"command\":\"backup\","
          + "\"host\":\"otherhost\",\"pid\":1,\"processStart\":0,\"user\":\"x\",\"created\":\"2020-01-01T00:00:00Z\"}");
      LockConflictException refused = assertThrows(LockConflictException.class,
          () -> RepositoryLock.acquire(repository, shared(), "backup", null, conf));
      assertTrue(refused.getMessage().contains("unlock --remove-all"), refused.getMessage());
      assertEquals(1, RepositoryLock.list(repository).size(), "listed, so that unlock can remove it");
      Files.setLastModifiedTime(other, FileTime.from(Instant.now().minusSeconds(3600)));
      RepositoryLock.acquire(repository, exclusive(), "prune", null, conf).close();
      assertFalse(Files.exists(other), "taken over as stale");
    }
  }

  /**
   * A lock dated further ahead of the repository's clock than the stale time (its clock was wrong
   * and was set back) is stale: it used to block every command until that date.
   */
  @Test
  void aLockDatedFarAheadIsStale() throws IOException {
    Files.createDirectories(dir.resolve("repo/locks"));
    java.nio.file.Path file = dir.resolve("repo/locks/0123456789abcdef0123456789abcdef.json");
    Files.writeString(file, "{\"format\":\"hbackup-lock\",\"version\":1,\"id\":\"0123456789abcdef0123456789abcdef\","
        + "\"mode\":\"exclusive\",\"command\":\"prune\",\"point\":null,\"host\":\"otherhost\",\"pid\":1,"
        + "\"processStart\":0,\"user\":\"x\",\"created\":\"2020-01-01T00:00:00Z\"}");
    Files.setLastModifiedTime(file, FileTime.from(Instant.now().plusSeconds(600)));
    LockConflictException refused = assertThrows(LockConflictException.class,
        () -> RepositoryLock.acquire(repository, shared(), "backup", null, conf));
    assertTrue(refused.getMessage().contains("prune"), refused.getMessage());
    Files.setLastModifiedTime(file, FileTime.from(Instant.now().plus(java.time.Duration.ofDays(365))));
    RepositoryLock.acquire(repository, shared(), "backup", null, conf).close();
    assertFalse(Files.exists(file), "taken over as stale");
  }

  @Test
  void waitsForAConflictingLockToGoWhenAskedTo() throws Exception {
    RepositoryLock x = RepositoryLock.acquire(repository, exclusive(), "prune", null, conf);
    Thread release = new Thread(() -> {
      try {
        Thread.sleep(400);
        x.close();
      } catch (Exception e) {
        throw new IllegalStateException(e);
      }
    });
    release.start();
    Configuration waiting = new Configuration(conf);
    waiting.setLong(RepositoryLock.WAIT, 30);
    try (RepositoryLock b = RepositoryLock.acquire(repository, shared(), "backup", PointId.create(Instant.now()), waiting)) {
      assertFalse(RepositoryLock.list(repository).stream().anyMatch(h -> h.command().equals("prune")));
    }
    release.join();
  }

  @Test
  void lockFilesAreReadableByTheirOwnerOnly() throws IOException {
    try (RepositoryLock a = RepositoryLock.acquire(repository, shared(), "backup", null, conf)) {
      java.nio.file.Path file = dir.resolve("repo/locks/" + a.holder().id() + ".json");
      assertEquals("rw-------", java.nio.file.attribute.PosixFilePermissions.toString(Files.getPosixFilePermissions(file)));
    }
  }

  /**
   * A lock file appears whole: written aside, then given its name. Created in place, a taker
   * listing locks/ between the create and the write read an empty file, took it for a live
   * exclusive lock and failed (seen once in ConcurrencyIT).
   */
  @Test
  void aLockFileIsNeverVisibleHalfWritten() throws IOException {
    Configuration faulty = new Configuration(conf);
    org.hbackup.common.testing.FaultFileSystem.register(faulty);
    faulty.set(org.hbackup.common.testing.FaultFileSystem.NO_CREATE_IN_PLACE, ".json");
    Repository viaFault = Repository.open(new Path("fault://" + dir.resolve("repo").toUri().getPath()), faulty);
    try (RepositoryLock a = RepositoryLock.acquire(viaFault, shared(), "backup", null, faulty);
         RepositoryLock b = RepositoryLock.acquire(viaFault, shared(), "verify", null, faulty)) {
      assertEquals(2, RepositoryLock.list(viaFault).size());
    }
    assertEquals(0, RepositoryLock.list(viaFault).size());
    try (java.util.stream.Stream<java.nio.file.Path> left = java.nio.file.Files.list(dir.resolve("repo/locks"))) {
      assertEquals(0, left.count(), "no scratch file left beside the locks");
    }
  }

  /** A lock written aside by a taker killed before naming it is removed once it is as old as a stale lock. */
  @Test
  void aScratchLockLeftByAKilledTakerIsRemovedOnceStale() throws IOException {
    java.nio.file.Path locks = dir.resolve("repo/locks");
    java.nio.file.Files.createDirectories(locks);
    java.nio.file.Path old = locks.resolve(".0123.json.42.tmp");
    java.nio.file.Path young = locks.resolve(".4567.json.43.tmp");
    java.nio.file.Files.writeString(old, "{");
    java.nio.file.Files.writeString(young, "{");
    java.nio.file.Files.setLastModifiedTime(old, java.nio.file.attribute.FileTime.fromMillis(
        System.currentTimeMillis() - 3_600_000));
    try (RepositoryLock lock = RepositoryLock.acquire(repository, shared(), "backup", null, conf)) {
      assertEquals(1, RepositoryLock.list(repository).size(), "scratch files are not locks");
    }
    org.junit.jupiter.api.Assertions.assertFalse(java.nio.file.Files.exists(old), "an hour-old scratch file is removed");
    org.junit.jupiter.api.Assertions.assertTrue(java.nio.file.Files.exists(young), "a young one may still be named");
  }
}
