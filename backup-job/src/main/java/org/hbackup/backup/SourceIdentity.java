package org.hbackup.backup;

import org.apache.hadoop.fs.FileStatus;
import org.apache.hadoop.hdfs.protocol.HdfsFileStatus;

/**
 * Which file a status is of, beyond its path: on HDFS the inode id, which a file keeps while it
 * is appended to and loses when another file is created or renamed under its name. The tasks
 * that read a large file's ranges compare it with the listed one after each read, so that a file
 * replaced between them (an ETL job that writes aside and renames over, say) is named rather
 * than joined from two files. Other file systems give none here: the local one is compared by
 * lstat ({@link SourceFiles#changedSince}); on an object store each range task reads the version
 * (ETag) it finds and the versions are compared where the ranges are joined ({@link
 * SourceFiles#openRange}), never a listing's ETag with a HEAD's, whose forms are not proven equal
 * on every store (a false alarm would flag every ranged file of every backup).
 */
final class SourceIdentity {
  private SourceIdentity() {
  }

  /** The status's identity, or null when its file system gives none. */
  static String of(FileStatus status) {
    if (status instanceof Carrier) {
      return ((Carrier) status).identity();
    }
    if (status instanceof HdfsFileStatus) {
      long id = ((HdfsFileStatus) status).getFileId();
      // 0 is HdfsConstants.GRANDFATHER_INODE_ID: a NameNode too old to give ids.
      return id == 0 ? null : "hdfs-inode:" + id;
    }
    return null;
  }

  /** A status read back from the listing, with the identity the walk found. */
  interface Carrier {
    String identity();
  }
}
