package org.hbackup.common;

/**
 * The repository or a restored file does not hold what its metadata promises: a checksum
 * mismatch, a missing chunk, a corrupt or hostile format file. The command line maps it to exit
 * code 3 so that schedulers can tell damage from an ordinary failure.
 */
public class DamageException extends HbackupException {
  private static final long serialVersionUID = 1L;

  public DamageException(String message) {
    super(message);
  }

  public DamageException(String message, Throwable cause) {
    super(message, cause);
  }
}
