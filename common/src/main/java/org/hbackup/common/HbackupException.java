package org.hbackup.common;

import java.io.IOException;

/** Base of hbackup's own failures: each names what failed and where, and keeps its cause. */
public class HbackupException extends IOException {
  private static final long serialVersionUID = 1L;

  public HbackupException(String message) {
    super(message);
  }

  public HbackupException(String message, Throwable cause) {
    super(message, cause);
  }
}
