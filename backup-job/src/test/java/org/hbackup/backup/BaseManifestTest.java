package org.hbackup.backup;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;

import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileStatus;
import org.apache.hadoop.fs.Path;
import org.apache.hadoop.fs.permission.FsPermission;
import org.hbackup.common.id.ContentId;
import org.hbackup.common.id.PointId;
import org.hbackup.common.manifest.ChunkRef;
import org.hbackup.common.manifest.EntryType;
import org.hbackup.common.manifest.ManifestEntry;
import org.hbackup.common.testing.RepositoryFixture;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class BaseManifestTest {
  @TempDir
  java.nio.file.Path dir;

  private RepositoryFixture repository;
  private PointId base;
  private final List<String> paths = new ArrayList<>();
  private int segments;

  @BeforeEach
  void setUp() throws IOException {
    repository = RepositoryFixture.create(new Path(dir.resolve("repo").toUri()), new Configuration());
    List<ManifestEntry> entries = new ArrayList<>();
    for (int d = 0; d < 12; d++) {
      for (int f = 0; f < 500; f++) {
        String path = String.format("dir-%02d/file-%04d.dat", d, f);
        ContentId id = ContentId.of(path.getBytes());
        entries.add(ManifestEntry.builder(EntryType.FILE, path).length(1000 + f).permission((short) 0644)
            .modificationTime(1_700_000_000_000L + f).fileHash(id).chunks(List.of(new ChunkRef(id, 1000 + f)))
            .build());
        paths.add(path);
      }
    }
    base = repository.writeManifest(entries);
    segments = repository.repository().readManifest(base).segments().size();
    assertTrue(segments >= 3, "the test needs a manifest of several segments, not " + segments);
  }

  @Test
  void decodesEachSegmentOnceWhenLookupsComeInPathOrder() throws IOException {
    try (BaseManifest manifest = new BaseManifest(repository.repository(), base, 1)) {
      for (String path : paths) {
        assertEquals(path, manifest.find(path).path());
      }
      assertEquals(segments, manifest.segmentsRead());
    }
  }

  @Test
  void decodesSegmentsAgainWhenLookupsJumpBetweenMoreThanItKeeps() throws IOException {
    String first = paths.get(0);
    String last = paths.get(paths.size() - 1);
    try (BaseManifest manifest = new BaseManifest(repository.repository(), base, 1)) {
      for (int i = 0; i < 5; i++) {
        assertNotNull(manifest.find(first));
        assertNotNull(manifest.find(last));
      }
      assertEquals(10, manifest.segmentsRead(), "two segments, room for one: every lookup decodes");
    }
    try (BaseManifest manifest = new BaseManifest(repository.repository(), base, 2)) {
      for (int i = 0; i < 5; i++) {
        assertNotNull(manifest.find(first));
        assertNotNull(manifest.find(last));
      }
      assertEquals(2, manifest.segmentsRead(), "room for both: each decoded once");
    }
  }

  @Test
  void findsOnlyWhatTheBaseHeldAndComparesLengthAndTime() throws IOException {
    try (BaseManifest manifest = new BaseManifest(repository.repository(), base, 4)) {
      assertNull(manifest.find("dir-00"), "a directory the base did not list");
      assertNull(manifest.find("aaa"), "before the first segment");
      assertNull(manifest.find("zzz"), "after the last segment");
      assertNull(manifest.find("dir-07/file-0003.dat.tmp"), "between two entries");
      FileStatus same = new FileStatus(1003, false, 1, 1 << 20, 1_700_000_000_003L, new Path("/x"));
      assertNotNull(manifest.sameFile("dir-07/file-0003.dat", same));
      FileStatus touched = new FileStatus(1003, false, 1, 1 << 20, 1_700_000_000_004L, 0,
          FsPermission.getFileDefault(), "u", "g", new Path("/x"));
      assertNull(manifest.sameFile("dir-07/file-0003.dat", touched));
      FileStatus grown = new FileStatus(1004, false, 1, 1 << 20, 1_700_000_000_003L, new Path("/x"));
      assertNull(manifest.sameFile("dir-07/file-0003.dat", grown));
    }
  }
}
