package org.hbackup.common;

/** A repository file that does not parse as its format says: truncated, corrupt or hostile. */
public class FormatException extends DamageException {
  private static final long serialVersionUID = 1L;

  public FormatException(String file, String problem) {
    super(file + ": " + problem);
  }

  public FormatException(String file, String problem, Throwable cause) {
    super(file + ": " + problem, cause);
  }
}
