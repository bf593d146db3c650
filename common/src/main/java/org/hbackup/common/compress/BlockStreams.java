package org.hbackup.common.compress;

import java.io.IOException;

import net.jpountz.lz4.LZ4Exception;
import net.jpountz.lz4.LZ4Factory;
import net.jpountz.lz4.LZ4SafeDecompressor;
import org.xerial.snappy.Snappy;

/**
 * Decodes the block streams of blob methods 2 ({@code lz4}) and 3 ({@code snappy}) by the grammar
 * of FORMAT.md section 6, every length checked against what the blob and the chunk have left
 * before a byte is decoded. Written here instead of reading through Hadoop's
 * {@code BlockDecompressorStream}: its Snappy decompressor hands a raw block to native code with
 * an output buffer of 256 KiB whatever length the block declares, and a blob of a hostile
 * repository declaring 2 MB overran it (the JVM died of SIGSEGV); its LZ4 one throws unchecked
 * exceptions on malformed input. LZ4 blocks go to lz4-java's bounds-checked decompressor; a
 * Snappy block is validated and its declared length checked before snappy-java decodes it.
 */
final class BlockStreams {
  private static final LZ4SafeDecompressor LZ4 = LZ4Factory.fastestInstance().safeDecompressor();

  private BlockStreams() {
  }

  /** Decodes the block stream {@code blob[from..to)} into all of {@code out}, or fails. */
  static void decode(Compression method, byte[] blob, int from, int to, byte[] out) throws IOException {
    int in = from;
    int written = 0;
    while (in < to) {
      long plain = u32(blob, in, to, "a group's length");
      in += Integer.BYTES;
      if (plain > out.length - written) {
        throw new IOException("a group of the blob says it decodes to " + plain + " bytes, more than the "
            + (out.length - written) + " left of the chunk");
      }
      int groupEnd = written + (int) plain;
      while (written < groupEnd) {
        long n = u32(blob, in, to, "a piece's length");
        in += Integer.BYTES;
        if (n > to - in) {
          throw new IOException("a piece of the blob says it has " + n + " bytes, more than the " + (to - in)
              + " left");
        }
        written += piece(method, blob, in, (int) n, out, written, groupEnd - written);
        in += (int) n;
      }
    }
    if (written != out.length) {
      throw new IOException("blob decodes to " + written + " bytes, expected " + out.length);
    }
  }

  /** Decodes one raw block into {@code out} at {@code at}, at most {@code room} bytes; returns how many. */
  private static int piece(Compression method, byte[] blob, int offset, int length, byte[] out, int at, int room)
      throws IOException {
    if (method == Compression.LZ4) {
      try {
        return LZ4.decompress(blob, offset, length, out, at, room);
      } catch (LZ4Exception e) {
        throw new IOException("an LZ4 block of the blob is malformed or decodes to more than the " + room
            + " bytes left of its group", e);
      }
    }
    if (!Snappy.isValidCompressedBuffer(blob, offset, length)) {
      throw new IOException("a Snappy block of the blob is malformed");
    }
    int declared = Snappy.uncompressedLength(blob, offset, length);
    if (declared < 0 || declared > room) {
      throw new IOException("a Snappy block of the blob says it decodes to " + declared + " bytes, more than the "
          + room + " left of its group");
    }
    return Snappy.uncompress(blob, offset, length, out, at);
  }

  private static long u32(byte[] b, int at, int to, String what) throws IOException {
    if (to - at < Integer.BYTES) {
      throw new IOException("the blob ends inside " + what);
    }
    return ((b[at] & 0xffL) << 24) | ((b[at + 1] & 0xff) << 16) | ((b[at + 2] & 0xff) << 8) | (b[at + 3] & 0xff);
  }
}
