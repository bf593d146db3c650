package org.hbackup.common.index;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.util.TreeMap;

import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.hbackup.common.id.ContentId;
import org.hbackup.common.id.PackId;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The ChunkIndexes of one JVM (the local runner's tasks) share the blocks they read: a second
 * index over the same files reads none again, and a file written anew under the same name is.
 */
class ChunkIndexSharedBlocksTest {
  @TempDir
  java.nio.file.Path dir;

  private static ContentId chunk(int i, int salt) {
    return ContentId.of(ByteBuffer.allocate(8).putInt(i).putInt(salt).array());
  }

  @Test
  void aSecondIndexOverTheSameFilesReadsNoBlockAgain() throws IOException {
    FileSystem fs = FileSystem.getLocal(new Configuration()).getRawFileSystem();
    Path indexDir = new Path(dir.toUri().toString(), "index");
    PackId pack = PackId.random();
    write(fs, new Path(indexDir, "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa.idx"), pack, 0, 5000);
    IndexBlockCache shared = IndexBlockCache.shared();

    long before = shared.loads();
    try (ChunkIndex first = ChunkIndex.open(fs, indexDir)) {
      for (int i = 0; i < 5000; i += 3) {
        assertNotNull(first.lookup(chunk(i, 0)), "chunk " + i);
      }
    }
    long read = shared.loads() - before;
    assertTrue(read >= 5, "5,000 rows are 5 blocks, each read once: " + read);
    try (ChunkIndex second = ChunkIndex.open(fs, indexDir)) {
      for (int i = 0; i < 5000; i += 3) {
        IndexEntry e = second.lookup(chunk(i, 0));
        assertEquals(10L * i, e.offset());
      }
    }
    assertEquals(before + read, shared.loads(), "the second index (a later task) found every block read");

    // The same name and length, other rows (a repair publishes a file again): its blocks are read
    // anew, known by the new modification time.
    Path file = new Path(indexDir, "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa.idx");
    long length = fs.getFileStatus(file).getLen();
    long mtime = fs.getFileStatus(file).getModificationTime();
    fs.delete(file, false);
    write(fs, file, pack, 1, 5000);
    fs.setTimes(file, mtime + 2000, -1);
    assertEquals(length, fs.getFileStatus(file).getLen(), "only the modification time tells the files apart");
    try (ChunkIndex third = ChunkIndex.open(fs, indexDir)) {
      assertNull(third.lookup(chunk(3, 0)), "the old file's rows are not served");
      assertEquals(30L, third.lookup(chunk(3, 1)).offset());
    }
    assertTrue(shared.loads() > before + read);
  }

  private static void write(FileSystem fs, Path file, PackId pack, int salt, int count) throws IOException {
    TreeMap<ContentId, IndexEntry> entries = new TreeMap<>();
    for (int i = 0; i < count; i++) {
      entries.put(chunk(i, salt), new IndexEntry(chunk(i, salt), pack, 10L * i, 10, 20));
    }
    try (OutputStream out = fs.create(file); IndexWriter writer = new IndexWriter(out, entries.size())) {
      for (IndexEntry e : entries.values()) {
        writer.add(e);
      }
      writer.finish();
    }
  }
}
