package org.hbackup.common.manifest;

import org.hbackup.common.id.ContentId;

/** One chunk of a file, in file order: its id and its plaintext length. */
public final class ChunkRef {
  private final ContentId id;
  private final int length;

  public ChunkRef(ContentId id, int length) {
    this.id = id;
    this.length = length;
  }

  public ContentId id() {
    return id;
  }

  public int length() {
    return length;
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof ChunkRef && ((ChunkRef) o).id.equals(id) && ((ChunkRef) o).length == length;
  }

  @Override
  public int hashCode() {
    return id.hashCode() * 31 + length;
  }
}
