package org.hbackup.restore;

import org.hbackup.common.HbackupException;

/**
 * An entry that a restore refuses to write: it would pass through or replace something it must
 * not (a symlink on the way, a directory in the way, an existing entry without
 * {@code --overwrite}, the repository itself). The entry is reported and the restore goes on.
 */
final class UnsafeTargetException extends HbackupException {
  private static final long serialVersionUID = 1L;

  UnsafeTargetException(String path, String problem) {
    super((path.isEmpty() ? "." : path) + ": " + problem);
  }
}
