package org.hbackup.common.chunk;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Random;
import java.util.Set;

import org.hbackup.common.id.ContentId;
import org.junit.jupiter.api.Test;

class GearChunkerTest {
  private static final ChunkerParameters SMALL = new ChunkerParameters(2 * 1024, 8 * 1024, 32 * 1024);

  static List<ContentId> chunkIds(byte[] data, ChunkerParameters p) throws IOException {
    List<ContentId> ids = new ArrayList<>();
    ChunkingReader reader = new ChunkingReader(new ByteArrayInputStream(data), new GearChunker(p));
    long offset = 0;
    while (reader.next()) {
      assertEquals(offset, reader.streamOffset());
      ids.add(ContentId.of(reader.buffer(), reader.chunkOffset(), reader.chunkLength()));
      offset += reader.chunkLength();
    }
    assertEquals(data.length, offset);
    return ids;
  }

  static byte[] random(long seed, int length) {
    byte[] data = new byte[length];
    new Random(seed).nextBytes(data);
    return data;
  }

  @Test
  void cutsTheSameDataTheSameWay() throws IOException {
    byte[] data = random(1, 2_000_000);
    assertEquals(chunkIds(data, SMALL), chunkIds(data.clone(), SMALL));
  }

  @Test
  void gearTableIsTheDocumentedOne() {
    long[] table = GearChunker.gearTable();
    // docs/FORMAT.md pins the first entry so that a second implementation can check itself.
    assertEquals(0x2b2c3a0a123eb4b6L, table[0], "gear[0]; change only with a format version bump");
    assertEquals(0xe4b5814ee83c8fb8L, table[255], "gear[255]; change only with a format version bump");
  }

  @Test
  void respectsMinimumAndMaximumSizes() throws IOException {
    byte[] data = random(2, 3_000_000);
    ChunkingReader reader = new ChunkingReader(new ByteArrayInputStream(data), new GearChunker(SMALL));
    int chunks = 0;
    long total = 0;
    while (reader.next()) {
      total += reader.chunkLength();
      if (total < data.length) {
        assertTrue(reader.chunkLength() >= SMALL.min(), "chunk shorter than the minimum");
      }
      assertTrue(reader.chunkLength() <= SMALL.max(), "chunk longer than the maximum");
      chunks++;
    }
    double average = (double) data.length / chunks;
    assertTrue(average > SMALL.average() * 0.6 && average < SMALL.average() * 1.6, "average " + average);
  }

  @Test
  void cutsZerosAtTheMaximum() throws IOException {
    byte[] zeros = new byte[SMALL.max() * 3];
    ChunkingReader reader = new ChunkingReader(new ByteArrayInputStream(zeros), new GearChunker(SMALL));
    while (reader.next()) {
      assertEquals(SMALL.max(), reader.chunkLength());
    }
  }

  @Test
  void boundariesResynchronizeAfterAnInsertion() throws IOException {
    byte[] data = random(3, 1_000_000);
    byte[] edited = new byte[data.length + 100];
    int at = 500_000;
    System.arraycopy(data, 0, edited, 0, at);
    System.arraycopy(random(4, 100), 0, edited, at, 100);
    System.arraycopy(data, at, edited, at + 100, data.length - at);
    List<ContentId> before = chunkIds(data, SMALL);
    List<ContentId> after = chunkIds(edited, SMALL);
    Set<ContentId> shared = new HashSet<>(before);
    shared.retainAll(new HashSet<>(after));
    // Only the chunks around the insertion differ: at most two chunks changed on each side.
    assertTrue(before.size() - shared.size() <= 2, (before.size() - shared.size()) + " chunks changed");
    assertTrue(after.size() - shared.size() <= 3, (after.size() - shared.size()) + " new chunks");
  }

  @Test
  void anEmptyStreamHasNoChunks() throws IOException {
    assertEquals(0, chunkIds(new byte[0], SMALL).size());
  }

  /**
   * A buffer passed on from a previous task is larger than needed or still holds its bytes: the
   * cuts are the same as with a fresh buffer of the exact size.
   */
  @Test
  void aLentBufferCutsAsAFreshOne() throws IOException {
    byte[] data = random(11, 300 * 1024);
    GearChunker chunker = new GearChunker(SMALL);
    byte[] lent = random(12, ChunkingReader.bufferLength(chunker) + 12345);
    ChunkingReader reader = new ChunkingReader(chunker, lent);
    for (byte[] stream : List.of(random(13, 100 * 1024), data)) {
      reader.reset(new ByteArrayInputStream(stream));
      List<ContentId> ids = new ArrayList<>();
      while (reader.next()) {
        ids.add(ContentId.of(reader.buffer(), reader.chunkOffset(), reader.chunkLength()));
      }
      assertEquals(chunkIds(stream, SMALL), ids);
    }
    assertSame(lent, reader.buffer());
  }

  @Test
  void aBufferShorterThanFourMaximumChunksIsRefused() {
    GearChunker chunker = new GearChunker(SMALL);
    assertThrows(IllegalArgumentException.class,
        () -> new ChunkingReader(chunker, new byte[ChunkingReader.bufferLength(chunker) - 1]));
  }

  @Test
  void everyParameterSetTheFormatAllowsIsAccepted() throws IOException {
    // FORMAT.md §4: 64 <= min < avg < max <= 67,108,864, avg a power of two. The smallest set
    // must open (a repository written by another implementation with it is valid) and cut
    // within its bounds.
    ChunkerParameters smallest = new ChunkerParameters(64, 128, 129);
    byte[] data = random(21, 100_000);
    ChunkingReader reader = new ChunkingReader(new ByteArrayInputStream(data), new GearChunker(smallest));
    long total = 0;
    while (reader.next()) {
      total += reader.chunkLength();
      assertTrue(reader.chunkLength() <= 129, "chunk of " + reader.chunkLength());
      assertTrue(reader.chunkLength() >= 64 || total == data.length, "chunk of " + reader.chunkLength());
    }
    assertEquals(data.length, total);
    new ChunkerParameters(ChunkerParameters.LIMIT_MAX / 4, ChunkerParameters.LIMIT_MAX / 2,
        ChunkerParameters.LIMIT_MAX);
  }

  @Test
  void parameterSetsOutsideTheFormatAreRefused() {
    assertThrows(IllegalArgumentException.class, () -> new ChunkerParameters(63, 128, 256));
    assertThrows(IllegalArgumentException.class, () -> new ChunkerParameters(64, 192, 256));
    assertThrows(IllegalArgumentException.class, () -> new ChunkerParameters(128, 128, 256));
    assertThrows(IllegalArgumentException.class, () -> new ChunkerParameters(64, 128, 128));
    assertThrows(IllegalArgumentException.class,
        () -> new ChunkerParameters(64, 128, ChunkerParameters.LIMIT_MAX + 1));
  }
}
