package org.hbackup.restore;

import java.io.IOException;

import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileStatus;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.apache.hadoop.fs.permission.FsPermission;
import org.apache.hadoop.hdfs.DistributedFileSystem;
import org.apache.hadoop.security.UserGroupInformation;
import org.hbackup.common.manifest.ManifestEntry;

/**
 * What a file that a restore task creates in its staging directory on HDFS has from the start:
 * the task's user as owner, the staging directory's group (HDFS gives a new file its parent's
 * group), and the mode it was created with less the umask. An entry that asks for no more is
 * restored without the setOwner and setPermission calls, two of the NameNode calls a restored
 * file costs (docs/BENCHMARKS.md, "On YARN"). Known only on HDFS and where the staging directory
 * has no ACL (a default ACL, not the umask, would decide a new file's mode); elsewhere every call
 * is made, as before.
 */
final class StagingDefaults {
  static final StagingDefaults UNKNOWN = new StagingDefaults(null, null, (short) 0);

  private final String owner;
  private final String group;
  private final short umask;

  private StagingDefaults(String owner, String group, short umask) {
    this.owner = owner;
    this.group = group;
    this.umask = umask;
  }

  /** Defaults as given (tests). */
  static StagingDefaults known(String owner, String group, short umask) {
    return new StagingDefaults(owner, group, umask);
  }

  static StagingDefaults of(FileSystem fs, Path staging, Configuration conf) throws IOException {
    if (!(fs instanceof DistributedFileSystem)) {
      return UNKNOWN;
    }
    FileStatus status = fs.getFileStatus(staging);
    if (status.hasAcl()) {
      return UNKNOWN;
    }
    return new StagingDefaults(UserGroupInformation.getCurrentUser().getShortUserName(), status.getGroup(),
        FsPermission.getUMask(conf).toShort());
  }

  /**
   * The mode to create a file with so that it has the entry's mode at once, or -1: never with
   * setuid, setgid or sticky bits (they depend on the owner being applied), bits the umask
   * would take away, or without read and write for its owner (its times are set after it is
   * written, which needs them: HDFS asks for write access, the JDK reads a local file).
   */
  short createMode(ManifestEntry e) {
    short mode = e.permission();
    if (owner == null || (mode & 07000) != 0 || (mode & umask) != 0 || (mode & 0600) != 0600) {
      return -1;
    }
    return mode;
  }

  /** Whether a created file already has the entry's owner and group. */
  boolean owns(ManifestEntry e) {
    return owner != null && owner.equals(e.owner()) && group != null && group.equals(e.group());
  }
}
