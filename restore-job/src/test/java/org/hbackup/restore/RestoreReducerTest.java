package org.hbackup.restore;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;

import org.apache.hadoop.fs.Path;
import org.apache.hadoop.io.BytesWritable;
import org.apache.hadoop.io.Text;
import org.apache.hadoop.mrunit.mapreduce.ReduceDriver;
import org.hbackup.common.id.PointId;
import org.hbackup.common.manifest.EntryType;
import org.hbackup.common.manifest.ManifestEntry;
import org.hbackup.common.manifest.ManifestEntryCodec;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class RestoreReducerTest {
  @TempDir
  java.nio.file.Path dir;

  @Test
  void appliesDirectoryMetadataAndReportsFailures() throws IOException {
    java.nio.file.Path target = dir.resolve("target");
    Files.createDirectories(target.resolve("a/b"));
    ReduceDriver<RestoreKey, BytesWritable, Text, Text> driver = ReduceDriver.newReduceDriver(new RestoreReducer());
    RestoreOptions.builder().repository(new Path(dir.resolve("repo").toUri()))
        .point(PointId.create(java.time.Instant.now())).target(new Path(target.toUri())).build()
        .writeTo(driver.getConfiguration());
    ManifestEntry b = ManifestEntry.builder(EntryType.DIRECTORY, "a/b").permission((short) 0750)
        .modificationTime(1_400_000_000_000L).accessTime(1_400_000_000_000L).build();
    ManifestEntry a = ManifestEntry.builder(EntryType.DIRECTORY, "a").permission((short) 0500)
        .modificationTime(1_300_000_000_000L).accessTime(1_300_000_000_000L).build();
    driver.withInput(new RestoreKey(RestoreKey.FAILURE, "a/broken"),
            List.of(new BytesWritable("checksum mismatch".getBytes(StandardCharsets.UTF_8))))
        .withInput(new RestoreKey(RestoreKey.DIRECTORY, "a/b"), List.of(new BytesWritable(ManifestEntryCodec.toBytes(b))))
        .withInput(new RestoreKey(RestoreKey.DIRECTORY, "a"), List.of(new BytesWritable(ManifestEntryCodec.toBytes(a))))
        .withOutput(new Text("a/broken"), new Text("checksum mismatch"))
        .runTest();
    assertEquals("rwxr-x---", PosixFilePermissions.toString(Files.getPosixFilePermissions(target.resolve("a/b"))));
    assertEquals(1_400_000_000_000L, Files.getLastModifiedTime(target.resolve("a/b")).toMillis());
    assertEquals("r-x------", PosixFilePermissions.toString(Files.getPosixFilePermissions(target.resolve("a"))));
    assertEquals(1_300_000_000_000L, Files.getLastModifiedTime(target.resolve("a")).toMillis());
    assertEquals(2, driver.getCounters().findCounter(RestoreCounters.DIRECTORIES).getValue());
    Files.setPosixFilePermissions(target.resolve("a"), PosixFilePermissions.fromString("rwx------"));
  }

  @Test
  void ordersDirectoriesDeepestFirst() {
    RestoreKey deep = new RestoreKey(RestoreKey.DIRECTORY, "a/b/c");
    RestoreKey shallow = new RestoreKey(RestoreKey.DIRECTORY, "z");
    RestoreKey root = new RestoreKey(RestoreKey.DIRECTORY, "");
    RestoreKey failure = new RestoreKey(RestoreKey.FAILURE, "zz/zz/zz/zz");
    RestoreKey link = new RestoreKey(RestoreKey.SYMLINK, "a/b/c/d/link");
    List<RestoreKey> keys = new java.util.ArrayList<>(List.of(root, shallow, link, deep, failure));
    java.util.Collections.sort(keys);
    assertEquals(List.of(failure, link, deep, shallow, root), keys, "symlinks after every file, before directory metadata");
  }

  @Test
  void createsSymlinksLastAndRefusesOneWhereADirectoryStands() throws IOException {
    java.nio.file.Path target = dir.resolve("target");
    Files.createDirectories(target.resolve("taken"));
    java.nio.file.Path staging = Files.createDirectories(target.resolve(".hbackup-restore-x"));
    Files.write(staging.resolve("m0a0-0"), new byte[] {1});
    ReduceDriver<RestoreKey, BytesWritable, Text, Text> driver = ReduceDriver.newReduceDriver(new RestoreReducer());
    RestoreOptions.builder().repository(new Path(dir.resolve("repo").toUri()))
        .point(PointId.create(java.time.Instant.now())).target(new Path(target.toUri())).build()
        .writeTo(driver.getConfiguration());
    driver.getConfiguration().set(RestoreConfigKeys.STAGING, staging.toUri().toString());
    ManifestEntry link = ManifestEntry.builder(EntryType.SYMLINK, "sub/link").symlinkTarget("../elsewhere")
        .modificationTime(1_200_000_000_000L).accessTime(1_200_000_000_000L).build();
    ManifestEntry taken = ManifestEntry.builder(EntryType.SYMLINK, "taken").symlinkTarget("/etc").build();
    ManifestEntry root = ManifestEntry.builder(EntryType.DIRECTORY, "").permission((short) 0755)
        .modificationTime(1_100_000_000_000L).accessTime(1_100_000_000_000L).build();
    List<org.apache.hadoop.mrunit.types.Pair<Text, Text>> out = driver
        .withInput(new RestoreKey(RestoreKey.SYMLINK, "sub/link"), List.of(new BytesWritable(ManifestEntryCodec.toBytes(link))))
        .withInput(new RestoreKey(RestoreKey.SYMLINK, "taken"), List.of(new BytesWritable(ManifestEntryCodec.toBytes(taken))))
        .withInput(new RestoreKey(RestoreKey.DIRECTORY, ""), List.of(new BytesWritable(ManifestEntryCodec.toBytes(root))))
        .run();
    assertEquals("../elsewhere", Files.readSymbolicLink(target.resolve("sub/link")).toString());
    assertEquals(1_200_000_000_000L, Files.getLastModifiedTime(target.resolve("sub/link"),
        java.nio.file.LinkOption.NOFOLLOW_LINKS).toMillis());
    assertTrue(Files.isDirectory(target.resolve("taken"), java.nio.file.LinkOption.NOFOLLOW_LINKS));
    assertEquals(1, out.size());
    assertEquals("taken", out.get(0).getFirst().toString());
    assertEquals(1, driver.getCounters().findCounter(RestoreCounters.SYMLINKS).getValue());
    assertEquals(1, driver.getCounters().findCounter(RestoreCounters.ENTRIES_REFUSED).getValue());
    assertFalse(Files.exists(staging), "the staging directory is gone");
    assertEquals(1_100_000_000_000L, Files.getLastModifiedTime(target).toMillis(),
        "removing the staging directory came before the root's times");
  }
}
