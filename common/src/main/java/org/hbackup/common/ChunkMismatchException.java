package org.hbackup.common;

/** Data read back does not hash to the ID it was stored under. */
public class ChunkMismatchException extends DamageException {
  private static final long serialVersionUID = 1L;

  public ChunkMismatchException(String message) {
    super(message);
  }
}
