package org.hbackup.restore;

/** The restore job's figures; each is also in the JSON report. */
public enum RestoreCounters {
  /** Files written, verified and renamed into place. */
  FILES,
  /** Directories created or found, their metadata applied after their contents. */
  DIRECTORIES,
  /** Symbolic links recreated, after every file and directory. */
  SYMLINKS,
  /** Bytes of file content written. */
  BYTES_WRITTEN,
  /** Map tasks that ran to the end (each counts itself; the local job runner keeps no job counter of them). */
  MAP_TASKS,
  /** Milliseconds map tasks waited to stay within --bandwidth. */
  THROTTLED_MS,
  /** Chunks read from packs and verified. */
  CHUNKS_READ,
  /** Files not restored because their data is damaged or missing; the report names each. */
  FILES_FAILED,
  /**
   * Entries not restored because writing them would pass through a symlink (of the point or of
   * the target), replace a directory or, without --overwrite, an existing entry, or reach into
   * the repository; the report names each.
   */
  ENTRIES_REFUSED,
  /** Entries whose owner or group could not be applied (the restoring user may not). */
  OWNERSHIP_NOT_APPLIED,
  /** Entries whose ACL entries or extended attributes the target could not take (the local file system has none). */
  ATTRIBUTES_NOT_APPLIED
}
