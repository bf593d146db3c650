package org.hbackup.common;

/** A path that exists but holds no hbackup repository configuration. */
public class NotARepositoryException extends HbackupException {
  private static final long serialVersionUID = 1L;

  public NotARepositoryException(String message) {
    super(message);
  }
}
