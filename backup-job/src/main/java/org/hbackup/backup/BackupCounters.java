package org.hbackup.backup;

/** The backup job's figures; each is also in the JSON report and the point record. */
public enum BackupCounters {
  /** Regular files in the point. */
  FILES,
  /** Directories in the point, the root included. */
  DIRECTORIES,
  /** Symbolic links in the point. */
  SYMLINKS,
  /**
   * Files unchanged since the base point (same length and modification time, and the same source
   * checksum where the source has one), carried over unread; renamed ones included.
   */
  FILES_CARRIED_OVER,
  /** Files carried over from another path of the base point, after a rename the snapshot diff reported. */
  FILES_RENAMED,
  /** File checksums asked of the source file system (HDFS: COMPOSITE-CRC32C, computed by the DataNodes). */
  SOURCE_CHECKSUMS,
  /** Ranges of large files read by separate map records ({@code hbackup.backup.range.bytes}). */
  RANGES,
  /** Bytes read from the source. */
  BYTES_READ,
  /** HDFS files open for write when read (taken as of their visible length, or left out: --open-files). */
  FILES_OPEN_FOR_WRITE,
  /** Entries with ACL entries or extended attributes, kept in the point. */
  ENTRIES_WITH_ATTRIBUTES,
  /** Entries whose ACL or extended attributes the backup's user may not read: kept without them. */
  ATTRIBUTES_UNREADABLE,
  /** Map tasks that ran to the end (each counts itself; the local job runner keeps no job counter of them). */
  MAP_TASKS,
  /** Milliseconds map tasks waited to stay within --bandwidth. */
  THROTTLED_MS,
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
  /**
   * Chunks the index knows only in packs that are missing or damaged (header, trailer, or a
   * trailer that does not list them where the index says): stored again from the source.
   */
  CHUNKS_STORED_AGAIN,
  /** Packs whose header and trailer map tasks checked before reusing chunks in them, once per pack and task. */
  PACKS_CHECKED,
  /** Index files left out because they cannot be read (counted by the first map task). */
  INDEX_FILES_UNREADABLE,
  /**
   * Files that changed while they were read: a length other than listed (backed up as read), or
   * a local file whose length or time moved (read again as of then, or kept as read and named).
   */
  FILES_CHANGED_WHILE_READ,
  /**
   * Files of a live source that changed while they were read, and again when read a second time
   * (or, read in ranges, between their ranges): in the point as read, possibly a state the file
   * never had; named in the report, exit 4.
   */
  FILES_CHANGING,
  /** Files of a live source deleted between the listing and their map task: not in the point. */
  FILES_VANISHED,
  /**
   * Source entries that could not be read: files the backup's user may not read (left out of the
   * point) and directories it may not list (kept, empty). The report names each.
   */
  ENTRIES_UNREADABLE,
  /** FIFOs, sockets and devices: never read as data, left out of the point; the report names each. */
  SPECIAL_FILES_SKIPPED,
  /**
   * Files unchanged since the base point but read again, because the base names chunks the
   * repository can no longer deliver (their packs are missing or damaged).
   */
  FILES_READ_AGAIN,
  /**
   * Files with the base entry's length and modification time read all the same, because that
   * time was too close to the base point's start for length and time to prove the content
   * unchanged (no source checksum): a write in the same tick of the source's clock after the base
   * point read the file keeps both.
   */
  FILES_RECENT_IN_BASE,
  /**
   * Files with the base entry's length and modification time read all the same, because their
   * source checksum (HDFS) or change stamp (local: inode, ctime, mtime in ns) differs. Every file,
   * every time, on a file system whose inodes or ctimes are not stable (some FUSE mounts): there
   * hbackup.backup.source.checksum=false compares length and time alone.
   */
  FILES_CHECKSUM_CHANGED,
  /**
   * Segments of the base point's manifest that map tasks decoded to look paths up: about the
   * base's segments once per task that reads them, more when lookups jump between segments.
   */
  BASE_SEGMENTS_READ,
  /** Manifest segments the backup wrote (a range of paths with changes, or every one in a full backup). */
  SEGMENTS_WRITTEN,
  /**
   * Manifest segments the base point already has, byte for byte (an unchanged range of paths):
   * not written again, the point names the base's copy.
   */
  SEGMENTS_SHARED,
  /** Paths only in the new point. */
  PATHS_ADDED,
  /** Paths whose content (length, whole-file hash, symlink target) differs from the base. */
  PATHS_MODIFIED,
  /** Paths whose content is the same but whose metadata differs. */
  PATHS_METADATA_ONLY,
  /** Paths of the base point that are gone. */
  PATHS_DELETED,
  /** Paths moved from another path of the base point (snapshot diff report). */
  PATHS_RENAMED,
  /** Paths whose type changed (a file became a directory, or the other way round). */
  PATHS_TYPE_CHANGED,
  /** Paths that did not change. */
  PATHS_UNCHANGED;

  /** The counter of paths of one change kind. */
  static BackupCounters of(org.hbackup.common.manifest.ChangeKind kind) {
    switch (kind) {
      case ADDED:
        return PATHS_ADDED;
      case MODIFIED:
        return PATHS_MODIFIED;
      case METADATA:
        return PATHS_METADATA_ONLY;
      case DELETED:
        return PATHS_DELETED;
      case RENAMED:
        return PATHS_RENAMED;
      case TYPE_CHANGED:
        return PATHS_TYPE_CHANGED;
      default:
        return PATHS_UNCHANGED;
    }
  }
}
