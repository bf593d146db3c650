package org.hbackup.backup;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;

import org.apache.hadoop.fs.BlockLocation;
import org.apache.hadoop.fs.FileStatus;
import org.apache.hadoop.fs.LocatedFileStatus;
import org.apache.hadoop.fs.Path;
import org.apache.hadoop.fs.permission.FsPermission;
import org.apache.hadoop.io.DataInputBuffer;
import org.apache.hadoop.io.DataOutputBuffer;
import org.junit.jupiter.api.Test;

class ListedStatusTest {
  /** Every field the backup reads, and each of the flags, survive the listing; so do odd names. */
  @Test
  void keepsEveryFieldFlagAndName() throws IOException {
    String[] names = {"plain", "with space", "colon:inside", "per%25cent", "naïve-日本", "#hash?query"};
    for (String name : names) {
      Path path = new Path(new Path("hdfs://nn:8020/data/dir"), new Path(null, null, name));
      for (int flags = 0; flags < 16; flags++) {
        FileStatus s = new FileStatus(123_456_789_012L, false, 3, 128L << 20, 1_700_000_000_123L,
            1_700_000_100_456L, new FsPermission((short) 01755), "alice", "staff", null, path,
            FileStatus.attributes((flags & 1) != 0, (flags & 2) != 0, (flags & 4) != 0, (flags & 8) != 0));
        assertSame(s, roundTrip(s));
      }
    }
    FileStatus dir = new FileStatus(0, true, 0, 0, 5L, 6L, new FsPermission((short) 0700), "", "", null,
        new Path("file:/tmp/a b/c"), FileStatus.attributes(false, false, false, true));
    assertSame(dir, roundTrip(dir));
    FileStatus link = new FileStatus(0, false, 1, 4096, 7L, 8L, new FsPermission((short) 0777), "u", "g",
        new Path("../target with space"), new Path("file:/tmp/link"), FileStatus.NONE);
    FileStatus read = roundTrip(link);
    assertSame(link, read);
    assertTrue(read.isSymlink());
    assertEquals(link.getSymlink(), read.getSymlink());
  }

  /**
   * A local symlink's target reaches the map task as the text the file system keeps: a Path
   * would have refused "a:b" and rewritten "a//b" and "../x/../y".
   */
  @Test
  void keepsALocalSymlinksTargetText(@org.junit.jupiter.api.io.TempDir java.nio.file.Path dir) throws Exception {
    org.apache.hadoop.fs.FileSystem fs = org.hbackup.common.io.FileSystems.raw(new Path(dir.toUri()),
        new org.apache.hadoop.conf.Configuration());
    String[] targets = {"a:b", "a//b", "dir/", "../x/../y", "C:\\x"};
    for (int i = 0; i < targets.length; i++) {
      java.nio.file.Path link = dir.resolve("l" + i);
      assertEquals(0, new ProcessBuilder("ln", "-s", "--", targets[i], link.toString()).start().waitFor());
      FileStatus listed = org.hbackup.common.io.PosixFiles.linkStatus(fs, new Path(link.toUri()));
      assertTrue(listed.isSymlink(), targets[i]);
      assertEquals(targets[i], org.hbackup.common.io.PosixFiles.symlinkTarget(listed));
      FileStatus read = roundTrip(listed);
      assertTrue(read.isSymlink(), targets[i]);
      assertEquals(targets[i], org.hbackup.common.io.PosixFiles.symlinkTarget(read));
    }
  }

  /**
   * A local regular file's change stamp (inode, ctime, mtime in ns) reaches the map task as the
   * walk read it, which then needs no lstat to take the file as unchanged.
   */
  @Test
  void keepsALocalFilesChangeStamp(@org.junit.jupiter.api.io.TempDir java.nio.file.Path dir) throws Exception {
    org.apache.hadoop.fs.FileSystem fs = org.hbackup.common.io.FileSystems.raw(new Path(dir.toUri()),
        new org.apache.hadoop.conf.Configuration());
    java.nio.file.Path file = java.nio.file.Files.writeString(dir.resolve("f"), "stamped");
    FileStatus listed = org.hbackup.common.io.PosixFiles.linkStatus(fs, new Path(file.toUri()));
    org.hbackup.common.io.ChangeStamp stamp = ((org.hbackup.common.io.ChangeStamp.Carrier) listed).changeStamp();
    assertEquals(java.nio.file.Files.getAttribute(file, "unix:ino"), stamp.inode());
    assertEquals(((java.nio.file.attribute.FileTime) java.nio.file.Files.getAttribute(file, "unix:ctime"))
        .to(java.util.concurrent.TimeUnit.NANOSECONDS), stamp.changeNanos());
    FileStatus read = roundTrip(listed);
    assertEquals(stamp.asChecksum(), ((org.hbackup.common.io.ChangeStamp.Carrier) read).changeStamp().asChecksum());
    assertEquals(stamp.asChecksum(), org.hbackup.common.io.ChangeStamp.of(read).asChecksum());
    FileStatus directory = roundTrip(org.hbackup.common.io.PosixFiles.linkStatus(fs, new Path(dir.toUri())));
    assertEquals(null, ((org.hbackup.common.io.ChangeStamp.Carrier) directory).changeStamp(), "files only");
  }

