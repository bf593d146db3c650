package org.hbackup.verify;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FSDataInputStream;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.apache.hadoop.io.BytesWritable;
import org.apache.hadoop.io.NullWritable;
import org.apache.hadoop.mrunit.mapreduce.ReduceDriver;
import org.hbackup.common.id.ContentId;
import org.hbackup.common.id.PackId;
import org.hbackup.common.index.IndexEntry;
import org.hbackup.common.index.IndexFileReader;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Which copy of a chunk {@code repair index} names: before, the first row that was not found
 * damaged, so a copy in a pack that a damage record names could win over a good one, and the
 * old index files that named the good one were then deleted.
 */
class IndexRebuildReducerTest {
  @TempDir
  java.nio.file.Path dir;

  private static final PackId DAMAGED = PackId.copyOf(new byte[16], 0);
  private static final PackId GOOD = PackId.copyOf(filled((byte) 0xff), 0);

  private static byte[] filled(byte b) {
    byte[] bytes = new byte[16];
    java.util.Arrays.fill(bytes, b);
    return bytes;
  }

  @Test
  void namesAGoodCopyBeforeOneInAPackWithADamageRecord() throws IOException {
    assertEquals(GOOD, chosen(row(DAMAGED, 100, VerifyRecord.BLOB_SUSPECT), row(GOOD, 200, VerifyRecord.BLOB_UNREAD)));
    assertEquals(GOOD, chosen(row(GOOD, 200, VerifyRecord.BLOB_UNREAD), row(DAMAGED, 100, VerifyRecord.BLOB_SUSPECT)));
  }

  @Test
  void namesACopyReadAndFoundGoodFirstAndAPackWithADamageRecordOnlyAsTheLastResort() throws IOException {
    assertEquals(DAMAGED, chosen(row(GOOD, 200, VerifyRecord.BLOB_UNREAD), row(DAMAGED, 100, VerifyRecord.BLOB_OK)),
        "read and found good, though its pack has a record");
    assertEquals(DAMAGED, chosen(row(GOOD, 200, VerifyRecord.BLOB_BAD), row(DAMAGED, 100, VerifyRecord.BLOB_SUSPECT)),
        "the only copy not found damaged");
    assertNull(chosen(row(GOOD, 200, VerifyRecord.BLOB_BAD), row(DAMAGED, 100, VerifyRecord.BLOB_BAD)),
        "every copy damaged: the chunk is dropped");
  }

  private static BytesWritable row(PackId pack, long offset, byte state) throws IOException {
    return new BytesWritable(VerifyRecord.trailerRow(pack, offset, 10, 20, state, null));
  }

  /** The pack the rebuilt index names for one chunk with these trailer rows, or null for none. */
  private PackId chosen(BytesWritable... rows) throws IOException {
    java.nio.file.Path staging = Files.createTempDirectory(dir, "staging");
    ContentId chunk = ContentId.of("chunk".getBytes(StandardCharsets.UTF_8));
    ReduceDriver<VerifyKey, BytesWritable, NullWritable, NullWritable> driver =
        ReduceDriver.newReduceDriver(new IndexRebuildReducer());
    driver.getConfiguration().set(IndexRebuildReducer.STAGING, staging.toUri().toString());
    driver.withInput(new VerifyKey(VerifyKey.CHUNK, chunk.bytes(), (byte) 0), List.of(rows)).run();
    List<java.nio.file.Path> files = new ArrayList<>();
    try (Stream<java.nio.file.Path> list = Files.list(staging)) {
      list.filter(p -> p.toString().endsWith(".idx")).forEach(files::add);
    }
    assertEquals(1, files.size(), files.toString());
    Path file = new Path(files.get(0).toUri());
    FileSystem fs = file.getFileSystem(new Configuration());
    try (FSDataInputStream in = fs.open(file);
         IndexFileReader reader = new IndexFileReader(in, fs.getFileStatus(file).getLen(), file.toString())) {
      if (reader.entries() == 0) {
        return null;
      }
      IndexEntry e = reader.lookup(chunk);
      return e.packId();
    }
  }
}
