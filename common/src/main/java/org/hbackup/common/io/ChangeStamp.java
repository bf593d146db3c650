package org.hbackup.common.io;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.attribute.FileTime;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import org.apache.hadoop.fs.FileStatus;
import org.hbackup.common.manifest.SourceChecksum;

/**
 * What the local file system tells of a file's last change beyond its length and millisecond
 * modification time: its inode number, its status-change time (ctime) and its modification time
 * in nanoseconds. A write that keeps the length and sets the modification time back (tar, rsync
 * -a, cp -p, a build pinned to SOURCE_DATE_EPOCH, a rename of a same-sized file over another)
 * still moves the ctime, which no call but the kernel's own can set, or brings another inode; so
 * does a write within the millisecond. Recorded as the entry's source checksum under {@link
 * #ALGORITHM} (FORMAT.md, "Change stamps"): like a checksum, only an equal stamp lets a later
 * backup take the file as unchanged, as restic compares ctime and inode. It is not a checksum of
 * the bytes; it was observed before they were read, so any write after that moves it.
 */
public final class ChangeStamp {
  /** The algorithm name a stamp is recorded under. */
  public static final String ALGORITHM = "hbackup-posix-stat-v1";
  /** The attributes of the "unix" view a stamp is made of. */
  static final String ATTRIBUTES = "ino,ctime,lastModifiedTime";
  /** What {@link #changedAt} reads in one lstat. */
  private static final String KIND_LENGTH_AND_STAMP = "unix:isRegularFile,size," + ATTRIBUTES;

  private final long inode;
  private final long changeNanos;
  private final long modificationNanos;

  ChangeStamp(long inode, long changeNanos, long modificationNanos) {
    this.inode = inode;
    this.changeNanos = changeNanos;
    this.modificationNanos = modificationNanos;
  }

  /** A status that carries the stamp its listing read with it. */
  public interface Carrier {
    /** The stamp, or null when none was read. */
    ChangeStamp changeStamp();
  }

  /** The stamp from "unix" view attributes holding {@link #ATTRIBUTES}, or null without them. */
  static ChangeStamp from(Map<String, Object> attributes) {
    Object ino = attributes.get("ino");
    Object ctime = attributes.get("ctime");
    Object mtime = attributes.get("lastModifiedTime");
    if (!(ino instanceof Long) || !(ctime instanceof FileTime) || !(mtime instanceof FileTime)) {
      return null;
    }
    return new ChangeStamp((Long) ino, ((FileTime) ctime).to(TimeUnit.NANOSECONDS),
        ((FileTime) mtime).to(TimeUnit.NANOSECONDS));
  }

  /**
   * The stamp a status carries (read in the same lstat as its length and times), or null. Never
   * one read later: a stamp taken after another task read a range of the file, or in the tick of
   * a write that followed the read, could describe bytes the point does not hold.
   */
  public static ChangeStamp of(FileStatus status) {
    return status instanceof Carrier ? ((Carrier) status).changeStamp() : null;
  }

  /**
   * Whether the file is no longer a regular file of this length with this stamp (its inode,
   * ctime or nanosecond mtime differ), now: one lstat.
   */
  public boolean changedAt(java.nio.file.Path file, long length) throws IOException {
    return differs(Files.readAttributes(file, KIND_LENGTH_AND_STAMP, LinkOption.NOFOLLOW_LINKS), length);
  }

  private boolean differs(Map<String, Object> a, long length) {
    ChangeStamp now = from(a);
    return !Boolean.TRUE.equals(a.get("isRegularFile")) || !Long.valueOf(length).equals(a.get("size"))
        || now == null || now.inode != inode || now.changeNanos != changeNanos
        || now.modificationNanos != modificationNanos;
  }

  /**
   * For a file no longer at its path (deleted or renamed away after, or while, it was read) that
   * this process still holds open (the read's own stream): whether its length or modification
   * time (ns) moved, as the kernel's /proc/self/fd tells (a stat through the descriptor,
   * which outlives the name). Null when no descriptor of this process holds a file of this inode,
   * or there is no /proc (the caller cannot tell). A file written in place while it was read and
   * then deleted was taken as unchanged, and stored as a mix of its two versions with exit 0
   * (found by a probe). Costs a stat per open descriptor, and only once a file is gone.
   */
  public Boolean changedWhileOpen(long length) {
    java.nio.file.Path fds = java.nio.file.Paths.get("/proc/self/fd");
    try (java.nio.file.DirectoryStream<java.nio.file.Path> stream = Files.newDirectoryStream(fds)) {
      for (java.nio.file.Path fd : stream) {
        Map<String, Object> a;
        try {
          a = Files.readAttributes(fd, KIND_LENGTH_AND_STAMP); // followed: the open file itself
        } catch (IOException | RuntimeException e) {
          continue; // closed meanwhile, or not a file
        }
        if (Long.valueOf(inode).equals(a.get("ino")) && Boolean.TRUE.equals(a.get("isRegularFile"))) {
          // Not the ctime: the unlink itself moves it (the link count changed). A write moves the mtime.
          ChangeStamp now = from(a);
          return !Long.valueOf(length).equals(a.get("size")) || now == null
              || now.modificationNanos != modificationNanos;
        }
      }
    } catch (IOException | RuntimeException e) {
      return null;
    }
    return null;
  }

  /** A stamp read back from its three numbers (a listing record). */
  public static ChangeStamp of(long inode, long changeNanos, long modificationNanos) {
    return new ChangeStamp(inode, changeNanos, modificationNanos);
  }

  /**
   * The status-change time (nanoseconds) a recorded stamp holds, or null when the checksum is not
   * a stamp: a content checksum, or none. A stamp of another length gives Long.MAX_VALUE (too
   * recent to trust).
   */
  public static Long changeNanos(SourceChecksum recorded) {
    if (recorded == null || !ALGORITHM.equals(recorded.algorithm())) {
      return null;
    }
    byte[] b = recorded.bytes();
    return b.length == 24 ? ByteBuffer.wrap(b).getLong(8) : Long.MAX_VALUE;
  }

  public long inode() {
    return inode;
  }

  public long changeNanos() {
    return changeNanos;
  }

  public long modificationNanos() {
    return modificationNanos;
  }

  /** The stamp as a manifest entry records it: 24 bytes, inode, ctime and mtime (ns), big-endian. */
  public SourceChecksum asChecksum() {
    return new SourceChecksum(ALGORITHM,
        ByteBuffer.allocate(24).putLong(inode).putLong(changeNanos).putLong(modificationNanos).array());
  }

  @Override
  public String toString() {
    return "inode " + inode + ", ctime " + changeNanos + " ns, mtime " + modificationNanos + " ns";
  }
}
