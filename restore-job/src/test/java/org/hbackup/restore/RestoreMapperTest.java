package org.hbackup.restore;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;

import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.Path;
import org.apache.hadoop.io.BytesWritable;
import org.apache.hadoop.io.Text;
import org.apache.hadoop.mrunit.mapreduce.MapDriver;
import org.apache.hadoop.mrunit.types.Pair;
import org.hbackup.common.id.ContentId;
import org.hbackup.common.id.PointId;
import org.hbackup.common.manifest.ChunkRef;
import org.hbackup.common.manifest.EntryType;
import org.hbackup.common.manifest.ManifestEntry;
import org.hbackup.common.testing.RepositoryFixture;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class RestoreMapperTest {
  @TempDir
  java.nio.file.Path dir;

  private RepositoryFixture repository;
  private java.nio.file.Path target;
  private MapDriver<Text, ManifestEntryWritable, RestoreKey, BytesWritable> driver;

  @BeforeEach
  void setUp() throws IOException {
    Configuration conf = new Configuration();
    Path repo = new Path(dir.resolve("repo").toUri());
    repository = RepositoryFixture.create(repo, conf);
    target = dir.resolve("target");
    driver = MapDriver.newMapDriver(new RestoreMapper());
    RestoreOptions.builder().repository(repo).point(PointId.create(java.time.Instant.now()))
        .target(new Path(target.toUri())).build().writeTo(driver.getConfiguration());
  }

  private static byte[] random(int seed, int length) {
    byte[] b = new byte[length];
    new Random(seed).nextBytes(b);
    return b;
  }

  private static ManifestEntry file(String path, List<byte[]> chunks, ContentId wholeHash) {
    List<ChunkRef> refs = new ArrayList<>();
    long length = 0;
    for (byte[] c : chunks) {
      refs.add(new ChunkRef(ContentId.of(c), c.length));
      length += c.length;
    }
    return ManifestEntry.builder(EntryType.FILE, path).length(length).permission((short) 0604)
        .owner("").group("").modificationTime(1_500_000_000_000L).accessTime(1_500_000_100_000L)
        .fileHash(wholeHash).chunks(refs).build();
  }

  private static ContentId hashOf(List<byte[]> chunks) {
    com.google.common.hash.Hasher h = com.google.common.hash.Hashing.sha256().newHasher();
    chunks.forEach(h::putBytes);
    return ContentId.wrap(h.hash().asBytes());
  }

  @Test
  void writesVerifiedFilesWithTheirMetadata() throws IOException {
    List<byte[]> chunks = List.of(random(1, 300_000), random(2, 70_000));
    repository.store(chunks);
    ManifestEntry entry = file("dir/name with space", chunks, hashOf(chunks));
    ManifestEntry directory = ManifestEntry.builder(EntryType.DIRECTORY, "dir").permission((short) 0700).build();
    List<Pair<RestoreKey, BytesWritable>> out = driver
        .withInput(new Text("dir"), new ManifestEntryWritable(directory))
        .withInput(new Text(entry.path()), new ManifestEntryWritable(entry)).run();

    java.nio.file.Path restored = target.resolve("dir/name with space");
    byte[] expected = new byte[370_000];
    System.arraycopy(chunks.get(0), 0, expected, 0, 300_000);
    System.arraycopy(chunks.get(1), 0, expected, 300_000, 70_000);
    assertArrayEquals(expected, Files.readAllBytes(restored));
    assertEquals("rw----r--", PosixFilePermissions.toString(Files.getPosixFilePermissions(restored)));
    assertEquals(1_500_000_000_000L, Files.getLastModifiedTime(restored).toMillis());
    try (var listing = Files.list(target.resolve("dir"))) {
      assertEquals(1, listing.count(), "nothing left aside");
    }
    assertEquals(1, out.size());
    assertEquals(RestoreKey.DIRECTORY, out.get(0).getFirst().kind());
    assertEquals(1, driver.getCounters().findCounter(RestoreCounters.FILES).getValue());
    assertEquals(370_000, driver.getCounters().findCounter(RestoreCounters.BYTES_WRITTEN).getValue());
    assertEquals(2, driver.getCounters().findCounter(RestoreCounters.CHUNKS_READ).getValue());
  }

  @Test
  void reportsAFileWhoseContentDoesNotMatchAndLeavesNothingBehind() throws IOException {
    List<byte[]> chunks = List.of(random(3, 1000));
    repository.store(chunks);
    ManifestEntry wrong = file("bad.bin", chunks, ContentId.of(new byte[] {42}));
    ManifestEntry missing = file("missing.bin", List.of(random(4, 10)), hashOf(List.of(random(4, 10))));
    List<Pair<RestoreKey, BytesWritable>> out = driver
        .withInput(new Text("bad.bin"), new ManifestEntryWritable(wrong))
        .withInput(new Text("missing.bin"), new ManifestEntryWritable(missing)).run();
    assertEquals(2, out.size());
    assertEquals(RestoreKey.FAILURE, out.get(0).getFirst().kind());
    assertEquals("bad.bin", out.get(0).getFirst().path());
    String reason = new String(out.get(1).getSecond().copyBytes(), StandardCharsets.UTF_8);
    assertTrue(reason.contains("missing.bin") && reason.contains("not in the repository index"), reason);
    assertEquals(2, driver.getCounters().findCounter(RestoreCounters.FILES_FAILED).getValue());
    assertFalse(Files.exists(target.resolve("bad.bin")));
    try (var listing = Files.list(target)) {
      assertEquals(0, listing.count(), "no partial file remains");
    }
  }

  @Test
  void writesOnlySelectedPaths() throws IOException {
    RestoreOptions options = RestoreOptions.readFrom(driver.getConfiguration());
    options.toBuilder().path("keep").build().writeTo(driver.getConfiguration());
    List<byte[]> chunks = List.of(random(5, 100));
    repository.store(chunks);
    driver.withInput(new Text("keep/a"), new ManifestEntryWritable(file("keep/a", chunks, hashOf(chunks))))
        .withInput(new Text("keeper"), new ManifestEntryWritable(file("keeper", chunks, hashOf(chunks)))).run();
    assertTrue(Files.exists(target.resolve("keep/a")));
    assertFalse(Files.exists(target.resolve("keeper")));
  }
}