  /** A file system's subclass (block locations and all) is listed as its status alone. */
  @Test
  void takesAFileSystemsSubclass() throws IOException {
    FileStatus plain = new FileStatus(10, false, 1, 1024, 1L, 2L, new FsPermission((short) 0640), "o", "g", null,
        new Path("file:/x"), FileStatus.attributes(true, false, false, false));
    LocatedFileStatus located = new LocatedFileStatus(plain, new BlockLocation[] {new BlockLocation()});
    assertSame(plain, roundTrip(located));
  }

  /** An HDFS status's inode id is kept, so that range tasks can tell a file renamed over it. */
  @Test
  void keepsAnHdfsFilesInodeId() throws IOException {
    FileStatus hdfs = new org.apache.hadoop.hdfs.protocol.HdfsFileStatus.Builder().length(10).fileId(16_400)
        .perm(new FsPermission((short) 0644)).owner("o").group("g").mtime(1L).atime(2L).replication(1)
        .blocksize(1024).path("x".getBytes(java.nio.charset.StandardCharsets.UTF_8)).build()
        .makeQualified(java.net.URI.create("hdfs://nn:8020"), new Path("/d"));
    assertEquals("hdfs-inode:16400", SourceIdentity.of(hdfs));
    FileStatus read = roundTrip(hdfs);
    assertEquals("hdfs-inode:16400", SourceIdentity.of(read));
    assertSame(hdfs, read);
    assertEquals(null, SourceIdentity.of(roundTrip(new FileStatus(1, false, 1, 1, 1L, 1L,
        FsPermission.getFileDefault(), "o", "g", null, new Path("file:/x")))), "the local file system gives none");
  }

  /** The path, parsed when first asked for, is the one listed; a path set afterwards replaces it. */
  @Test
  void givesTheListedPathAndTakesOneSetAfterwards() throws IOException {
    FileStatus s = new FileStatus(1, false, 1, 1, 1L, 1L, FsPermission.getFileDefault(), "o", "g", null,
        new Path("file:/a/b"), FileStatus.NONE);
    FileStatus read = roundTrip(s);
    assertEquals(new Path("file:/a/b"), read.getPath());
    read.setPath(new Path("file:/c"));
    assertEquals(new Path("file:/c"), read.getPath());
  }

  private static FileStatus roundTrip(FileStatus s) throws IOException {
    DataOutputBuffer out = new DataOutputBuffer();
    new ListedStatus(s).write(out);
    out.writeInt(0x5ea1ed);
    DataInputBuffer in = new DataInputBuffer();
    in.reset(out.getData(), out.getLength());
    ListedStatus read = new ListedStatus();
    read.readFields(in);
    assertEquals(0x5ea1ed, in.readInt(), "read exactly what was written");
    return read.status();
  }

  private static void assertSame(FileStatus expected, FileStatus actual) throws IOException {
    String what = expected.getPath().toString();
    assertEquals(expected.getPath(), actual.getPath(), what);
    assertEquals(expected.getPath().toString(), actual.getPath().toString(), what);
    assertEquals(expected.getLen(), actual.getLen(), what);
    assertEquals(expected.isDirectory(), actual.isDirectory(), what);
    assertEquals(expected.isFile(), actual.isFile(), what);
    assertEquals(expected.isSymlink(), actual.isSymlink(), what);
    assertEquals(expected.getReplication(), actual.getReplication(), what);
    assertEquals(expected.getBlockSize(), actual.getBlockSize(), what);
    assertEquals(expected.getModificationTime(), actual.getModificationTime(), what);
    assertEquals(expected.getAccessTime(), actual.getAccessTime(), what);
    assertEquals(expected.getPermission(), actual.getPermission(), what);
    assertEquals(expected.getOwner(), actual.getOwner(), what);
    assertEquals(expected.getGroup(), actual.getGroup(), what);
    assertEquals(expected.hasAcl(), actual.hasAcl(), what);
    assertEquals(expected.isEncrypted(), actual.isEncrypted(), what);
    assertEquals(expected.isErasureCoded(), actual.isErasureCoded(), what);
    assertEquals(expected.isSnapshotEnabled(), actual.isSnapshotEnabled(), what);
  }
}
