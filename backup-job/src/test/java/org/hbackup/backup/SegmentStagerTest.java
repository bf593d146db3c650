package org.hbackup.backup;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.util.List;

import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.hbackup.common.id.ContentId;
import org.hbackup.common.manifest.ManifestList;
import org.hbackup.common.manifest.ManifestTotals;
import org.hbackup.common.manifest.SegmentRef;
import org.hbackup.common.repo.Repository;
import org.hbackup.common.testing.RepositoryFixture;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SegmentStagerTest {
  @TempDir
  java.nio.file.Path dir;

  private static byte[] bytes(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }

  private static SegmentRef ref(byte[] content) {
    return new SegmentRef(ContentId.of(content), "a", "b", 1, 1, 1);
  }

  private java.nio.file.Path inRepository(Repository repository, byte[] content) {
    return java.nio.file.Paths.get(repository.layout().segment(ContentId.of(content)).toUri());
  }

  private void put(Repository repository, byte[] content, byte[] asFound) throws IOException {
    java.nio.file.Path file = inRepository(repository, content);
    Files.createDirectories(file.getParent());
    Files.write(file, asFound);
  }

  /**
   * Only a segment the base names and the repository holds byte for byte is left out of staging: a
   * damaged, truncated or missing copy, or one the base does not name, is staged and synced.
   */
  @Test
  void leavesOutOnlyTheBaseSegmentsTheRepositoryHoldsByteForByte() throws IOException {
    Configuration conf = new Configuration();
    Repository repository = RepositoryFixture.create(new Path(dir.resolve("repo").toUri()), conf).repository();
    byte[] intact = bytes("segment that did not change");
    byte[] flipped = bytes("segment whose copy is damaged");
    byte[] truncated = bytes("segment whose copy is short");
    byte[] missing = bytes("segment whose copy is gone");
    byte[] notInBase = bytes("segment some other point has");
    put(repository, intact, intact);
    byte[] damaged = flipped.clone();
    damaged[3] ^= 1;
    put(repository, flipped, damaged);
    put(repository, truncated, java.util.Arrays.copyOf(truncated, truncated.length - 1));
    put(repository, notInBase, notInBase);
    ManifestList base = new ManifestList(List.of(ref(intact), ref(flipped), ref(truncated), ref(missing)),
        new ManifestTotals());
    Path segments = new Path(dir.resolve("staging/segments").toUri());
    FileSystem fs = FileSystem.getLocal(conf).getRawFileSystem();

    SegmentStager stager = new SegmentStager(fs, segments, repository, base);
    for (byte[] content : List.of(intact, flipped, truncated, missing, notInBase)) {
      stager.store(ContentId.of(content), content, content.length);
    }

    assertEquals(1, stager.shared());
    assertEquals(4, stager.staged());
    assertFalse(Files.exists(staged(intact)), "the intact base segment is not written again");
    for (byte[] content : List.of(flipped, truncated, missing, notInBase)) {
      assertArrayEquals(content, Files.readAllBytes(staged(content)));
    }
    assertArrayEquals(damaged, Files.readAllBytes(inRepository(repository, flipped)),
        "the repository is not changed here: the committer replaces the damaged copy");
  }

  @Test
  void aFullBackupStagesEverySegment() throws IOException {
    Configuration conf = new Configuration();
    Path segments = new Path(dir.resolve("staging/segments").toUri());
    SegmentStager stager = new SegmentStager(FileSystem.getLocal(conf).getRawFileSystem(), segments, null, null);
    byte[] content = bytes("first segment");
    stager.store(ContentId.of(content), content, content.length);
    assertEquals(1, stager.staged());
    assertTrue(Files.exists(staged(content)));
  }

  private java.nio.file.Path staged(byte[] content) {
    return dir.resolve("staging/segments").resolve(ContentId.of(content).toHex() + ".seg");
  }
}
