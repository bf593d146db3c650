package org.hbackup.backup;

/** The backup job's figures; each is also in the JSON report and the point record. */
public enum BackupCounters {
  /** Regular files in the point. */
  FILES,
  /** Directories in the point, the root included. */
  DIRECTORIES,
  /** Symbolic links in the point. */
  SYMLINKS,
  /** Files unchanged since the base point (length and modification time), carried over unread. */
  FILES_CARRIED_OVER,
  /** Bytes read from the source. */
  BYTES_READ,
  /** Plaintext bytes of chunks the repository did not hold before this backup. */
  BYTES_NEW,
  /** Bytes written into packs (compressed blobs), what the repository grew by in data. */
  BYTES_STORED,
  /** Chunks written into packs. */
  CHUNKS_NEW,
  /** Chunks found in the repository (or earlier in the same task) and not stored again. */
  CHUNKS_REUSED,
  /** Pack files written. */
  PACKS_WRITTEN,
  /** Files whose length changed while they were read: backed up as read, flagged here. */
  FILES_CHANGED_WHILE_READ
}
