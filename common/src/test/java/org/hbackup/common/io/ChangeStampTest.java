package org.hbackup.common.io;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.attribute.FileTime;

import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileStatus;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.hbackup.common.manifest.SourceChecksum;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ChangeStampTest {
  @TempDir
  java.nio.file.Path dir;

  private FileStatus listed(java.nio.file.Path file) throws Exception {
    FileSystem fs = FileSystems.raw(new Path(dir.toUri()), new Configuration());
    return PosixFiles.linkStatus(fs, new Path(file.toUri()));
  }

  /**
   * A write that keeps the length and sets the modification time back (what tar, rsync -a and
   * cp -p do) leaves length and millisecond time as they were, and moves the stamp.
   */
  @Test
  void aSameSizedWriteWithItsTimeSetBackMovesTheStamp() throws Exception {
    Assumptions.assumeTrue(PosixFiles.hasUnixView(), "the unix attribute view");
    java.nio.file.Path file = Files.writeString(dir.resolve("VERSION"), "version=1.2.3\n");
    Files.setLastModifiedTime(file, FileTime.fromMillis(315_532_800_000L));
    FileStatus before = listed(file);
    ChangeStamp stamp = ChangeStamp.of(before);
    assertFalse(stamp.changedAt(file, before.getLen()), "nothing happened");
    Thread.sleep(20); // past the kernel's timestamp tick
    Files.writeString(file, "version=1.2.4\n");
    Files.setLastModifiedTime(file, FileTime.fromMillis(315_532_800_000L));
    FileStatus after = listed(file);
    assertEquals(before.getLen(), after.getLen());
    assertEquals(before.getModificationTime(), after.getModificationTime());
    assertTrue(stamp.changedAt(file, before.getLen()));
    assertNotEquals(stamp.asChecksum(), ChangeStamp.of(after).asChecksum());
    assertTrue(stamp.changedAt(file, before.getLen() + 1), "another length");
  }

  /** Recorded as 24 bytes under its algorithm; its ctime is read back only from a stamp. */
  @Test
  void isRecordedUnderItsAlgorithmAndReadBackOnlyFromOne() {
    ChangeStamp stamp = ChangeStamp.of(42, 1_700_000_000_123_456_789L, 5);
    SourceChecksum recorded = stamp.asChecksum();
    assertEquals(ChangeStamp.ALGORITHM, recorded.algorithm());
    assertEquals(24, recorded.bytes().length);
    assertEquals(1_700_000_000_123_456_789L, ChangeStamp.changeNanos(recorded));
    assertNull(ChangeStamp.changeNanos(new SourceChecksum("COMPOSITE-CRC32C", new byte[] {1, 2, 3, 4})));
    assertNull(ChangeStamp.changeNanos(null));
    assertEquals(Long.MAX_VALUE, ChangeStamp.changeNanos(new SourceChecksum(ChangeStamp.ALGORITHM, new byte[3])),
        "a stamp of another length is too recent to trust");
  }

  /** Only regular files carry one; a status the listing did not read carries none. */
  @Test
  void onlyAListedRegularFileCarriesOne() throws Exception {
    Assumptions.assumeTrue(PosixFiles.hasUnixView(), "the unix attribute view");
    java.nio.file.Path file = Files.writeString(dir.resolve("f"), "x");
    assertTrue(ChangeStamp.of(listed(file)) != null);
    assertNull(ChangeStamp.of(listed(dir)));
    assertNull(ChangeStamp.of(new FileStatus(1, false, 1, 1, 1, new Path(file.toUri()))));
  }
}
