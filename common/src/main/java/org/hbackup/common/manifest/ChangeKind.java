package org.hbackup.common.manifest;

import java.util.Locale;

/** How a path differs between two points. */
public enum ChangeKind {
  /** Only in the later point. */
  ADDED(1),
  /** Only in the earlier point. */
  DELETED(2),
  /** Same type, different content: length, whole-file hash or symlink target. */
  MODIFIED(3),
  /** Same type and content; permission, owner, group, modification time, replication or block size differ. */
  METADATA(4),
  /** A file became a directory, or the other way round. */
  TYPE_CHANGED(5),
  /**
   * At a path the earlier point did not have, moved there from another path (known from an HDFS
   * snapshot diff report); its content was carried over from the earlier path.
   */
  RENAMED(6),
  /** Nothing that a restore applies differs (access times are not compared: reading moves them). */
  UNCHANGED(0);

  private final int code;

  ChangeKind(int code) {
    this.code = code;
  }

  /** The kind's code in a change list (docs/FORMAT.md); 0 for unchanged, which is never listed. */
  public int code() {
    return code;
  }

  /** The kind with this change-list code, or null. */
  public static ChangeKind ofCode(int code) {
    for (ChangeKind k : values()) {
      if (k.code == code && k != UNCHANGED) {
        return k;
      }
    }
    return null;
  }

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
        && before.replication() == after.replication() && before.blockSize() == after.blockSize()
        && before.attributes().equals(after.attributes());
    return sameMetadata ? UNCHANGED : METADATA;
  }
}
