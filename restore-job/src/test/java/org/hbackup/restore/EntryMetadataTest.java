package org.hbackup.restore;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.IOException;
import java.nio.file.Files;

import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileStatus;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.hbackup.common.manifest.EntryType;
import org.hbackup.common.manifest.ManifestEntry;
import org.hbackup.common.testing.FaultFileSystem;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class EntryMetadataTest {
  @TempDir
  java.nio.file.Path dir;

  /**
   * A read-only file and directory get their times and then their mode, on a file system where
   * setting times needs write access (HDFS, for every user but its superuser). Before, the mode
   * came first and the times were refused, which failed the whole restore.
   */
  @Test
  void timesAreSetBeforeAModeThatTakesWriteAccessAway() throws IOException {
    Configuration conf = new Configuration();
    FaultFileSystem.register(conf);
    conf.setBoolean(FaultFileSystem.TIMES_NEED_WRITE, true);
    Files.writeString(dir.resolve("f"), "x");
    Files.createDirectory(dir.resolve("d"));
    Path file = new Path(FaultFileSystem.SCHEME + ":" + dir.resolve("f"));
    Path directory = new Path(FaultFileSystem.SCHEME + ":" + dir.resolve("d"));
    FileSystem fs = file.getFileSystem(conf);
    ManifestEntry f = ManifestEntry.builder(EntryType.FILE, "f").permission((short) 0444).length(1)
        .fileHash(org.hbackup.common.id.ContentId.of(new byte[] {'x'}))
        .chunks(java.util.List.of(new org.hbackup.common.manifest.ChunkRef(
            org.hbackup.common.id.ContentId.of(new byte[] {'x'}), 1)))
        .modificationTime(1_500_000_000_000L).accessTime(1_500_000_000_000L).build();
    ManifestEntry d = ManifestEntry.builder(EntryType.DIRECTORY, "d").permission((short) 0555)
        .modificationTime(1_400_000_000_000L).accessTime(1_400_000_000_000L).build();
    EntryMetadata.applyAll(fs, file, f, false, false, false);
    EntryMetadata.applyAll(fs, directory, d, false, false, false);
    FileStatus fileStatus = fs.getFileStatus(file);
    assertEquals(0444, fileStatus.getPermission().toShort());
    assertEquals(1_500_000_000_000L, fileStatus.getModificationTime());
    FileStatus dirStatus = fs.getFileStatus(directory);
    assertEquals(0555, dirStatus.getPermission().toShort());
    assertEquals(1_400_000_000_000L, dirStatus.getModificationTime());
    fs.setPermission(directory, new org.apache.hadoop.fs.permission.FsPermission((short) 0755));
  }

  /**
   * A setuid or setgid bit is applied only with the owner and group it was set for, by a user who
   * may give files to anyone: an unprivileged user can give a file to itself (or skip the chown
   * as the owner is already its own), and a hostile repository must not get a setuid file of
   * that user with content it chose.
   */
  @Test
  void setuidAndSetgidNeedTheirOwnerAndAPrivilegedRestore() {
    assertEquals((short) 04755, EntryMetadata.modeToApply((short) 04755, true, true));
    assertEquals((short) 0755, EntryMetadata.modeToApply((short) 04755, false, true));
    assertEquals((short) 0750, EntryMetadata.modeToApply((short) 06750, false, true));
    assertEquals((short) 0755, EntryMetadata.modeToApply((short) 04755, true, false), "an unprivileged owner");
    assertEquals((short) 0750, EntryMetadata.modeToApply((short) 02750, true, false), "an unprivileged group");
    assertEquals((short) 01777, EntryMetadata.modeToApply((short) 01777, false, false), "the sticky bit stays");
  }

  /** Root is told by the effective uid, as the id command tells it. */
  @Test
  void rootIsToldFromTheEffectiveUid() throws Exception {
    Process id = new ProcessBuilder("id", "-u").start();
    String uid = new String(id.getInputStream().readAllBytes(), java.nio.charset.StandardCharsets.US_ASCII).trim();
    assertEquals(0, id.waitFor());
    assertEquals(uid.equals("0"), org.hbackup.common.io.PosixFiles.isRoot());
  }
}
