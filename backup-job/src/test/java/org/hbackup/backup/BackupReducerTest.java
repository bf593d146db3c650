package org.hbackup.backup;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.TreeMap;

import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileStatus;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.apache.hadoop.io.BytesWritable;
import org.apache.hadoop.io.NullWritable;
import org.apache.hadoop.mrunit.mapreduce.ReduceDriver;
import org.hbackup.common.id.ContentId;
import org.hbackup.common.id.PackId;
import org.hbackup.common.id.PointId;
import org.hbackup.common.index.IndexEntry;
import org.hbackup.common.index.IndexFileReader;
import org.hbackup.common.manifest.ChunkRef;
import org.hbackup.common.manifest.EntryType;
import org.hbackup.common.manifest.ManifestEntry;
import org.hbackup.common.manifest.ChangeKind;
import org.hbackup.common.manifest.ChangeListReader;
import org.hbackup.common.manifest.ManifestList;
import org.hbackup.common.manifest.ManifestReader;
import org.hbackup.common.manifest.SegmentReader;
import org.hbackup.common.manifest.RelativePaths;
import org.hbackup.common.testing.RepositoryFixture;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class BackupReducerTest {
  @TempDir
  java.nio.file.Path dir;

  private Path staging;
  private FileSystem fs;
  private PointId point;
  private ReduceDriver<BackupKey, BytesWritable, NullWritable, NullWritable> driver;

  /** The reducer with its work directory pointed at a test folder instead of a committer's. */
  static final class TestableBackupReducer extends BackupReducer {
    @Override
    protected Path workPath(Context context) {
      return new Path(context.getConfiguration().get("test.work"));
    }
  }

  @BeforeEach
  void setUp() throws IOException {
    staging = new Path(dir.resolve("staging").toUri());
    fs = FileSystem.getLocal(new Configuration()).getRawFileSystem();
    point = PointId.create(java.time.Instant.now());
    driver = ReduceDriver.newReduceDriver(new TestableBackupReducer());
    driver.getConfiguration().set("test.work", staging.toString());
    driver.getConfiguration().set(BackupConfigKeys.POINT, point.toString());
    // Every job has them; the reducer reads the repository only when there is a base point.
    driver.getConfiguration().set(BackupConfigKeys.SOURCE, "file:///source");
    driver.getConfiguration().set(BackupConfigKeys.REPOSITORY, new Path(dir.resolve("repo").toUri()).toString());
  }

  private static BytesWritable bytes(byte[] b) {
    return new BytesWritable(b);
  }

  private static ManifestEntry file(String path, byte[] content) {
    ContentId id = ContentId.of(content);
    return ManifestEntry.builder(EntryType.FILE, path).length(content.length).permission((short) 0644)
        .owner("u").group("g").modificationTime(1000).fileHash(id)
        .chunks(List.of(new ChunkRef(id, content.length))).build();
  }

  @Test
  void writesTheIndexAndTheSortedManifestIntoStaging() throws IOException {
    TreeMap<ContentId, IndexEntry> rows = new TreeMap<>();
    PackId pack = PackId.random();
    List<ManifestEntry> entries = new ArrayList<>();
    entries.add(ManifestEntry.builder(EntryType.DIRECTORY, "").permission((short) 0755).owner("u").group("g").build());
    for (int i = 0; i < 50; i++) {
      byte[] content = ("file " + i).getBytes(StandardCharsets.UTF_8);
      entries.add(file("f" + i, content));
      rows.put(ContentId.of(content), new IndexEntry(ContentId.of(content), pack, 24 + 10L * i, 10, content.length));
    }
    entries.sort((a, b) -> RelativePaths.compare(a.path(), b.path()));
    for (IndexEntry row : rows.values()) {
      // Two tasks stored the same chunk: the reducer keeps one row.
      driver.withInput(new BackupKey(BackupKey.INDEX, row.chunkId().bytes()), List.of(bytes(row.toBytes()), bytes(row.toBytes())));
    }
    for (ManifestEntry e : entries) {
      driver.withInput(new BackupKey(BackupKey.MANIFEST, e.path().getBytes(StandardCharsets.UTF_8)),
          List.of(bytes(ShuffleRecord.entry(e, null))));
    }
    driver.run();

    FileStatus[] indexFiles = fs.listStatus(new Path(staging, "index"));
    assertEquals(1, indexFiles.length);
    try (IndexFileReader index = new IndexFileReader(fs.open(indexFiles[0].getPath()), indexFiles[0].getLen(), "idx")) {
      assertEquals(50, index.entries());
      for (IndexEntry row : rows.values()) {
        assertNotNull(index.lookup(row.chunkId()));
      }
      assertNull(index.lookup(ContentId.of(new byte[] {1})));
      assertEquals(indexFiles[0].getPath().getName(), ContentId.of(java.nio.file.Files.readAllBytes(
          java.nio.file.Paths.get(indexFiles[0].getPath().toUri()))).toHex() + ".idx");
    }
    ManifestList list = stagedList();
    assertNull(list.point(), "a list is named by its content, not by a point");
    assertEquals(ContentId.of(java.nio.file.Files.readAllBytes(java.nio.file.Paths.get(
        new Path(staging, "manifest.json").toUri()))), list.contentId());
    assertEquals(50, list.totals().files());
    assertEquals(1, list.totals().directories());
    assertEquals(entries, stagedEntries());
  }

  @Test
  void refusesAPathListedTwice() throws IOException {
    ManifestEntry e = file("twice", new byte[] {1});
    driver.withInput(new BackupKey(BackupKey.MANIFEST, "twice".getBytes(StandardCharsets.UTF_8)),
        List.of(bytes(ShuffleRecord.entry(e, null)), bytes(ShuffleRecord.entry(e, null))));
    assertThrows(IOException.class, () -> driver.run());
  }

  private static ManifestEntry directory(String path) {
    return ManifestEntry.builder(EntryType.DIRECTORY, path).permission((short) 0755).owner("u").group("g").build();
  }

  private void input(String path, byte[]... records) {
    List<BytesWritable> values = new ArrayList<>();
    for (byte[] r : records) {
      values.add(bytes(r));
    }
    driver.withInput(new BackupKey(BackupKey.MANIFEST, path.getBytes(StandardCharsets.UTF_8)), values);
  }

  @Test
  void classifiesEveryPathAgainstTheBasePoint() throws IOException {
    Configuration conf = new Configuration();
    Path repo = new Path(dir.resolve("repo").toUri());
    RepositoryFixture repository = RepositoryFixture.create(repo, conf);
    byte[] a = {1};
    byte[] b = {2};
    byte[] c = {3};
    ManifestEntry cBefore = file("c", c);
    PointId base = repository.writeManifest(List.of(directory(""), file("a", a), file("b", b), cBefore,
        file("d", new byte[] {4}), file("e", new byte[] {5}), directory("old"), file("old/f", new byte[] {6})));
    driver.getConfiguration().set(BackupConfigKeys.REPOSITORY, repo.toString());
    driver.getConfiguration().set(BackupConfigKeys.BASE_POINT, base.toString());

    input("", ShuffleRecord.entry(directory(""), null));
    input("a", ShuffleRecord.entry(file("a", a), null));
    input("b", ShuffleRecord.entry(file("b", new byte[] {2, 2}), null));
    input("c", ShuffleRecord.entry(ManifestEntry.builder(EntryType.FILE, "c").length(1).permission((short) 0600)
        .owner("u").group("g").modificationTime(1000).fileHash(cBefore.fileHash()).chunks(cBefore.chunks()).build(), null));
    input("e", ShuffleRecord.entry(directory("e"), null));
    input("e/x", ShuffleRecord.entry(file("e/x", new byte[] {7}), null));
    input("new", ShuffleRecord.entry(directory("new"), "old"));
    input("new/f", ShuffleRecord.entry(file("new/f", new byte[] {6}), "old/f"));
    // The marks may arrive before or after an entry under the same key; here there is none.
    input("old", ShuffleRecord.movedAway("new"));
    input("old/f", ShuffleRecord.movedAway("new/f"));
    input("z", ShuffleRecord.entry(file("z", new byte[] {8}), null));
    driver.run();

    List<String> listed = new ArrayList<>();
    try (ChangeListReader reader = new ChangeListReader(fs.open(new Path(staging, "manifest.changes")), "changes")) {
      for (ChangeListReader.Change ch = reader.next(); ch != null; ch = reader.next()) {
        listed.add(ch.kind().reportName() + " " + ch.path() + (ch.from() == null ? "" : " <- " + ch.from()));
      }
    }
    assertEquals(List.of("modified b", "metadata c", "deleted d", "type-changed e", "added e/x",
        "renamed new <- old", "renamed new/f <- old/f", "added z"), listed);
    assertEquals(2, counter(BackupCounters.PATHS_ADDED));
    assertEquals(1, counter(BackupCounters.PATHS_MODIFIED));
    assertEquals(1, counter(BackupCounters.PATHS_METADATA_ONLY));
    assertEquals(1, counter(BackupCounters.PATHS_DELETED), "a renamed path is not deleted");
    assertEquals(2, counter(BackupCounters.PATHS_RENAMED));
    assertEquals(1, counter(BackupCounters.PATHS_TYPE_CHANGED));
    assertEquals(2, counter(BackupCounters.PATHS_UNCHANGED));
    try (InputStream in = fs.open(new Path(staging, "stats.json"))) {
      com.fasterxml.jackson.databind.JsonNode stats = org.hbackup.common.io.Json.parse(in, "stats.json");
      assertEquals(2, stats.path("changes").path(ChangeKind.RENAMED.reportName()).asLong());
    }
  }

  @Test
  void aFullBackupHasNoChangeList() throws IOException {
    input("", ShuffleRecord.entry(directory(""), null));
    driver.run();
    assertEquals(false, fs.exists(new Path(staging, "manifest.changes")));
    assertEquals(0, counter(BackupCounters.PATHS_ADDED));
  }

  private long counter(BackupCounters c) {
    return driver.getCounters().findCounter(c).getValue();
  }

  private static ManifestEntry rangeOf(String path, byte[] data, int from, int to) {
    byte[] part = java.util.Arrays.copyOfRange(data, from, to);
    List<ChunkRef> chunks = new ArrayList<>();
    for (int off = 0; off < part.length; off += 1000) {
      byte[] c = java.util.Arrays.copyOfRange(part, off, Math.min(part.length, off + 1000));
      chunks.add(new ChunkRef(ContentId.of(c), c.length));
    }
    return ManifestEntry.builder(EntryType.FILE, path).length(part.length).permission((short) 0644)
        .owner("u").group("g").modificationTime(1000).fileHash(ContentId.of(part)).chunks(chunks).build();
  }

  private ManifestList stagedList() throws IOException {
    try (InputStream in = fs.open(new Path(staging, "manifest.json"))) {
      return ManifestList.fromJson(in, "manifest.json");
    }
  }

  /** The entries of the manifest the reducer staged, read back through its segments. */
  private List<ManifestEntry> stagedEntries() throws IOException {
    ManifestList list = stagedList();
    List<ManifestEntry> read = new ArrayList<>();
    try (ManifestReader reader = ManifestReader.all(row -> {
      try (InputStream in = fs.open(new Path(new Path(staging, "segments"), row.id().toHex() + ".seg"))) {
        return SegmentReader.open(row.id(), in, row.id().toHex()).expecting(row);
      }
    }, list)) {
      for (ManifestEntry e = reader.next(); e != null; e = reader.next()) {
        read.add(e);
      }
    }
    return read;
  }

  @Test
  void joinsTheRangesOfALargeFileInOrder() throws IOException {
    byte[] data = new byte[10_500];
    new java.util.Random(9).nextBytes(data);
    // Ranges arrive in any order.
    input("large", ShuffleRecord.range(2, 3, 4096, rangeOf("large", data, 8192, 10_500)),
        ShuffleRecord.range(0, 3, 4096, rangeOf("large", data, 0, 4096)),
        ShuffleRecord.range(1, 3, 4096, rangeOf("large", data, 4096, 8192)));
    driver.run();
    ManifestEntry e = stagedEntries().get(0);
    assertEquals(10_500, e.length());
    assertEquals(4096, e.rangeSize());
    org.hbackup.common.id.FileHasher whole = new org.hbackup.common.id.FileHasher(4096);
    whole.update(data, 0, data.length);
    assertEquals(whole.finish(), e.fileHash(), "what a restore computes from the content");
    assertEquals(5 + 5 + 3, e.chunks().size(), "1,000-byte chunks, cut at each range end");
    assertEquals(0, counter(BackupCounters.FILES_CHANGED_WHILE_READ));
  }

  /**
   * Ranges read from different versions of the file (an object's ETags) are joined and the file is
   * counted as changing; ranges of one version, or that name none (nothing read), are not.
   */
  @Test
  void rangesReadFromDifferentVersionsOfAFileNameItAsChanging() throws IOException {
    byte[] data = new byte[10_500];
    new java.util.Random(11).nextBytes(data);
    input("rewritten", ShuffleRecord.range(0, 3, 4096, rangeOf("rewritten", data, 0, 4096), "\"etag-1\""),
        ShuffleRecord.range(1, 3, 4096, rangeOf("rewritten", data, 4096, 8192), "\"etag-2\""),
        ShuffleRecord.range(2, 3, 4096, rangeOf("rewritten", data, 8192, 10_500), "\"etag-2\""));
    input("steady", ShuffleRecord.range(0, 2, 4096, rangeOf("steady", data, 0, 4096), "\"etag-3\""),
        ShuffleRecord.range(1, 2, 4096, rangeOf("steady", data, 4096, 6000), ""));
    driver.run();
    assertEquals(2, stagedEntries().size(), "both are in the point, as read");
    assertEquals(1, counter(BackupCounters.FILES_CHANGING));
  }

  @Test
  void aFileThatShrankWhileItsRangesWereReadEndsAtTheShortRange() throws IOException {
    byte[] data = new byte[6000];
    new java.util.Random(10).nextBytes(data);
    input("shrank", ShuffleRecord.range(0, 3, 4096, rangeOf("shrank", data, 0, 4096)),
        ShuffleRecord.range(1, 3, 4096, rangeOf("shrank", data, 4096, 6000)),
        ShuffleRecord.range(2, 3, 4096, rangeOf("shrank", new byte[0], 0, 0)));
    driver.run();
    ManifestEntry e = stagedEntries().get(0);
    assertEquals(6000, e.length());
    assertEquals(1, counter(BackupCounters.FILES_CHANGED_WHILE_READ));
    assertEquals(1, counter(BackupCounters.FILES_CHANGING), "named: the point may hold a state it never had");
  }

  /** Found by a probe: a file of 150 MB deleted after the listing was published empty, exit 0, named nowhere. */
  @Test
  void aFileWhoseRangesAllVanishedIsNamed() throws IOException {
    input("gone", ShuffleRecord.range(0, 3, 4096, rangeOf("gone", new byte[0], 0, 0)),
        ShuffleRecord.range(1, 3, 4096, rangeOf("gone", new byte[0], 0, 0)),
        ShuffleRecord.range(2, 3, 4096, rangeOf("gone", new byte[0], 0, 0)));
    driver.run();
    assertEquals(1, counter(BackupCounters.FILES_CHANGED_WHILE_READ));
    assertEquals(1, counter(BackupCounters.FILES_CHANGING), "named in the report: exit 4");
  }

  @Test
  void aMissingRangeFailsTheJobInsteadOfWritingAHole() throws IOException {
    byte[] data = new byte[9000];
    input("holes", ShuffleRecord.range(0, 3, 4096, rangeOf("holes", data, 0, 4096)),
        ShuffleRecord.range(2, 3, 4096, rangeOf("holes", data, 8192, 9000)));
    assertThrows(IOException.class, () -> driver.run());
  }

  @Test
  void reportsSkippedEntriesKeepsAnUnlistableDirectoryAndDropsAnUnreadableFile() throws IOException {
    Path report = new Path(dir.resolve("report.skipped").toUri());
    driver.getConfiguration().set(BackupConfigKeys.SKIPPED_REPORT, report.toString());
    ManifestEntry locked = ManifestEntry.builder(EntryType.DIRECTORY, "locked").permission((short) 0).build();
    ManifestEntry range = file("secret", new byte[] {1, 2});
    driver.withInput(new BackupKey(BackupKey.MANIFEST, "locked".getBytes(StandardCharsets.UTF_8)), List.of(
            bytes(ShuffleRecord.entry(locked, null)),
            bytes(ShuffleRecord.skipped(ShuffleRecord.UNREADABLE, "cannot list its contents: Permission denied"))))
        .withInput(new BackupKey(BackupKey.MANIFEST, "pipe".getBytes(StandardCharsets.UTF_8)), List.of(
            bytes(ShuffleRecord.skipped(ShuffleRecord.SPECIAL, "FIFO: special files are not backed up"))))
        .withInput(new BackupKey(BackupKey.MANIFEST, "secret".getBytes(StandardCharsets.UTF_8)), List.of(
            bytes(ShuffleRecord.range(1, 2, 1, range)),
            bytes(ShuffleRecord.skipped(ShuffleRecord.UNREADABLE, "cannot be read: Permission denied"))))
        .run();
    List<SkippedReport.Skipped> skipped = SkippedReport.readAndDelete(report, new Configuration(), 100);
    assertEquals(List.of(
        new SkippedReport.Skipped("locked", "unreadable: cannot list its contents: Permission denied"),
        new SkippedReport.Skipped("pipe", "special file: FIFO: special files are not backed up"),
        new SkippedReport.Skipped("secret", "unreadable: cannot be read: Permission denied")), skipped);
    List<String> paths = new ArrayList<>();
    stagedEntries().forEach(e -> paths.add(e.path()));
    assertEquals(List.of("locked"), paths, "the directory stays, empty; the unreadable file is left out");
  }

  /**
   * Two range tasks of one file that both find it unreadable (it became a directory, say): the
   * report names it once and it counts once; it was reported and counted once per range.
   */
  @Test
  void aFileThatSeveralRangeTasksCouldNotReadIsReportedAndCountedOnce() throws IOException {
    Path report = new Path(dir.resolve("report-once.skipped").toUri());
    driver.getConfiguration().set(BackupConfigKeys.SKIPPED_REPORT, report.toString());
    driver.withInput(new BackupKey(BackupKey.MANIFEST, "big".getBytes(StandardCharsets.UTF_8)), List.of(
            bytes(ShuffleRecord.skipped(ShuffleRecord.UNREADABLE, "a directory since it was listed")),
            bytes(ShuffleRecord.skipped(ShuffleRecord.UNREADABLE, "a directory since it was listed")),
            bytes(ShuffleRecord.skipped(ShuffleRecord.UNREADABLE, "a directory since it was listed"))))
        .withInput(new BackupKey(BackupKey.MANIFEST, "pipe".getBytes(StandardCharsets.UTF_8)), List.of(
            bytes(ShuffleRecord.skipped(ShuffleRecord.SPECIAL, "FIFO: special files are not backed up"))))
        .withInput(new BackupKey(BackupKey.MANIFEST, "open".getBytes(StandardCharsets.UTF_8)), List.of(
            bytes(ShuffleRecord.skipped(ShuffleRecord.OPEN_FOR_WRITE, "left out (--open-files skip)"))))
        .run();
    List<SkippedReport.Skipped> skipped = SkippedReport.readAndDelete(report, new Configuration(), 100);
    assertEquals(3, skipped.size(), skipped.toString());
    assertEquals("big", skipped.get(0).path());
    assertEquals(1, counter(BackupCounters.ENTRIES_UNREADABLE));
    assertEquals(1, counter(BackupCounters.SPECIAL_FILES_SKIPPED));
    assertTrue(stagedEntries().isEmpty());
  }
}
