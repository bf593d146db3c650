package org.hbackup.restore;

import java.io.IOException;

import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.hbackup.common.io.PosixFiles;
import org.hbackup.common.manifest.ManifestEntry;

/** Applies an entry's permission, owner, group and times to a restored path. */
final class EntryMetadata {
  private EntryMetadata() {
  }

  /**
   * Applies everything; returns false when owner or group could not be applied, which is
   * expected when the restoring user is not a superuser (the rest is applied regardless).
   * Times go last: changing permission or owner does not touch them, but nothing may follow.
   */
  static boolean apply(FileSystem fs, Path path, ManifestEntry e) throws IOException {
    boolean ownership = applyOwnership(fs, path, e);
    PosixFiles.setPermission(fs, path, e.permission());
    PosixFiles.setTimes(fs, path, e.modificationTime(), e.accessTime());
    return ownership;
  }

  /**
   * Applies owner, group and times to a symlink itself, on the local file system. Not its
   * permission: a link has none of its own on POSIX systems, and chmod would follow it.
   */
  static boolean applyToLink(FileSystem fs, Path path, ManifestEntry e) throws IOException {
    if (!PosixFiles.isLocal(fs)) {
      // Hadoop's setOwner and setTimes follow a link: nothing is changed through one.
      return true;
    }
    boolean ownership = applyOwnership(fs, path, e);
    PosixFiles.setTimes(fs, path, e.modificationTime(), e.accessTime());
    return ownership;
  }

  /** Owner and group; false when the restoring user may not change them. */
  private static boolean applyOwnership(FileSystem fs, Path path, ManifestEntry e) {
    try {
      PosixFiles.setOwner(fs, path, e.owner(), e.group());
      return true;
    } catch (IOException | UnsupportedOperationException ex) {
      return false;
    }
  }
}
