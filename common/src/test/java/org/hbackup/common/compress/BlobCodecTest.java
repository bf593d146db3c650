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
}
