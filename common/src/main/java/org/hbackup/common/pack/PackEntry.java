package org.hbackup.common.pack;

import org.hbackup.common.id.ContentId;

/** Where one blob lies in its pack: the pack trailer's row for it. */
public final class PackEntry {
  private final ContentId chunkId;
  private final long offset;
  private final int storedLength;
  private final int rawLength;

  public PackEntry(ContentId chunkId, long offset, int storedLength, int rawLength) {
    this.chunkId = chunkId;
    this.offset = offset;
    this.storedLength = storedLength;
    this.rawLength = rawLength;
  }

  public ContentId chunkId() {
    return chunkId;
  }

  public long offset() {
    return offset;
  }

  /** Bytes of the blob in the pack, method byte included. */
  public int storedLength() {
    return storedLength;
  }

  /** Bytes of the chunk once decoded. */
  public int rawLength() {
    return rawLength;
  }
}
