package org.hbackup.common.io;

import java.io.IOException;
import java.io.InputStream;
import java.util.Objects;

/**
 * A buffered stream that counts the bytes it has returned. Written by hand because a manifest is
 * decoded a byte at a time (DataInputStream reads every number with one call per byte), and the
 * kept libraries' pair for this, JDK 17's BufferedInputStream under Guava's CountingInputStream,
 * costs a lock and two calls per byte: a 50k-entry point's segments decoded in 63-68 ms that way
 * once compiled, 43-46 ms through this (docs/BENCHMARKS.md). Not thread-safe: one reader owns it.
 */
public final class CountingBufferedInputStream extends InputStream {
  private final InputStream in;
  private final byte[] buffer;
  private int position;
  private int limit;
  private long count;

  public CountingBufferedInputStream(InputStream in, int bufferBytes) {
    if (bufferBytes <= 0) {
      throw new IllegalArgumentException("buffer of " + bufferBytes + " bytes");
    }
    this.in = in;
    this.buffer = new byte[bufferBytes];
  }

  /** Bytes returned so far (read, or skipped through a read). */
  public long count() {
    return count;
  }

  @Override
  public int read() throws IOException {
    if (position == limit && !fill()) {
      return -1;
    }
    count++;
    return buffer[position++] & 0xff;
  }

  @Override
  public int read(byte[] b, int off, int len) throws IOException {
    Objects.checkFromIndexSize(off, len, b.length);
    if (len == 0) {
      return 0;
    }
    if (position == limit) {
      if (len >= buffer.length) {
        // Nothing buffered and a large read: straight into the caller's array.
        int n = in.read(b, off, len);
        if (n <= 0) {
          return -1;
        }
        count += n;
        return n;
      }
      if (!fill()) {
        return -1;
      }
    }
    int n = Math.min(len, limit - position);
    System.arraycopy(buffer, position, b, off, n);
    position += n;
    count += n;
    return n;
  }

  @Override
  public int available() throws IOException {
    return (limit - position) + in.available();
  }

  @Override
  public void close() throws IOException {
    in.close();
  }

  /**
   * Refills the empty buffer; false at the end of the stream. A source that returns nothing for
   * a non-empty read ends it too, as in JDK's BufferedInputStream: asking again could spin
   * forever on a decompressor fed a damaged frame, where ending lets the reader report damage.
   */
  private boolean fill() throws IOException {
    int n = in.read(buffer, 0, buffer.length);
    if (n <= 0) {
      return false;
    }
    position = 0;
    limit = n;
    return true;
  }
}
