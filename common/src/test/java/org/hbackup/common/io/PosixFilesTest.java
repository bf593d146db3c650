package org.hbackup.common.io;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.attribute.PosixFileAttributes;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;

import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileStatus;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.apache.hadoop.fs.RemoteIterator;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class PosixFilesTest {
  @TempDir
  java.nio.file.Path dir;

  @Test
  void listsALocalDirectoryInNameOrderWithWhatLstatSays() throws IOException {
    for (String name : new String[] {"zeta", "alpha", "Mid", "beta-1", "beta"}) {
      Files.write(dir.resolve(name), name.getBytes());
    }
    Files.createDirectory(dir.resolve("gamma"));
    Files.setPosixFilePermissions(dir.resolve("alpha"), PosixFilePermissions.fromString("rw-r-----"));
    Files.createSymbolicLink(dir.resolve("link"), dir.resolve("no-such-target"));
    FileSystem fs = FileSystem.getLocal(new Configuration());

    List<FileStatus> listed = new ArrayList<>();
    RemoteIterator<FileStatus> it = PosixFiles.listLocal(fs, new Path(dir.toUri()));
    while (it.hasNext()) {
      listed.add(it.next());
    }
    List<String> names = new ArrayList<>();
    listed.forEach(s -> names.add(s.getPath().getName()));
    assertEquals(List.of("Mid", "alpha", "beta", "beta-1", "gamma", "link", "zeta"), names);

    for (FileStatus s : listed) {
      java.nio.file.Path local = dir.resolve(s.getPath().getName());
      PosixFileAttributes a = Files.readAttributes(local, PosixFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
      assertEquals(a.owner().getName(), s.getOwner(), s.getPath().getName());
      assertEquals(a.group().getName(), s.getGroup(), s.getPath().getName());
      assertEquals(PosixFiles.toMode(a.permissions()), s.getPermission().toShort(), s.getPath().getName());
      assertEquals(a.lastModifiedTime().toMillis(), s.getModificationTime());
      assertEquals(a.isRegularFile() ? a.size() : 0, s.getLen());
      assertEquals(a.isDirectory(), s.isDirectory());
    }
    FileStatus link = listed.get(5);
    assertTrue(link.isSymlink(), "a dangling link is listed as a link");
    assertEquals(dir.resolve("no-such-target").toString(), link.getSymlink().toUri().getPath());
    assertFalse(listed.get(4).isFile());
    assertEquals((short) 0640, listed.get(1).getPermission().toShort());
  }

  /**
   * A file deleted after its directory was read and before its lstat: as if listed a moment
   * later. Statuses are read up to DEPTH batches ahead of the caller, so the deleted file is in the
   * batch after those, which is read only once the caller has taken a batch.
   */
  @Test
  void aFileDeletedBeforeItsStatusIsReadIsLeftOut() throws IOException {
    List<String> expected = new ArrayList<>();
    for (int i = 0; i < (LocalListing.DEPTH + 3) * LocalListing.BATCH; i++) {
      String name = String.format("f%04d", i);
      Files.write(dir.resolve(name), name.getBytes());
      expected.add(name);
    }
    FileSystem fs = FileSystem.getLocal(new Configuration());

    RemoteIterator<FileStatus> it = PosixFiles.listLocal(fs, new Path(dir.toUri()));
    String deleted = expected.remove((LocalListing.DEPTH + 1) * LocalListing.BATCH + 1);
    Files.delete(dir.resolve(deleted));
    List<String> names = new ArrayList<>();
    while (it.hasNext()) {
      names.add(it.next().getPath().getName());
    }

    assertEquals(expected, names);
  }

  @Test
  void createsNewFilesOwnerOnlyAndNeverThroughASymlink() throws IOException {
    FileSystem fs = FileSystems.raw(new Path(dir.toUri()), new Configuration());
    Path file = new Path(dir.resolve("new").toUri());
    try (org.apache.hadoop.fs.FSDataOutputStream out = PosixFiles.createNew(fs, file, 4096, (short) 1, 1 << 20, null)) {
      out.write(1);
    }
    assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(dir.resolve("new"))));
    java.nio.file.Path outside = dir.resolve("outside");
    Files.createSymbolicLink(dir.resolve("link"), outside);
    Path link = new Path(dir.resolve("link").toUri());
    org.junit.jupiter.api.Assertions.assertThrows(java.nio.file.FileAlreadyExistsException.class,
        () -> PosixFiles.createNew(fs, link, 4096, (short) 1, 1 << 20, null));
    assertFalse(Files.exists(outside), "nothing was created where the link points");
    org.junit.jupiter.api.Assertions.assertThrows(java.nio.file.FileAlreadyExistsException.class,
        () -> PosixFiles.createNew(fs, file, 4096, (short) 1, 1 << 20, null));
  }

  @Test
  void tellsWhatIsAtAPathWithoutFollowingALink() throws IOException {
    FileSystem fs = FileSystems.raw(new Path(dir.toUri()), new Configuration());
    Files.createDirectory(dir.resolve("d"));
    Files.write(dir.resolve("f"), new byte[] {1});
    Files.createSymbolicLink(dir.resolve("to-dir"), dir.resolve("d"));
    assertEquals(PosixFiles.Kind.DIRECTORY, PosixFiles.kindOf(fs, new Path(dir.resolve("d").toUri())));
    assertEquals(PosixFiles.Kind.FILE, PosixFiles.kindOf(fs, new Path(dir.resolve("f").toUri())));
    assertEquals(PosixFiles.Kind.SYMLINK, PosixFiles.kindOf(fs, new Path(dir.resolve("to-dir").toUri())));
    assertEquals(PosixFiles.Kind.MISSING, PosixFiles.kindOf(fs, new Path(dir.resolve("none").toUri())));
    PosixFiles.deleteEntry(fs, new Path(dir.resolve("to-dir").toUri()));
    assertTrue(Files.isDirectory(dir.resolve("d")), "deleting a link leaves what it points to");
  }

  /** Found by a probe: a directory replaced by a file after the listing failed a backup whole (exit 1). */
  @Test
  void whatLiesBelowAFileThatWasADirectoryIsMissing() throws IOException {
    FileSystem fs = FileSystems.raw(new Path(dir.toUri()), new Configuration());
    Files.write(dir.resolve("was-a-dir"), new byte[] {1});
    assertEquals(PosixFiles.Kind.MISSING, PosixFiles.kindOf(fs, new Path(dir.resolve("was-a-dir/x").toUri())));
  }

  /** Found by a probe: 1969-12-31T23:59:59.9995 was read as 1970-01-01T00:00:00.000, a later second and year. */
  @Test
  void readsTimesBefore1970RoundedDownToTheMillisecond() throws Exception {
    java.nio.file.Path f = Files.write(dir.resolve("old"), new byte[] {1});
    // touch, as the JDK sets no fraction of a second before 1970 (theJdkSetsOnlyTimesItsNanosecondsHold).
    org.junit.jupiter.api.Assumptions.assumeTrue(new ProcessBuilder("touch", "-d", "1969-12-31 23:59:59.9995 UTC",
        f.toString()).start().waitFor() == 0, "touch");
    FileStatus status = PosixFiles.linkStatus(FileSystems.raw(new Path(dir.toUri()), new Configuration()),
        new Path(f.toUri()));
    assertEquals(-1, status.getModificationTime());
    // As the JDK reads a time of the local file system: nanoseconds since the epoch.
    assertEquals(-877_000_000_000L, PosixFiles.millis(java.nio.file.attribute.FileTime.from(
        -876_999_999_999_500_000L, java.util.concurrent.TimeUnit.NANOSECONDS)));
    assertEquals(1_234, PosixFiles.millis(java.nio.file.attribute.FileTime.from(1_234_567, java.util.concurrent.TimeUnit.MICROSECONDS)));
  }

  /**
   * Owners applied again and again (a restore applies the same few to every file, through
   * cached principals and id names): each file ends with the owner and group asked for, a
   * link's own, not its target's; an unknown name fails every time. As root only.
   */
  @Test
  void appliesOwnersByNameFileAfterFileAndNeverThroughALink() throws IOException {
    org.junit.jupiter.api.Assumptions.assumeTrue("root".equals(System.getProperty("user.name")), "needs root");
    FileSystem fs = FileSystem.getLocal(new Configuration());
    Files.write(dir.resolve("target"), new byte[] {1});
    Files.createSymbolicLink(dir.resolve("link"), dir.resolve("target"));
    String[][] owners = {{"daemon", "daemon"}, {"root", "root"}, {"daemon", "root"}, {"root", "daemon"}};
    for (int round = 0; round < 3; round++) {
      for (int i = 0; i < 20; i++) {
        String[] o = owners[(i + round) % owners.length];
        java.nio.file.Path file = Files.write(dir.resolve("f" + i), new byte[] {(byte) i});
        PosixFiles.setOwner(fs, new Path(file.toUri()), o[0], o[1]);
        PosixFileAttributes a = Files.readAttributes(file, PosixFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
        assertEquals(o[0] + ":" + o[1], a.owner().getName() + ":" + a.group().getName(), file.toString());
      }
      PosixFiles.setOwner(fs, new Path(dir.resolve("link").toUri()), owners[round][0], owners[round][1]);
      PosixFileAttributes link = Files.readAttributes(dir.resolve("link"), PosixFileAttributes.class,
          LinkOption.NOFOLLOW_LINKS);
      assertEquals(owners[round][0], link.owner().getName());
      assertEquals("root", Files.readAttributes(dir.resolve("target"), PosixFileAttributes.class).owner().getName(),
          "the link's target keeps its owner");
    }
    for (int attempt = 0; attempt < 2; attempt++) {
      org.junit.jupiter.api.Assertions.assertThrows(IOException.class,
          () -> PosixFiles.setOwner(fs, new Path(dir.resolve("f0").toUri()), "no-such-user-hbackup", ""));
    }
  }

  /**
   * The effective uid is the second field of the Uid: line: a process started setuid, or not
   * dumpable (whose /proc/self is owned by root), is told by what it runs as.
   */
  @Test
  void theEffectiveUidIsTheSecondFieldOfTheUidLine() {
    assertEquals(0, PosixFiles.effectiveUid(java.util.List.of("Name:\tjava", "Uid:\t1000\t0\t1000\t1000")));
    assertEquals(1000, PosixFiles.effectiveUid(java.util.List.of("Uid:\t0\t1000\t0\t0")));
    assertEquals(-1, PosixFiles.effectiveUid(java.util.List.of("Name:\tjava")));
  }

  /**
   * Times the JDK cannot set exactly (a negative time that is not a whole second: it set the
   * epoch; one after 2262: it capped it) are set exactly, on a file and on a link itself. The
   * far-future case stays below ext4's last second (2446-05-10T22:38:55), which drops fractions.
   */
  @Test
  void setsTimesBefore1970AndAfter2262Exactly() throws IOException {
    FileSystem fs = FileSystems.raw(new Path(dir.toUri()), new Configuration());
    java.nio.file.Path file = Files.writeString(dir.resolve("old"), "a");
    java.nio.file.Path link = Files.createSymbolicLink(dir.resolve("link"), file);
    long[][] cases = {{-1_500, -86_400_000}, {-315_619_199_877L, 1_000}, {15_000_000_000_123L, 15_000_000_000_000L},
        {1_700_000_000_123L, 1_700_000_000_456L}};
    for (long[] c : cases) {
      for (java.nio.file.Path p : new java.nio.file.Path[] {file, link}) {
        assertTrue(PosixFiles.setTimes(fs, new Path(p.toUri()), c[0], c[1]), p + " " + c[0]);
        assertEquals(c[0], Files.getLastModifiedTime(p, LinkOption.NOFOLLOW_LINKS).toMillis(), p + " " + c[0]);
        assertEquals(c[1], ((java.nio.file.attribute.FileTime) Files.getAttribute(p, "lastAccessTime",
            LinkOption.NOFOLLOW_LINKS)).toMillis(), p + " " + c[1]);
      }
    }
    assertEquals(1_700_000_000_123L, Files.getLastModifiedTime(file).toMillis(), "the link's times are its own");
  }

  /**
   * A time the file system cannot hold (ext4: after 2446-05-10, which it clamps without an error)
   * is reported as not set, never passed as set: it came back silently changed (found by a
   * probe). Whatever this file system holds, the answer says whether the times read back.
   */
  @Test
  void saysWhenTheFileSystemHoldsOtherTimes() throws IOException {
    FileSystem fs = FileSystems.raw(new Path(dir.toUri()), new Configuration());
    java.nio.file.Path file = Files.writeString(dir.resolve("far"), "a");
    // 9999, the extremes, and 1850 and 2100 in whole seconds, which the JDK sets (ext4 clamps
    // 1850; ext3 and XFS without bigtime clamp 2100).
    long[] times = {253_402_300_799_000L, Long.MAX_VALUE, Long.MIN_VALUE, -3_786_825_600_000L, 4_102_444_800_000L};
    for (long t : times) {
      boolean set = PosixFiles.setTimes(fs, new Path(file.toUri()), t, 1_700_000_000_000L);
      boolean heldExactly = Files.getLastModifiedTime(file, LinkOption.NOFOLLOW_LINKS).toMillis() == t;
      assertEquals(heldExactly, set, "time " + t);
    }
  }

  @Test
  void onlyTimesOutsideThirtyTwoBitSecondsAreReadBack() {
    assertTrue(PosixFiles.heldEverywhere(0));
    assertTrue(PosixFiles.heldEverywhere(2_147_483_647_000L)); // 2038-01-19T03:14:07
    assertFalse(PosixFiles.heldEverywhere(2_147_483_648_000L));
    assertTrue(PosixFiles.heldEverywhere(-2_147_483_648_000L)); // 1901-12-13
    assertFalse(PosixFiles.heldEverywhere(-2_147_483_649_000L));
  }

  /** Which times the JDK sets exactly: its nanoseconds must fit a long, and a negative one be whole seconds. */
  @Test
  void theJdkSetsOnlyTimesItsNanosecondsHold() {
    assertTrue(PosixFiles.jdkSetsExactly(0));
    assertTrue(PosixFiles.jdkSetsExactly(1_700_000_000_123L));
    assertTrue(PosixFiles.jdkSetsExactly(-2_000));
    assertFalse(PosixFiles.jdkSetsExactly(-1_500));
    assertFalse(PosixFiles.jdkSetsExactly(15_000_000_000_123L)); // 2445
    assertFalse(PosixFiles.jdkSetsExactly(-9_300_000_000_000L)); // 1675, whole seconds
  }
}
