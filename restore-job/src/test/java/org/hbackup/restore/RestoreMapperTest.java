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
    configure(false);
  }

  private void configure(boolean overwrite) throws IOException {
    RestoreOptions.builder().repository(new Path(dir.resolve("repo").toUri()))
        .point(PointId.create(java.time.Instant.now())).target(new Path(target.toUri())).overwrite(overwrite)
        .build().writeTo(driver.getConfiguration());
    java.nio.file.Path staging = target.resolve(".hbackup-restore-test");
    Files.createDirectories(staging);
    driver.getConfiguration().set(RestoreConfigKeys.STAGING, staging.toUri().toString());
  }

  private long count(RestoreCounters counter) {
    return driver.getCounters().findCounter(counter).getValue();
  }

  private void assertStagingEmpty() throws IOException {
    try (var listing = Files.list(target.resolve(".hbackup-restore-test"))) {
      assertEquals(0, listing.count(), "nothing left aside");
    }
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
      assertEquals(1, listing.count());
    }
    assertStagingEmpty();
    assertEquals(1, out.size());
    assertEquals(RestoreKey.DIRECTORY, out.get(0).getFirst().kind());
    assertEquals(1, driver.getCounters().findCounter(RestoreCounters.FILES).getValue());
    assertEquals(370_000, driver.getCounters().findCounter(RestoreCounters.BYTES_WRITTEN).getValue());
    assertEquals(2, driver.getCounters().findCounter(RestoreCounters.CHUNKS_READ).getValue());
  }

  /**
   * Each file is written through a buffer of its own size when smaller than 128 KiB: files of
   * every size around the buffer's limits, in one chunk or several, come back exactly.
   */
  @Test
  void writesFilesOfEverySizeAroundTheWriteBuffer() throws IOException {
    assertEquals(1, RestoreMapper.writeBufferSize(0));
    assertEquals(1000, RestoreMapper.writeBufferSize(1000));
    assertEquals(128 * 1024, RestoreMapper.writeBufferSize(128 * 1024 + 1));
    assertEquals(128 * 1024, RestoreMapper.writeBufferSize(1L << 40));
    int[][] layouts = {{0}, {1}, {4095}, {4097}, {60_000, 71_071}, {131_073}, {50_000, 50_000, 50_000}};
    List<byte[]> expected = new java.util.ArrayList<>();
    driver.withInput(new Text("sizes"), new ManifestEntryWritable(
        ManifestEntry.builder(EntryType.DIRECTORY, "sizes").permission((short) 0700).build()));
    for (int i = 0; i < layouts.length; i++) {
      List<byte[]> chunks = new java.util.ArrayList<>();
      java.io.ByteArrayOutputStream whole = new java.io.ByteArrayOutputStream();
      for (int length : layouts[i]) {
        if (length > 0) {
          byte[] chunk = random(100 + chunks.size() + 10 * i, length);
          chunks.add(chunk);
          whole.write(chunk);
        }
      }
      if (!chunks.isEmpty()) {
        repository.store(chunks);
      }
      ManifestEntry entry = file("sizes/f" + i, chunks, hashOf(chunks));
      driver.withInput(new Text(entry.path()), new ManifestEntryWritable(entry));
      expected.add(whole.toByteArray());
    }
    driver.run();
    for (int i = 0; i < layouts.length; i++) {
      assertArrayEquals(expected.get(i), Files.readAllBytes(target.resolve("sizes/f" + i)), "file " + i);
    }
    assertEquals(layouts.length, driver.getCounters().findCounter(RestoreCounters.FILES).getValue());
    assertStagingEmpty();
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
      assertEquals(1, listing.count(), "no partial file remains, only the staging directory");
    }
    assertStagingEmpty();
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

  private static ManifestEntry directory(String path) {
    return ManifestEntry.builder(EntryType.DIRECTORY, path).permission((short) 0755).build();
  }

  @Test
  void refusesAnEntryTheManifestCheckRefusedAndWritesNothingForIt() throws IOException {
    List<byte[]> chunks = List.of(random(6, 100));
    repository.store(chunks);
    ManifestEntryWritable below = new ManifestEntryWritable();
    below.set(file("link/pwned", chunks, hashOf(chunks)), "'link' is not a directory in this point");
    List<Pair<RestoreKey, BytesWritable>> out = driver.withInput(new Text("link/pwned"), below).run();
    assertEquals(1, out.size());
    assertEquals(RestoreKey.FAILURE, out.get(0).getFirst().kind());
    assertEquals(1, count(RestoreCounters.ENTRIES_REFUSED));
    assertFalse(Files.exists(target.resolve("link")));
  }

  @Test
  void neverWritesThroughASymlinkAlreadyInTheTarget() throws IOException {
    java.nio.file.Path outside = Files.createDirectories(dir.resolve("outside"));
    Files.createDirectories(target);
    Files.createSymbolicLink(target.resolve("link"), outside);
    List<byte[]> chunks = List.of(random(7, 100));
    repository.store(chunks);
    List<Pair<RestoreKey, BytesWritable>> out = driver
        .withInput(new Text("link"), new ManifestEntryWritable(directory("link")))
        .withInput(new Text("link/pwned"), new ManifestEntryWritable(file("link/pwned", chunks, hashOf(chunks))))
        .withInput(new Text("link/sub"), new ManifestEntryWritable(directory("link/sub"))).run();
    assertEquals(3, out.size());
    out.forEach(p -> assertEquals(RestoreKey.FAILURE, p.getFirst().kind()));
    assertEquals(3, count(RestoreCounters.ENTRIES_REFUSED));
    try (var listing = Files.list(outside)) {
      assertEquals(0, listing.count(), "nothing was written outside the target");
    }
    assertTrue(Files.isSymbolicLink(target.resolve("link")), "without --overwrite the link stays");
  }

  @Test
  void withOverwriteReplacesALinkInTheWayByARealDirectory() throws IOException {
    configure(true);
    java.nio.file.Path outside = Files.createDirectories(dir.resolve("outside"));
    Files.write(outside.resolve("precious"), new byte[] {9});
    Files.createSymbolicLink(target.resolve("link"), outside);
    Files.createSymbolicLink(target.resolve("file-link"), outside.resolve("precious"));
    List<byte[]> chunks = List.of(random(8, 100));
    repository.store(chunks);
    driver.withInput(new Text("file-link"), new ManifestEntryWritable(file("file-link", chunks, hashOf(chunks))))
        .withInput(new Text("link/pwned"), new ManifestEntryWritable(file("link/pwned", chunks, hashOf(chunks))))
        .run();
    assertEquals(2, count(RestoreCounters.FILES));
    assertFalse(Files.isSymbolicLink(target.resolve("link")));
    assertTrue(Files.isDirectory(target.resolve("link")));
    assertArrayEquals(chunks.get(0), Files.readAllBytes(target.resolve("link/pwned")));
    assertFalse(Files.isSymbolicLink(target.resolve("file-link")), "the link itself is replaced");
    assertArrayEquals(new byte[] {9}, Files.readAllBytes(outside.resolve("precious")), "not what it pointed to");
    try (var listing = Files.list(outside)) {
      assertEquals(1, listing.count());
    }
  }

  @Test
  void handsSymlinksToTheReducerInsteadOfCreatingThem() throws IOException {
    ManifestEntry link = ManifestEntry.builder(EntryType.SYMLINK, "link").symlinkTarget("/etc").build();
    List<Pair<RestoreKey, BytesWritable>> out = driver.withInput(new Text("link"), new ManifestEntryWritable(link)).run();
    assertEquals(1, out.size());
    assertEquals(RestoreKey.SYMLINK, out.get(0).getFirst().kind());
    assertFalse(Files.exists(target.resolve("link"), java.nio.file.LinkOption.NOFOLLOW_LINKS));
  }

  @Test
  void restoresANameOfTheLongestLengthTheFileSystemTakes() throws IOException {
    String name = "\u00e9".repeat(127) + "x";
    assertEquals(255, name.getBytes(StandardCharsets.UTF_8).length);
    List<byte[]> chunks = List.of(random(9, 100));
    repository.store(chunks);
    driver.withInput(new Text(name), new ManifestEntryWritable(file(name, chunks, hashOf(chunks)))).run();
    assertArrayEquals(chunks.get(0), Files.readAllBytes(target.resolve(name)));
    assertEquals(0, count(RestoreCounters.FILES_FAILED));
  }

  @Test
  void refusesEntriesThatWouldOverwriteTheRepository() throws IOException {
    driver.getConfiguration().set(RestoreConfigKeys.REPOSITORY_IN_TARGET, "backups/repo");
    List<byte[]> chunks = List.of(random(10, 100));
    repository.store(chunks);
    driver.withInput(new Text("backups/repo/config.json"),
        new ManifestEntryWritable(file("backups/repo/config.json", chunks, hashOf(chunks))))
        .withInput(new Text("backups/repo2"), new ManifestEntryWritable(file("backups/repo2", chunks, hashOf(chunks))))
        .run();
    assertEquals(1, count(RestoreCounters.ENTRIES_REFUSED));
    assertEquals(1, count(RestoreCounters.FILES));
    assertFalse(Files.exists(target.resolve("backups/repo/config.json")));
  }
}
