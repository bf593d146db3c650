package org.hbackup.common.manifest;

import java.util.Locale;

/** How a path differs between two points. */
public enum ChangeKind {
  /** Only in the later point. */
  ADDED,
  /** Only in the earlier point. */
  DELETED,
  /** Same type, different content: length, whole-file hash or symlink target. */
  MODIFIED,
  /** Same type and content; permission, owner, group, modification time, replication or block size differ. */
  METADATA,
  /** A file became a directory, or the other way round. */
  TYPE_CHANGED,
  /** Nothing that a restore applies differs (access times are not compared: reading moves them). */
  UNCHANGED;

  public String reportName() {
    return name().toLowerCase(Locale.ROOT).replace('_', '-');
  }

  /** Compares one path's entries; either may be null, not both. */
  public static ChangeKind of(ManifestEntry before, ManifestEntry after) {
    if (before == null) {
      return ADDED;
    }
    if (after == null) {
      return DELETED;
    }
    if (before.type() != after.type()) {
      return TYPE_CHANGED;
    }
    boolean sameContent = before.length() == after.length()
        && java.util.Objects.equals(before.fileHash(), after.fileHash())
        && java.util.Objects.equals(before.symlinkTarget(), after.symlinkTarget());
    if (!sameContent) {
      return MODIFIED;
    }
    boolean sameMetadata = before.permission() == after.permission()
        && before.owner().equals(after.owner()) && before.group().equals(after.group())
        && before.modificationTime() == after.modificationTime()
        && before.replication() == after.replication() && before.blockSize() == after.blockSize();
    return sameMetadata ? UNCHANGED : METADATA;
  }
}
