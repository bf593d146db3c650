package org.hbackup.common.io;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

import java.io.ByteArrayInputStream;
import java.io.DataInputStream;
import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.util.Random;

import org.junit.jupiter.api.Test;

class CountingBufferedInputStreamTest {
  /** Single bytes, numbers, small and large reads, across buffer and source boundaries: the bytes and the count. */
  @Test
  void returnsTheSourcesBytesInOrderAndCountsThem() throws IOException {
    byte[] data = new byte[100_000];
    new Random(7).nextBytes(data);
    Random sizes = new Random(11);
    // The source hands out at most 37 bytes a call, as a decompressor may.
    CountingBufferedInputStream in = new CountingBufferedInputStream(trickling(data, 37), 64);
    DataInputStream numbers = new DataInputStream(in);
    byte[] out = new byte[data.length];
    int at = 0;
    while (at < data.length) {
      int kind = sizes.nextInt(4);
      if (kind == 0 || data.length - at < 8) {
        out[at++] = (byte) in.read();
      } else if (kind == 1) {
        int v = numbers.readInt();
        for (int i = 3; i >= 0; i--) {
          out[at + i] = (byte) v;
          v >>= 8;
        }
        at += 4;
      } else {
        int want = Math.min(data.length - at, kind == 2 ? sizes.nextInt(100) + 1 : sizes.nextInt(1000) + 64);
        numbers.readFully(out, at, want);
        at += want;
      }
      assertEquals(at, in.count());
    }
    assertArrayEquals(data, out);
    assertEquals(-1, in.read());
    assertEquals(-1, in.read(new byte[10], 0, 10));
    assertEquals(data.length, in.count(), "the end adds nothing to the count");
  }

  @Test
  void aReadOfNothingReturnsNothingAndBadBoundsAreRefused() throws IOException {
    CountingBufferedInputStream in = new CountingBufferedInputStream(new ByteArrayInputStream(new byte[] {1, 2}), 8);
    assertEquals(0, in.read(new byte[4], 2, 0));
    assertThrows(IndexOutOfBoundsException.class, () -> in.read(new byte[4], 3, 2));
    assertEquals(1, in.read());
    assertEquals(1, in.count());
  }

  /**
   * A source that keeps answering "nothing" (a decompressor fed a damaged frame may) ends the
   * stream, as JDK's BufferedInputStream did: the segment reader then reports the damage instead
   * of spinning forever.
   */
  @Test
  void aSourceThatReturnsNothingEndsTheStreamInsteadOfSpinning() {
    InputStream nothing = new InputStream() {
      @Override
      public int read() {
        return -1;
      }

      @Override
      public int read(byte[] b, int off, int len) {
        return 0;
      }
    };
    assertTimeoutPreemptively(java.time.Duration.ofSeconds(10), () -> {
      CountingBufferedInputStream in = new CountingBufferedInputStream(nothing, 8);
      assertEquals(-1, in.read());
      assertEquals(-1, in.read(new byte[4], 0, 4));
      assertEquals(-1, in.read(new byte[64], 0, 64), "a large read past the buffer too");
      assertThrows(java.io.EOFException.class, () -> new DataInputStream(in).readInt());
      assertEquals(0, in.count());
    });
  }

  private static InputStream trickling(byte[] data, int most) {
    return new FilterInputStream(new ByteArrayInputStream(data)) {
      @Override
      public int read(byte[] b, int off, int len) throws IOException {
        return super.read(b, off, Math.min(len, most));
      }
    };
  }
}
