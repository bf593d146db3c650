package org.hbackup.restore;

import static org.junit.jupiter.api.Assertions.assertEquals;

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
    List<RestoreKey> keys = new java.util.ArrayList<>(List.of(root, shallow, deep, failure));
    java.util.Collections.sort(keys);
    assertEquals(List.of(failure, deep, shallow, root), keys);
  }
}
