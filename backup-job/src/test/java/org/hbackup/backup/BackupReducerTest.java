package org.hbackup.backup;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;

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
import org.hbackup.common.manifest.ManifestEntryCodec;
import org.hbackup.common.manifest.ManifestList;
import org.hbackup.common.manifest.ManifestReader;
import org.hbackup.common.manifest.SegmentReader;
import org.hbackup.common.manifest.RelativePaths;
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
          List.of(bytes(ManifestEntryCodec.toBytes(e))));
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
    ManifestList list;
    try (InputStream in = fs.open(new Path(staging, "manifest.json"))) {
      list = ManifestList.fromJson(in, "manifest.json");
    }
    assertEquals(point, list.point());
    assertEquals(50, list.totals().files());
    assertEquals(1, list.totals().directories());
    List<ManifestEntry> read = new ArrayList<>();
    try (ManifestReader reader = ManifestReader.all(id -> {
      try (InputStream in = fs.open(new Path(new Path(staging, "segments"), id.toHex() + ".seg"))) {
        return SegmentReader.open(id, in, id.toHex());
      }
    }, list)) {
      for (ManifestEntry e = reader.next(); e != null; e = reader.next()) {
        read.add(e);
      }
    }
    assertEquals(entries, read);
  }

  @Test
  void refusesAPathListedTwice() throws IOException {
    ManifestEntry e = file("twice", new byte[] {1});
    driver.withInput(new BackupKey(BackupKey.MANIFEST, "twice".getBytes(StandardCharsets.UTF_8)),
        List.of(bytes(ManifestEntryCodec.toBytes(e)), bytes(ManifestEntryCodec.toBytes(e))));
    assertThrows(IOException.class, () -> driver.run());
  }
}
