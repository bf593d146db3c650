package org.hbackup.common.chunk;

import java.io.IOException;
import java.io.InputStream;

/**
 * Cuts a stream into content-defined chunks. Each {@link #next()} exposes one chunk as a range
 * of an internal buffer that stays valid until the following call, so chunks are never copied
 * before they are hashed and compressed. Memory: four times the maximum chunk size.
 */
public final class ChunkingReader {
  private final InputStream in;
  private final GearChunker chunker;
  private final byte[] buffer;
  private int position;
  private int limit;
  private boolean endOfStream;
  private int chunkOffset;
  private int chunkLength;
  private long streamOffset;

  public ChunkingReader(InputStream in, GearChunker chunker) {
    this.in = in;
    this.chunker = chunker;
    this.buffer = new byte[4 * chunker.max()];
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
