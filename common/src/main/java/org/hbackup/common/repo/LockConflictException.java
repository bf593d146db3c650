package org.hbackup.common.repo;

import org.hbackup.common.HbackupException;

/** A repository lock could not be taken: another live lock conflicts; the message names its holder. */
public final class LockConflictException extends HbackupException {
  private static final long serialVersionUID = 1L;

  public LockConflictException(String message) {
    super(message);
  }
}
