package org.hbackup.common.index;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.TreeMap;

import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.hbackup.common.FormatException;
import org.hbackup.common.id.ContentId;
import org.hbackup.common.id.PackId;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class IndexRoundTripTest {
  @TempDir
  java.nio.file.Path dir;

  private static ContentId chunk(int i) {
    return ContentId.of(ByteBuffer.allocate(4).putInt(i).array());
  }

  @Test
  void findsEveryEntryAndNothingElse() throws IOException {
    FileSystem fs = FileSystem.getLocal(new Configuration()).getRawFileSystem();
    Path file = new Path(dir.toUri().toString(), "x.idx");
    TreeMap<ContentId, IndexEntry> entries = new TreeMap<>();
    PackId pack = PackId.random();
    for (int i = 0; i < 5000; i++) {
      entries.put(chunk(i), new IndexEntry(chunk(i), pack, 24 + i * 100L, 100, 200 + i));
    }
    ContentId name;
    try (OutputStream out = fs.create(file); IndexWriter writer = new IndexWriter(out, entries.size())) {
      for (IndexEntry e : entries.values()) {
        writer.add(e);
      }
      name = writer.finish();
    }
    assertEquals(ContentId.of(java.nio.file.Files.readAllBytes(dir.resolve("x.idx"))), name, "named by its SHA-256");
    try (IndexFileReader reader = new IndexFileReader(fs.open(file), fs.getFileStatus(file).getLen(), "x.idx")) {
      assertEquals(5000, reader.entries());
      for (int i = 0; i < 5000; i += 7) {
        IndexEntry found = reader.lookup(chunk(i));
        assertNotNull(found, "entry " + i);
        assertEquals(24 + i * 100L, found.offset());
        assertEquals(200 + i, found.rawLength());
        assertEquals(pack, found.packId());
      }
      for (int i = 5000; i < 6000; i++) {
        assertNull(reader.lookup(chunk(i)));
      }
      List<ContentId> inOrder = new ArrayList<>();
      for (long i = 0; i < reader.entries(); i++) {
        inOrder.add(reader.entry(i).chunkId());
      }
      assertEquals(new ArrayList<>(entries.keySet()), inOrder);
    }
  }

  @Test
  void refusesEntriesOutOfOrder() throws IOException {
    FileSystem fs = FileSystem.getLocal(new Configuration()).getRawFileSystem();
    try (OutputStream out = fs.create(new Path(dir.toUri().toString(), "y.idx"));
         IndexWriter writer = new IndexWriter(out, 10)) {
      ContentId a = chunk(1);
      ContentId b = chunk(2);
      ContentId low = a.compareTo(b) < 0 ? a : b;
      ContentId high = a.compareTo(b) < 0 ? b : a;
      writer.add(new IndexEntry(high, PackId.random(), 24, 1, 1));
      assertThrows(IllegalStateException.class, () -> writer.add(new IndexEntry(low, PackId.random(), 24, 1, 1)));
    }
  }

  @Test
  void refusesATruncatedFile() throws IOException {
    FileSystem fs = FileSystem.getLocal(new Configuration()).getRawFileSystem();
    Path file = new Path(dir.toUri().toString(), "z.idx");
    try (OutputStream out = fs.create(file)) {
      out.write(new byte[] {'H', 'B', 'I', 'X', 0, 1, 0, 0});
    }
    assertThrows(FormatException.class, () -> new IndexFileReader(fs.open(file), 8, "z.idx"));
  }
  /**
   * One flipped bit in the Bloom filter's size, or an entry count that wraps around when
   * multiplied: refused as damage. Before, the first made every command that read the index ask
   * for gigabytes (out of memory), the second read blocks at negative positions.
   */
  @Test
  void refusesSizesThatDoNotFitTheFile() throws IOException {
    FileSystem fs = FileSystem.getLocal(new Configuration()).getRawFileSystem();
    Path file = new Path(dir.toUri().toString(), "b.idx");
    try (OutputStream out = fs.create(file); IndexWriter writer = new IndexWriter(out, 10)) {
      writer.add(new IndexEntry(chunk(1), PackId.random(), 24, 10, 20));
      writer.finish();
    }
    byte[] good = java.nio.file.Files.readAllBytes(dir.resolve("b.idx"));
    ByteBuffer footer = ByteBuffer.wrap(good, good.length - IndexFormat.FOOTER_LENGTH, IndexFormat.FOOTER_LENGTH);
    long bloomOffset = footer.getLong(good.length - IndexFormat.FOOTER_LENGTH + 16);

    byte[] bloomCount = good.clone();
    bloomCount[(int) bloomOffset + 2] ^= 0x08;
    FormatException e = assertThrows(FormatException.class, () -> read(fs, bloomCount));
    assertTrue(e.getMessage().contains("Bloom"), e.getMessage());

    byte[] wrapping = good.clone();
    ByteBuffer.wrap(wrapping).putLong(good.length - IndexFormat.FOOTER_LENGTH, (1L << 58) + 1);
    assertThrows(FormatException.class, () -> read(fs, wrapping));
    byte[] negative = good.clone();
    ByteBuffer.wrap(negative).putLong(good.length - IndexFormat.FOOTER_LENGTH + 24, -1L);
    assertThrows(FormatException.class, () -> read(fs, negative));
  }

  private IndexFileReader read(FileSystem fs, byte[] bytes) throws IOException {
    java.nio.file.Path p = dir.resolve("damaged.idx");
    java.nio.file.Files.write(p, bytes);
    Path file = new Path(p.toUri());
    return new IndexFileReader(fs.open(file), bytes.length, "damaged.idx");
  }
}
