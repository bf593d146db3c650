package org.hbackup.common.repo;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.util.List;
import java.util.Random;
import java.util.TreeMap;

import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.Path;
import org.hbackup.common.ChunkMismatchException;
import org.hbackup.common.id.ContentId;
import org.hbackup.common.index.IndexEntry;
import org.hbackup.common.testing.RepositoryFixture;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ChunkReaderTest {
  @TempDir
  java.nio.file.Path dir;

  private Configuration conf;
  private RepositoryFixture fixture;
  private IndexEntry honest;
  private byte[] data;

  @BeforeEach
  void storeAChunk() throws IOException {
    conf = new Configuration();
    fixture = RepositoryFixture.create(new Path(dir.resolve("repo").toUri()), conf);
    data = new byte[100_000];
    new Random(3).nextBytes(data);
    ContentId id = fixture.store(List.of(data)).get(0);
    honest = fixture.repository().openChunkIndex().lookup(id);
  }

  /** Many chunks of several sizes read through one reader, which keeps its blob buffer. */
  @Test
  void readsChunksOfEverySizeBackExactly() throws IOException {
    Random random = new Random(4);
    byte[][] chunks = new byte[40][];
    for (int i = 0; i < chunks.length; i++) {
      chunks[i] = new byte[random.nextInt(300_000) + 1];
      random.nextBytes(chunks[i]);
    }
    fixture.store(List.of(chunks));
    try (ChunkReader reader = new ChunkReader(fixture.repository(), conf)) {
      for (int round = 0; round < 2; round++) {
        for (int i = chunks.length - 1; i >= 0; i--) {
          assertArrayEquals(chunks[i], reader.read(ContentId.of(chunks[i]), chunks[i].length));
        }
      }
      assertArrayEquals(data, reader.read(honest.chunkId(), data.length));
    }
  }

  /**
   * An index row (and a manifest that agrees with it) may claim a chunk longer than any writer
   * makes: that is damage, reported for the chunk, never a buffer of that size (it was an
   * OutOfMemoryError that failed the whole task).
   */
  @Test
  void aRowClaimingAChunkLargerThanAnyWriterMakesIsDamage() throws IOException {
    ContentId forged = ContentId.of(new byte[] {1, 2, 3});
    TreeMap<ContentId, IndexEntry> rows = new TreeMap<>();
    rows.put(forged, new IndexEntry(forged, honest.packId(), honest.offset(), honest.storedLength(), Integer.MAX_VALUE));
    fixture.writeIndex(rows);
    ContentId forgedStored = ContentId.of(new byte[] {4, 5, 6});
    rows.clear();
    rows.put(forgedStored, new IndexEntry(forgedStored, honest.packId(), honest.offset(), Integer.MAX_VALUE - 8, 1000));
    fixture.writeIndex(rows);
    try (ChunkReader reader = new ChunkReader(fixture.repository(), conf)) {
      ChunkMismatchException raw = assertThrows(ChunkMismatchException.class,
          () -> reader.read(forged, Integer.MAX_VALUE));
      assertTrue(raw.getMessage().contains("largest chunk"), raw.getMessage());
      ChunkMismatchException stored = assertThrows(ChunkMismatchException.class, () -> reader.read(forgedStored, 1000));
      assertTrue(stored.getMessage().contains("largest chunk"), stored.getMessage());
      assertArrayEquals(data, reader.read(honest.chunkId(), data.length));
    }
  }

  /**
   * The bound on a blob is the format's, not config.json's: a config whose maxSize was lowered
   * (by a flipped byte, or by hand) must not turn every longer healthy chunk into damage.
   */
  @Test
  void aSmallerMaxSizeInConfigDoesNotMakeHealthyChunksDamaged() throws IOException {
    Repository repository = fixture.repository();
    RepositoryConfig old = repository.config();
    RepositoryConfig shrunk = new RepositoryConfig(old.id(), old.created(),
        new org.hbackup.common.chunk.ChunkerParameters(1024, 4096, 8192), old.compression(),
        old.compressionLevel(), old.packSize());
    try (java.io.OutputStream out = repository.fileSystem().create(repository.layout().config(), true)) {
      out.write(shrunk.toJson());
    }
    Repository reopened = Repository.open(repository.layout().root(), conf);
    assertTrue(reopened.config().chunker().max() < data.length);
    try (ChunkReader reader = new ChunkReader(reopened, conf)) {
      assertArrayEquals(data, reader.read(honest.chunkId(), data.length));
    }
  }

  /**
   * An index row whose offset is wrong (a flipped byte of an index file) reads the wrong bytes:
   * that is damage of the row, and the healthy pack it names is not recorded as damaged. Before,
   * it was, and every later backup stored that pack's chunks again.
   */
  @Test
  void aWrongOffsetInTheIndexIsNotRecordedAsDamageOfThePack() throws IOException {
    byte[] other = new byte[50_000];
    new Random(8).nextBytes(other);
    java.util.List<ContentId> ids = fixture.store(List.of(data, other));
    Repository repository = fixture.repository();
    IndexEntry second = null;
    try (org.hbackup.common.index.ChunkIndex index = repository.openChunkIndex()) {
      second = index.lookup(ids.get(1));
    }
    try (java.util.stream.Stream<java.nio.file.Path> files = java.nio.file.Files.list(dir.resolve("repo/index"))) {
      for (java.nio.file.Path f : files.toList()) {
        java.nio.file.Files.delete(f);
      }
    }
    TreeMap<ContentId, IndexEntry> rows = new TreeMap<>();
    rows.put(ids.get(0), new IndexEntry(ids.get(0), second.packId(), second.offset() + 1, second.storedLength() - 1,
        data.length));
    fixture.writeIndex(rows);
    try (ChunkReader reader = new ChunkReader(repository, conf)) {
      ChunkMismatchException e = assertThrows(ChunkMismatchException.class, () -> reader.read(ids.get(0), data.length));
      assertTrue(e.getMessage().contains("the index row is damaged"), e.getMessage());
    }
    assertTrue(DamageRecords.load(repository).isEmpty(), "the healthy pack is not recorded as damaged");
  }
}
