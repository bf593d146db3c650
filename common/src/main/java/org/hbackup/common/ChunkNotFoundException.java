package org.hbackup.common;

/** A manifest names a chunk that no index file of the repository holds. */
public class ChunkNotFoundException extends DamageException {
  private static final long serialVersionUID = 1L;

  public ChunkNotFoundException(String message) {
    super(message);
  }
}
