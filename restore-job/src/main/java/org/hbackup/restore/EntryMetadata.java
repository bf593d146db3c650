package org.hbackup.restore;

import java.io.IOException;
import java.util.List;
import java.util.Map;

import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.apache.hadoop.fs.permission.AclEntry;
import org.apache.hadoop.mapreduce.TaskInputOutputContext;
import org.hbackup.common.io.PosixFiles;
import org.hbackup.common.manifest.EntryAttributes;
import org.hbackup.common.manifest.ManifestEntry;

/**
 * Applies an entry's owner, group, ACL entries, extended attributes, mode and times to a restored
 * path, counting what the target or the restoring user cannot take (OWNERSHIP_NOT_APPLIED,
 * ATTRIBUTES_NOT_APPLIED); the rest is applied regardless.
 */
final class EntryMetadata {
  private EntryMetadata() {
  }

  /**
   * Applies everything. Owner first (chown clears setuid and setgid), then ACL entries and
   * extended attributes, then the mode (on HDFS its group bits are the ACL mask, as the backup
   * saw them), times last: nothing may follow them.
   */
  static void apply(FileSystem fs, Path path, ManifestEntry e, TaskInputOutputContext<?, ?, ?, ?> context)
      throws IOException {
    if (!applyOwnership(fs, path, e)) {
      context.getCounter(RestoreCounters.OWNERSHIP_NOT_APPLIED).increment(1);
    }
    if (!applyAttributes(fs, path, e.attributes())) {
      context.getCounter(RestoreCounters.ATTRIBUTES_NOT_APPLIED).increment(1);
    }
    PosixFiles.setPermission(fs, path, e.permission());
    PosixFiles.setTimes(fs, path, e.modificationTime(), e.accessTime());
  }

  /**
   * Applies owner, group and times to a symlink itself, on the local file system. Not its
   * permission: a link has none of its own on POSIX systems, and chmod would follow it.
   */
  static void applyToLink(FileSystem fs, Path path, ManifestEntry e, TaskInputOutputContext<?, ?, ?, ?> context)
      throws IOException {
    if (!PosixFiles.isLocal(fs)) {
      // Hadoop's setOwner and setTimes follow a link: nothing is changed through one.
      return;
    }
    if (!applyOwnership(fs, path, e)) {
      context.getCounter(RestoreCounters.OWNERSHIP_NOT_APPLIED).increment(1);
    }
    PosixFiles.setTimes(fs, path, e.modificationTime(), e.accessTime());
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

  /**
   * ACL entries (added to those the mode bits give) and extended attributes; false when the
   * target file system or the restoring user cannot take them (the local file system has
   * neither; a trusted.* attribute needs the HDFS superuser).
   */
  private static boolean applyAttributes(FileSystem fs, Path path, EntryAttributes a) {
    if (a.isEmpty()) {
      return true;
    }
    boolean applied = true;
    try {
      if (!a.acl().isEmpty()) {
        List<AclEntry> spec = AclEntry.parseAclSpec(String.join(",", a.acl()), true);
        fs.modifyAclEntries(path, spec);
      }
    } catch (IOException | UnsupportedOperationException | IllegalArgumentException ex) {
      applied = false;
    }
    for (Map.Entry<String, byte[]> x : a.xattrs().entrySet()) {
      try {
        fs.setXAttr(path, x.getKey(), x.getValue());
      } catch (IOException | UnsupportedOperationException | IllegalArgumentException ex) {
        applied = false;
      }
    }
    return applied;
  }
}
