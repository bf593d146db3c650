package org.hbackup.restore;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.attribute.FileTime;

import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.hbackup.common.io.FileSystems;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class TargetStagingTest {
  @TempDir
  java.nio.file.Path dir;

  private final Configuration conf = new Configuration();
  private FileSystem fs;
  private Path target;
  private Path repository;

  @BeforeEach
  void setUp() throws Exception {
    fs = FileSystems.raw(new Path(dir.toUri()), conf);
    target = new Path(dir.resolve("target").toUri());
    repository = new Path(dir.resolve("repo").toUri());
    fs.mkdirs(target);
  }

  private TargetStaging.State classify(Path path) throws Exception {
    return TargetStaging.classify(fs, fs.getFileLinkStatus(path), repository, System.currentTimeMillis(), conf).state();
  }

  private static void age(java.nio.file.Path p) throws Exception {
    Files.setLastModifiedTime(p, FileTime.fromMillis(System.currentTimeMillis() - 3_600_000));
  }

  @Test
  void aRunningRestoresDirectoryIsLiveAndOnceMarkedUnfinishedLeftOver() throws Exception {
    try (TargetStaging staging = TargetStaging.create(fs, target, "p", conf)) {
      java.nio.file.Path local = java.nio.file.Paths.get(staging.path().toUri());
      // What the restore's tasks write there (RestoreMapper, RestoreReducer, a local checksum file).
      for (String name : new String[] {"m0a0-3", "m12a1-0", ".m12a1-0.crc", "r0-2", "r1-17"}) {
        Files.writeString(local.resolve(name), "x");
      }
      assertEquals(TargetStaging.State.LIVE, classify(staging.path()));
      staging.markUnfinished();
      assertEquals(TargetStaging.State.LEFTOVER, classify(staging.path()));
      Files.writeString(local.resolve("notes.txt"), "the user's");
      assertEquals(TargetStaging.State.NOT_STAGING, classify(staging.path()), "it holds what no restore writes");
    }
  }

  @Test
  void aMarkerNotRefreshedForTheStaleTimeIsLeftOver() throws Exception {
    try (TargetStaging staging = TargetStaging.create(fs, target, "p", conf)) {
      age(java.nio.file.Paths.get(staging.path().toUri()).resolve(TargetStaging.MARKER));
      assertEquals(TargetStaging.State.LEFTOVER, classify(staging.path()));
    }
  }

  @Test
  void withoutAMarkerOnlyAYoungDirectoryIsLive() throws Exception {
    java.nio.file.Path young = Files.createDirectories(dir.resolve("target/.hbackup-restore-0123abcd"));
    Files.writeString(young.resolve(TargetStaging.MARKER), ""); // not one a restore wrote
    assertEquals(TargetStaging.State.LIVE, classify(new Path(young.toUri())));
    age(young);
    assertEquals(TargetStaging.State.NOT_STAGING, classify(new Path(young.toUri())));
  }

  @Test
  void otherNamesLinksAndTheRepositoryAreTheUsers() throws Exception {
    java.nio.file.Path named = Files.createDirectories(dir.resolve("target/.hbackup-restore-mydata"));
    assertEquals(TargetStaging.State.NOT_STAGING, classify(new Path(named.toUri())));
    java.nio.file.Path elsewhere = Files.createDirectories(dir.resolve("elsewhere"));
    java.nio.file.Path link = Files.createSymbolicLink(dir.resolve("target/.hbackup-restore-0000beef"), elsewhere);
    assertEquals(TargetStaging.State.NOT_STAGING, classify(new Path(link.toUri())));
    java.nio.file.Path nested = Files.createDirectories(dir.resolve("target/.hbackup-restore-aaaabbbb/sub"));
    assertEquals(TargetStaging.State.NOT_STAGING, classify(new Path(nested.getParent().toUri())),
        "a restore makes no directory in its staging");
  }

  @Test
  void emptyingKeepsTheMarkerAndWritesOneWhenItIsGone() throws Exception {
    try (TargetStaging staging = TargetStaging.create(fs, target, "p", conf)) {
      java.nio.file.Path local = java.nio.file.Paths.get(staging.path().toUri());
      Files.writeString(local.resolve("m0a0-1"), "half");
      Files.delete(local.resolve(TargetStaging.MARKER));
      TargetStaging.empty(fs, staging.path(), "p");
      try (java.util.stream.Stream<java.nio.file.Path> children = Files.list(local)) {
        assertEquals(java.util.List.of(TargetStaging.MARKER),
            children.map(p -> p.getFileName().toString()).toList());
      }
      assertTrue(Files.readString(local.resolve(TargetStaging.MARKER)).contains(TargetStaging.FORMAT));
      assertEquals(TargetStaging.State.LIVE, classify(staging.path()));
    }
  }

  /** A file system that ignores setTimes, as S3A does. */
  private FileSystem ignoringSetTimes() throws Exception {
    FileSystem s3Like = new org.apache.hadoop.fs.RawLocalFileSystem() {
      @Override
      public void setTimes(Path p, long mtime, long atime) {
      }
    };
    s3Like.initialize(java.net.URI.create("file:///"), conf);
    return s3Like;
  }

  /**
   * Where setTimes is ignored (S3A), a running restore's marker is written again to stay fresh,
   * and one that did not finish says so in the marker: the marker kept its creation time, and a
   * restore running past the stale time was taken for one left over (--overwrite removed it).
   */
  @Test
  void onAStoreThatIgnoresSetTimesALongRestoreStaysLiveAndAnUnfinishedOneIsLeftOver() throws Exception {
    FileSystem s3Like = ignoringSetTimes();
    Configuration quick = new Configuration(conf);
    quick.setLong(org.hbackup.common.repo.RepositoryLock.REFRESH_EVERY, 1);
    TargetStaging staging = TargetStaging.create(s3Like, target, "20261206T000000000Z-00000000", quick);
    java.nio.file.Path marker = dir.resolve("target").resolve(staging.path().getName()).resolve(TargetStaging.MARKER);
    age(marker);
    Thread.sleep(2500);
    assertEquals(TargetStaging.State.LIVE, TargetStaging.classify(s3Like, s3Like.getFileLinkStatus(staging.path()),
        repository, System.currentTimeMillis(), conf).state(), "refreshed by writing it again");
    staging.markUnfinished();
    assertEquals(TargetStaging.State.LEFTOVER, TargetStaging.classify(s3Like, s3Like.getFileLinkStatus(staging.path()),
        repository, System.currentTimeMillis(), conf).state(), "marked unfinished in the marker itself");
  }
}
