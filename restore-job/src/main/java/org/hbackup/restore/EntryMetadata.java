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
 * Applies an entry's owner, group, ACL entries, extended attributes, storage policy, mode and
 * times to a restored path, counting what the target or the restoring user cannot take (OWNERSHIP_NOT_APPLIED,
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
    apply(fs, path, e, context, false);
  }

  /**
   * As above; {@code foreign} says the path may carry ACL entries or extended attributes that are
   * not the entry's (the target had a default ACL, or --overwrite met what was there), which are
   * then looked for and removed: two more calls per entry, only where they can be needed.
   */
  static void apply(FileSystem fs, Path path, ManifestEntry e, TaskInputOutputContext<?, ?, ?, ?> context,
      boolean foreign) throws IOException {
    apply(fs, path, e, context, foreign, false, false);
  }

  /**
   * As above, for a path that was created with the entry's owner and group ({@code ownerAsIs})
   * or mode ({@code modeAsIs}) already (see {@link StagingDefaults}): those calls are skipped.
   */
  static void apply(FileSystem fs, Path path, ManifestEntry e, TaskInputOutputContext<?, ?, ?, ?> context,
      boolean foreign, boolean ownerAsIs, boolean modeAsIs) throws IOException {
    int notApplied = applyAll(fs, path, e, foreign, ownerAsIs, modeAsIs);
    if ((notApplied & OWNERSHIP) != 0) {
      context.getCounter(RestoreCounters.OWNERSHIP_NOT_APPLIED).increment(1);
    }
    if ((notApplied & ATTRIBUTES) != 0) {
      context.getCounter(RestoreCounters.ATTRIBUTES_NOT_APPLIED).increment(1);
    }
  }

  /** Bits of what {@link #applyAll} could not apply. */
  static final int OWNERSHIP = 1;
  static final int ATTRIBUTES = 2;

  /**
   * Applies everything, counting nothing (for a thread that may not touch the task's counters);
   * returns what was not applied: {@link #OWNERSHIP}, {@link #ATTRIBUTES}.
   */
  static int applyAll(FileSystem fs, Path path, ManifestEntry e, boolean foreign, boolean ownerAsIs,
      boolean modeAsIs) throws IOException {
    boolean owned = ownerAsIs || applyOwnership(fs, path, e);
    int notApplied = owned ? 0 : OWNERSHIP;
    if (!applyAttributes(fs, path, e.attributes(), foreign)) {
      notApplied |= ATTRIBUTES;
    }
    // Times before the mode: the entry's mode may take away what setting times needs (HDFS asks
    // for write access, and the JDK opens a local file for reading), and neither the mode nor
    // the owner moves a file's times.
    if (!PosixFiles.setTimes(fs, path, e.modificationTime(), e.accessTime())) {
      notApplied |= ATTRIBUTES; // times the target file system cannot hold
    }
    // Setuid and setgid only on a file that has the owner and group they were set for, given by
    // a restoring user who may give files to anyone, as tar and cp -p do: never a setuid file of
    // an unprivileged restoring user (who can chown a file to itself and chgrp it to its own
    // groups) with content a repository chose. (A mode created as is has neither.)
    if (!modeAsIs) {
      PosixFiles.setPermission(fs, path, modeToApply(e.permission(), owned, MAY_GIVE_FILES_AWAY || !PosixFiles.isLocal(fs)));
    }
    return notApplied;
  }

  /**
   * Whether this process may give a local file to any owner (its effective user is root). HDFS
   * keeps no setuid or setgid bit, so there only {@code owned} decides.
   */
  static final boolean MAY_GIVE_FILES_AWAY = PosixFiles.isRoot();

  /**
   * The mode bits to apply: without setuid and setgid unless the entry's owner and group were
   * applied by a user who may give files to anyone ({@code privileged}).
   */
  static short modeToApply(short mode, boolean owned, boolean privileged) {
    return (short) (owned && privileged ? mode : mode & ~06000);
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
    if (!PosixFiles.setTimes(fs, path, e.modificationTime(), e.accessTime())) {
      context.getCounter(RestoreCounters.ATTRIBUTES_NOT_APPLIED).increment(1);
    }
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
   * Makes the path's ACL and extended attributes those of the entry, on a file system that has
   * them (HDFS): ACL entries it carries from elsewhere (a default ACL of the target inherited
   * through the staging directory, a directory that --overwrite found there) are removed first,
   * and so are extended attributes the entry does not have; then the storage policy set on the
   * entry, if any (a policy a target directory had stays on it). Only the user.* and trusted.*
   * namespaces are restored: security.*, system.* and raw.* from a manifest are not applied.
   * Returns false when something of the entry's could not be applied (the local file system has
   * neither; trusted.* needs the HDFS superuser).
   */
  private static boolean applyAttributes(FileSystem fs, Path path, EntryAttributes a, boolean foreign) {
    if (PosixFiles.isLocal(fs)) {
      return a.isEmpty();
    }
    if (a.isEmpty() && !foreign) {
      return true;
    }
    boolean applied = true;
    try {
      if (foreign && fs.getFileStatus(path).hasAcl()) {
        fs.removeAcl(path);
      }
      if (!a.acl().isEmpty()) {
        List<AclEntry> spec = AclEntry.parseAclSpec(String.join(",", a.acl()), true);
        fs.modifyAclEntries(path, spec);
      }
    } catch (IOException | UnsupportedOperationException | IllegalArgumentException ex) {
      applied = a.acl().isEmpty();
    }
    if (foreign) {
      try {
        for (String name : fs.listXAttrs(path)) {
          if (!a.xattrs().containsKey(name)) {
            fs.removeXAttr(path, name);
          }
        }
      } catch (IOException | UnsupportedOperationException ex) {
        // Nothing there to take away, or not the user's to take away: what follows says the rest.
      }
    }
    for (Map.Entry<String, byte[]> x : a.xattrs().entrySet()) {
      if (!x.getKey().startsWith("user.") && !x.getKey().startsWith("trusted.")) {
        applied = false;
        continue;
      }
      try {
        fs.setXAttr(path, x.getKey(), x.getValue());
      } catch (IOException | UnsupportedOperationException | IllegalArgumentException ex) {
        applied = false;
      }
    }
    if (!a.storagePolicy().isEmpty()) {
      // Where the blocks already written go is HDFS's mover's business, as after any change of
      // policy; files written later under this directory follow it.
      try {
        fs.setStoragePolicy(path, a.storagePolicy());
      } catch (IOException | UnsupportedOperationException ex) {
        applied = false;
      }
    }
    return applied;
  }

  /**
   * Whether restored entries may carry ACL entries or extended attributes that are not theirs:
   * with --overwrite, or when the target (or, before it exists, its nearest existing ancestor)
   * has a default ACL that new files and directories inherit. Asked once per task.
   */
  static boolean foreignAttributes(FileSystem fs, Path target, boolean overwrite) {
    if (PosixFiles.isLocal(fs)) {
      return false;
    }
    if (overwrite) {
      return true;
    }
    try {
      Path p = target;
      while (p != null && !fs.exists(p)) {
        p = p.getParent();
      }
      return p != null && fs.getAclStatus(p).getEntries().stream()
          .anyMatch(x -> x.getScope() == org.apache.hadoop.fs.permission.AclEntryScope.DEFAULT);
    } catch (IOException | UnsupportedOperationException e) {
      return false;
    }
  }
}
