package org.hbackup.common.index;

import java.nio.ByteBuffer;

import org.hbackup.common.id.ContentId;
import org.hbackup.common.id.PackId;

/** Where a chunk is stored: one 64-byte row of an index file. */
public final class IndexEntry {
  /** chunk id, pack id, u64 offset, u32 stored length, u32 raw length. */
  public static final int LENGTH = 32 + 16 + 8 + 4 + 4;

  private final ContentId chunkId;
  private final PackId packId;
  private final long offset;
  private final int storedLength;
  private final int rawLength;

  public IndexEntry(ContentId chunkId, PackId packId, long offset, int storedLength, int rawLength) {
    this.chunkId = chunkId;
    this.packId = packId;
    this.offset = offset;
    this.storedLength = storedLength;
    this.rawLength = rawLength;
  }

  public ContentId chunkId() {
    return chunkId;
  }

  public PackId packId() {
    return packId;
  }

  public long offset() {
    return offset;
  }

  public int storedLength() {
    return storedLength;
  }

  public int rawLength() {
    return rawLength;
  }

  public byte[] toBytes() {
    ByteBuffer b = ByteBuffer.allocate(LENGTH);
    b.put(chunkId.bytes()).put(packId.bytes()).putLong(offset).putInt(storedLength).putInt(rawLength);
    return b.array();
  }

  public static IndexEntry fromBytes(byte[] row, int at) {
    ByteBuffer b = ByteBuffer.wrap(row, at, LENGTH);
    ContentId chunk = ContentId.copyOf(row, at);
    PackId pack = PackId.copyOf(row, at + ContentId.LENGTH);
    b.position(at + ContentId.LENGTH + PackId.LENGTH);
    return new IndexEntry(chunk, pack, b.getLong(), b.getInt(), b.getInt());
  }

  @Override
  public String toString() {
    return chunkId + "@" + packId + ":" + offset + "+" + storedLength;
  }
}
