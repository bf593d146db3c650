package org.hbackup.common;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Random;

import com.google.common.hash.Hashing;
import net.jpountz.lz4.LZ4Factory;
import org.apache.hadoop.conf.Configuration;
import org.hbackup.common.compress.BlobCodec;
import org.hbackup.common.compress.Compression;
import org.hbackup.common.id.ContentId;
import org.hbackup.common.id.PackId;
import org.hbackup.common.index.IndexEntry;
import org.hbackup.common.index.IndexWriter;
import org.junit.jupiter.api.Test;

/**
 * Reads what hbackup writes the way docs/FORMAT.md says to, with no hbackup or Hadoop reader
 * code: the spec's own words are what an outside reader has, so they are tested here.
 */
class FormatSpecTest {
  /** Decodes a block stream (FORMAT.md section 6) whose pieces are raw LZ4 blocks. */
  private static byte[] decodeLz4BlockStream(byte[] payload, int rawLength) throws IOException {
    DataInputStream in = new DataInputStream(new ByteArrayInputStream(payload));
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    int groups = 0;
    while (in.available() > 0) {
      int plain = in.readInt();
      groups++;
      int produced = 0;
      while (produced < plain) {
        byte[] piece = new byte[in.readInt()];
        in.readFully(piece);
        byte[] decoded = new byte[plain - produced];
        int n = LZ4Factory.fastestJavaInstance().safeDecompressor().decompress(piece, 0, piece.length, decoded, 0);
        out.write(decoded, 0, n);
        produced += n;
      }
      assertEquals(plain, produced, "pieces add up to their group");
    }
    assertTrue(groups >= 1);
    assertEquals(rawLength, out.size());
    return out.toByteArray();
  }

  @Test
  void lz4BlobsFollowTheBlockStreamGrammar() throws IOException {
    Random random = new Random(1);
    for (int length : new int[] {1000, 200_000, 262_144, 1_048_576, 3_000_001}) {
      StringBuilder text = new StringBuilder(length + 64);
      while (text.length() < length) {
        text.append("2026-11-30 request ").append(random.nextInt(1000)).append(" served\n");
      }
      byte[] chunk = java.util.Arrays.copyOf(text.toString().getBytes(java.nio.charset.StandardCharsets.US_ASCII), length);
      try (BlobCodec codec = new BlobCodec(Compression.LZ4, 1, new Configuration())) {
        byte[] blob = codec.encode(chunk, 0, length);
        int blobLength = codec.encodedLength();
        assertEquals(Compression.LZ4.code(), blob[0], "compressible text is stored compressed");
        byte[] payload = java.util.Arrays.copyOfRange(blob, 1, blobLength);
        assertArrayEquals(chunk, decodeLz4BlockStream(payload, length), "length " + length);
      }
    }
  }

  /** The Bloom filter of FORMAT.md section 8, computed from the spec's words alone. */
  private static boolean specSaysPresent(long[] words, int k, byte[] id) {
    byte[] h = Hashing.murmur3_128().hashBytes(id).asBytes();
    ByteBuffer b = ByteBuffer.wrap(h).order(ByteOrder.LITTLE_ENDIAN);
    long h1 = b.getLong();
    long h2 = b.getLong();
    long m = 64L * words.length;
    for (int j = 0; j < k; j++) {
      long i = ((h1 + j * h2) & Long.MAX_VALUE) % m;
      if (((words[(int) (i >>> 6)] >>> (i & 63)) & 1) == 0) {
        return false;
      }
    }
    return true;
  }

  @Test
  void theIndexBloomFilterIsTheOneTheSpecDescribes() throws IOException {
    java.util.TreeMap<ContentId, IndexEntry> rows = new java.util.TreeMap<>();
    for (int i = 0; i < 500; i++) {
      ContentId id = ContentId.of(new byte[] {(byte) i, (byte) (i >> 8)});
      rows.put(id, new IndexEntry(id, PackId.random(), 24, 10, 9));
    }
    ByteArrayOutputStream file = new ByteArrayOutputStream();
    try (IndexWriter writer = new IndexWriter(file, rows.size())) {
      for (IndexEntry e : rows.values()) {
        writer.add(e);
      }
      writer.finish();
    }
    ByteBuffer f = ByteBuffer.wrap(file.toByteArray());
    int footer = f.limit() - 36;
    long bloomOffset = f.getLong(footer + 16);
    f.position((int) bloomOffset);
    assertEquals(1, f.get(), "strategy");
    int k = f.get() & 0xff;
    long[] words = new long[f.getInt()];
    for (int i = 0; i < words.length; i++) {
      words[i] = f.getLong();
    }
    for (ContentId id : rows.keySet()) {
      assertTrue(specSaysPresent(words, k, id.bytes()), id.toString());
    }
    int absentSaidPresent = 0;
    for (int i = 0; i < 10_000; i++) {
      if (specSaysPresent(words, k, ContentId.of(new byte[] {1, 2, (byte) i, (byte) (i >> 8)}).bytes())) {
        absentSaidPresent++;
      }
    }
    assertTrue(absentSaidPresent < 300, "about 1% false positives, not " + absentSaidPresent);
  }
}
