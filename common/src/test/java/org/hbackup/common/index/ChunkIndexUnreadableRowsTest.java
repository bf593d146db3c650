package org.hbackup.common.index;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.util.List;

import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.hbackup.common.id.ContentId;
import org.hbackup.common.id.PackId;
import org.hbackup.common.testing.FaultFileSystem;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * An index file whose header, fanout and Bloom filter read but whose rows do not (a lost block in
 * the middle, a checksum error) is left out at the lookup that meets it, and the other files still
 * answer: before, that lookup's I/O error ended the restore (exit 1) instead of being damage.
 */
class ChunkIndexUnreadableRowsTest {
  @TempDir
  java.nio.file.Path dir;

  @Test
  void anIndexFileWhoseRowsCannotBeReadIsLeftOutAndTheOthersAnswer() throws IOException {
    ContentId chunk = ContentId.of(ByteBuffer.allocate(4).putInt(7).array());
    PackId lost = PackId.random();
    PackId kept = PackId.random();
    java.nio.file.Path indexDir = java.nio.file.Files.createDirectories(dir.resolve("index"));
    write(indexDir.resolve("aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa.idx"), new IndexEntry(chunk, lost, 24, 10, 20));
    write(indexDir.resolve("bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb.idx"), new IndexEntry(chunk, kept, 48, 10, 20));

    Configuration conf = new Configuration();
    FaultFileSystem.register(conf);
    conf.set(FaultFileSystem.FAIL_READS_IN_RANGE, "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa.idx@8-72"); // its one row
    Path faulty = new Path(FaultFileSystem.SCHEME + ":" + indexDir);
    FileSystem fs = faulty.getFileSystem(conf);
    try (ChunkIndex index = ChunkIndex.open(fs, faulty)) {
      assertEquals(2, index.fileCount(), "both files open: only their rows are unreadable");
      List<IndexEntry> found = index.locations(chunk);
      assertEquals(1, found.size(), found.toString());
      assertEquals(kept, found.get(0).packId());
      assertEquals(kept, index.lookup(chunk).packId());
      assertEquals(1, index.unreadable().size(), index.unreadable().toString());
      assertTrue(index.unreadable().get(0).contains("aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa.idx") && index.unreadable().get(0).contains("Input/output"),
          index.unreadable().toString());
    }
  }

  /**
   * Only files named as FORMAT.md section 3 names index files are read, as verify reads them:
   * an index file renamed to upper case (a case-insensitive copy) made verify call files lost that
   * restored, and an unreadable stray {@code notes.idx} failed every restore (exit 1) while verify
   * passed the point (found by a probe).
   */
  @Test
  void filesNotNamedAsIndexFilesAreIgnored() throws IOException {
    ContentId chunk = ContentId.of(ByteBuffer.allocate(4).putInt(9).array());
    java.nio.file.Path indexDir = java.nio.file.Files.createDirectories(dir.resolve("misnamed"));
    String hex = ContentId.of(new byte[] {1}).toHex();
    write(indexDir.resolve(hex.toUpperCase(java.util.Locale.ROOT) + ".idx"), new IndexEntry(chunk, PackId.random(), 24, 10,
        20));
    java.nio.file.Files.writeString(indexDir.resolve("notes.idx"), "not an index file");
    PackId kept = PackId.random();
    write(indexDir.resolve(hex + ".idx"), new IndexEntry(chunk, kept, 48, 10, 20));
    FileSystem fs = FileSystem.getLocal(new Configuration()).getRawFileSystem();
    try (ChunkIndex index = ChunkIndex.open(fs, new Path(indexDir.toUri()))) {
      assertEquals(1, index.fileCount(), "only the file with a lower-case hex name");
      assertEquals(kept, index.lookup(chunk).packId());
      assertTrue(index.unreadable().isEmpty(), index.unreadable().toString());
    }
  }

  private static void write(java.nio.file.Path file, IndexEntry entry) throws IOException {
    FileSystem local = FileSystem.getLocal(new Configuration()).getRawFileSystem();
    try (OutputStream out = local.create(new Path(file.toUri())); IndexWriter writer = new IndexWriter(out, 1)) {
      writer.add(entry);
      writer.finish();
    }
  }
}
