package org.hbackup.backup;

import java.io.FileNotFoundException;
import java.io.IOException;

/**
 * A source entry deleted since it was listed. Thrown only where the source is read (open,
 * checksum), so that a file missing from the repository is never mistaken for one deleted from
 * the source.
 */
final class SourceVanished extends IOException {
  private static final long serialVersionUID = 1L;
  private final FileNotFoundException notFound;

  SourceVanished(FileNotFoundException notFound) {
    super(notFound.getMessage(), notFound);
    this.notFound = notFound;
  }

  /** The file system's own error, rethrown where a vanished file is damage (a snapshot's). */
  FileNotFoundException notFound() {
    return notFound;
  }
}
