package org.hbackup.common.repo;

import org.hbackup.common.HbackupException;

/** A lock holder found its lock gone before a step that changes the repository, and stopped. */
public final class LockLostException extends HbackupException {
  private static final long serialVersionUID = 1L;

  public LockLostException(String message) {
    super(message);
  }
}
