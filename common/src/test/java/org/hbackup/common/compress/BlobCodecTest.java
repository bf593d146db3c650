package org.hbackup.common.compress;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.Random;

import org.apache.hadoop.conf.Configuration;
import org.hbackup.common.id.ContentId;
import org.junit.jupiter.api.Test;

class BlobCodecTest {
  private static byte[] text(int n) {
    byte[] data = new byte[n];
    Random random = new Random(3);
    for (int i = 0; i < n; i++) {
      data[i] = (byte) ('a' + random.nextInt(4));
    }
    return data;
  }

  @Test
  void everyMethodRoundTrips() throws IOException {
    byte[] data = text(300_000);
    for (Compression method : Compression.values()) {
      try (BlobCodec codec = new BlobCodec(method, 3, new Configuration())) {
        byte[] blob = java.util.Arrays.copyOf(codec.encode(data, 0, data.length), codec.encodedLength());
        assertArrayEquals(data, codec.decode(blob, 0, blob.length, data.length), method.name());
        assertEquals(ContentId.of(data), codec.decodedId(blob, 0, blob.length, data.length), method.name());
      }
    }
  }

  /**
   * An LZ4 or Snappy blob whose compressed piece claims nearly 2 GiB is damage, found without
   * allocating it: before, Hadoop's block stream allocated the claimed length first, and restore
   * and verify --read-data died out of memory.
   */
  @Test
  void aCompressedPieceLongerThanTheBlobIsDamageNotAnAllocation() throws IOException {
    for (Compression method : new Compression[] {Compression.LZ4, Compression.SNAPPY}) {
      byte[] blob = ByteBuffer.allocate(1 + 4 + 4 + 16).put((byte) method.code()).putInt(100).putInt(0x7ffffff0)
          .array();
      try (BlobCodec codec = new BlobCodec(method, 3, new Configuration())) {
        IOException e = assertThrows(IOException.class, () -> codec.decode(blob, 0, blob.length, 100));
        assertTrue(e.getMessage().contains("more than"), e.getMessage());
        assertThrows(IOException.class, () -> codec.decodedId(blob, 0, blob.length, 100));
      }
    }
  }

  /** A raw Snappy block of 1 literal then copies of 64 bytes at offset 1, declaring {@code declared} bytes. */
  private static byte[] snappyBlock(int declared, int copies) {
    java.io.ByteArrayOutputStream b = new java.io.ByteArrayOutputStream();
    for (long v = declared; ; v >>>= 7) {
      if (v < 0x80) {
        b.write((int) v);
        break;
      }
      b.write((int) (v & 0x7f) | 0x80);
    }
    b.write(0);
    b.write('A');
    for (int i = 0; i < copies; i++) {
      b.write(0xfe);
      b.write(1);
      b.write(0);
    }
    return b.toByteArray();
  }

  private static byte[] blockStream(Compression method, long plain, byte[] piece) {
    return ByteBuffer.allocate(1 + 4 + 4 + piece.length).put((byte) method.code()).putInt((int) plain)
        .putInt(piece.length).put(piece).array();
  }

  /**
   * A Snappy block that declares 2 MB in a group of 300,000 bytes: Hadoop's decompressor gave the
   * native code its 256 KiB buffer whatever the block declared, and the JVM died of SIGSEGV in
   * restore and verify --read-data. Now it is damage, found before a byte is decoded.
   */
  @Test
  void aSnappyBlockDeclaringMoreThanItsGroupIsDamageNotAnOverrun() throws IOException {
    int copies = 32_768;
    byte[] hostile = blockStream(Compression.SNAPPY, 300_000, snappyBlock(1 + 64 * copies, copies));
    try (BlobCodec codec = new BlobCodec(Compression.SNAPPY, 3, new Configuration())) {
      IOException e = assertThrows(IOException.class, () -> codec.decode(hostile, 0, hostile.length, 300_000));
      assertTrue(e.getMessage().contains("says it decodes to 2097153 bytes, more than the 300000 left"),
          e.getMessage());
      assertThrows(IOException.class, () -> codec.decodedId(hostile, 0, hostile.length, 300_000));
      byte[] honest = blockStream(Compression.SNAPPY, 1 + 64 * 10, snappyBlock(1 + 64 * 10, 10));
      assertArrayEquals("A".repeat(641).getBytes(java.nio.charset.StandardCharsets.US_ASCII),
          codec.decode(honest, 0, honest.length, 641), "the same block, honest, decodes");
      byte[] garbage = blockStream(Compression.SNAPPY, 100, new byte[] {100, (byte) 0xff, (byte) 0xff, 1});
      assertThrows(IOException.class, () -> codec.decode(garbage, 0, garbage.length, 100));
    }
  }

  /** LZ4 blocks that overrun their group, or are not LZ4, are damage (an IOException, not LZ4Exception). */
  @Test
  void anLz4BlockThatOverrunsItsGroupOrIsMalformedIsDamage() throws IOException {
    byte[] data = text(10_000);
    byte[] block = net.jpountz.lz4.LZ4Factory.fastestInstance().fastCompressor().compress(data);
    try (BlobCodec codec = new BlobCodec(Compression.LZ4, 3, new Configuration())) {
      byte[] honest = blockStream(Compression.LZ4, data.length, block);
      assertArrayEquals(data, codec.decode(honest, 0, honest.length, data.length));
      byte[] overrun = blockStream(Compression.LZ4, 5_000, block);
      assertThrows(IOException.class, () -> codec.decode(overrun, 0, overrun.length, 5_000));
      byte[] garbage = blockStream(Compression.LZ4, 100, new byte[] {(byte) 0xff, (byte) 0xff, (byte) 0xff, 1, 2});
      assertThrows(IOException.class, () -> codec.decode(garbage, 0, garbage.length, 100));
      byte[] groupTooLong = blockStream(Compression.LZ4, data.length + 1L, block);
      IOException e = assertThrows(IOException.class, () -> codec.decode(groupTooLong, 0, groupTooLong.length, data.length));
      assertTrue(e.getMessage().contains("more than the 10000 left of the chunk"), e.getMessage());
      byte[] cut = java.util.Arrays.copyOf(honest, honest.length - 1);
      assertThrows(IOException.class, () -> codec.decode(cut, 0, cut.length, data.length));
    }
  }

  /** Chunks of several megabytes make streams of many groups, each of pieces, and a last empty group. */
  @Test
  void largeChunksRoundTripThroughManyGroups() throws IOException {
    byte[] data = text(4 << 20);
    for (Compression method : new Compression[] {Compression.LZ4, Compression.SNAPPY}) {
      try (BlobCodec codec = new BlobCodec(method, 3, new Configuration())) {
        byte[] blob = java.util.Arrays.copyOf(codec.encode(data, 0, data.length), codec.encodedLength());
        assertArrayEquals(data, codec.decode(blob, 0, blob.length, data.length), method.name());
      }
    }
  }
}
