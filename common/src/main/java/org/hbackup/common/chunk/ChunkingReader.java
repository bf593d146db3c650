package org.hbackup.common.chunk;

import java.io.IOException;
import java.io.InputStream;

/**
 * Cuts a stream into content-defined chunks. Each {@link #next()} exposes one chunk as a range
 * of an internal buffer that stays valid until the following call, so chunks are never copied
 * before they are hashed and compressed. Memory: four times the maximum chunk size.
 */
public final class ChunkingReader {
  private InputStream in;
  private final GearChunker chunker;
  private final byte[] buffer;
  private int position;
  private int limit;
  private boolean endOfStream;
  private int chunkOffset;
  private int chunkLength;
  private long streamOffset;

  public ChunkingReader(InputStream in, GearChunker chunker) {
    this(chunker);
    reset(in);
  }

  /** A reader to {@link #reset} for each stream: the buffer is allocated once, not per file. */
  public ChunkingReader(GearChunker chunker) {
    this(chunker, new byte[bufferLength(chunker)]);
  }

  /**
   * A reader over a buffer the caller lends it (at least {@link #bufferLength} bytes), so that
   * tasks which run one after another in one JVM can pass one buffer on. The cuts do not depend
   * on the buffer's length.
   */
  public ChunkingReader(GearChunker chunker, byte[] buffer) {
    if (buffer.length < bufferLength(chunker)) {
      throw new IllegalArgumentException("a chunking buffer of " + buffer.length + " bytes; "
          + bufferLength(chunker) + " needed");
    }
    this.chunker = chunker;
    this.buffer = buffer;
  }

  /** The buffer a reader needs: four maximum chunks. */
  public static int bufferLength(GearChunker chunker) {
    return 4 * chunker.max();
  }

  /** Starts cutting a new stream, reusing the buffer (measured: allocating 16 MiB per small file
   * took most of a backup's time). */
  public void reset(InputStream stream) {
    this.in = stream;
    this.position = 0;
    this.limit = 0;
    this.endOfStream = false;
    this.chunkOffset = 0;
    this.chunkLength = 0;
    this.streamOffset = 0;
  }

  /** Advances to the next chunk; false when the stream is exhausted. */
  public boolean next() throws IOException {
    streamOffset += chunkLength;
    if (limit - position < chunker.max() && !endOfStream) {
      fill();
    }
    if (position == limit) {
      chunkLength = 0;
      return false;
    }
    chunkOffset = position;
    chunkLength = chunker.cut(buffer, position, limit - position);
    position += chunkLength;
    return true;
  }

  private void fill() throws IOException {
    // Compacting copies less than one maximum chunk per three read, because the buffer holds four.
    System.arraycopy(buffer, position, buffer, 0, limit - position);
    limit -= position;
    position = 0;
    while (limit < buffer.length) {
      int n = in.read(buffer, limit, buffer.length - limit);
      if (n < 0) {
        endOfStream = true;
        return;
      }
      limit += n;
    }
  }

  public byte[] buffer() {
    return buffer;
  }

  public int chunkOffset() {
    return chunkOffset;
  }

  public int chunkLength() {
    return chunkLength;
  }

  /** Offset of the current chunk in the stream. */
  public long streamOffset() {
    return streamOffset;
  }
}
