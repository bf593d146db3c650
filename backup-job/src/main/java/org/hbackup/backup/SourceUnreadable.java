package org.hbackup.backup;

import java.io.IOException;

/**
 * A source file that exists but may not be read by the backup's user: it is left out of the
 * point and reported, never silently dropped. Other read errors fail the task, and MapReduce
 * tries it again.
 */
final class SourceUnreadable extends IOException {
  private static final long serialVersionUID = 1L;

  SourceUnreadable(String reason, Throwable cause) {
    super(reason, cause);
  }
}
