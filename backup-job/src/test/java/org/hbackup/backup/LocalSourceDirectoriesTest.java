package org.hbackup.backup;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class LocalSourceDirectoriesTest {
  @TempDir
  Path dir;

  private static String read(FileChannel channel) throws IOException {
    try (channel) {
      ByteBuffer buffer = ByteBuffer.allocate((int) channel.size());
      while (buffer.hasRemaining() && channel.read(buffer) >= 0) {
        // reads it whole
      }
      return new String(buffer.array(), StandardCharsets.UTF_8);
    }
  }

  private Path write(Path file, String text) throws IOException {
    Files.createDirectories(file.getParent());
    return Files.writeString(file, text);
  }

  @Test
  void opensFilesInListingOrderAcrossDirectories() throws IOException {
    Path root = dir.resolve("src");
    write(root.resolve("top"), "top");
    write(root.resolve("a/x"), "a/x");
    write(root.resolve("a/b/y"), "a/b/y");
    write(root.resolve("a/c/z"), "a/c/z");
    write(root.resolve("d/w"), "d/w");
    try (LocalSourceDirectories directories = new LocalSourceDirectories(root)) {
      for (String name : new String[] {"top", "a/x", "a/b/y", "a/c/z", "d/w", "a/x"}) {
        assertEquals(name, read(directories.open(root.resolve(name))));
      }
      assertNull(directories.open(root), "the root itself is not below the root");
      assertNull(directories.open(dir.resolve("elsewhere")), "nor is a path outside it");
    }
  }

  /** The race a hostile user of the source wins otherwise: swap a listed directory for a link. */
  @Test
  void aDirectorySwappedForASymlinkAfterTheListingIsNeverReadThrough() throws IOException {
    Path root = dir.resolve("src");
    write(root.resolve("a/first"), "first");
    write(root.resolve("d/secret"), "the user's own file");
    write(dir.resolve("outside/secret"), "TOP SECRET");
    try (LocalSourceDirectories directories = new LocalSourceDirectories(root)) {
      assertEquals("first", read(directories.open(root.resolve("a/first"))));
      Files.move(root.resolve("d"), root.resolve("d.old"));
      Files.createSymbolicLink(root.resolve("d"), dir.resolve("outside"));
      SourceUnreadable refused = assertThrows(SourceUnreadable.class, () -> directories.open(root.resolve("d/secret")));
      assertTrue(refused.getMessage().contains("'d' above it is no longer a directory"), refused.getMessage());
      Files.delete(root.resolve("d"));
      Files.writeString(root.resolve("d"), "a file now");
      assertThrows(SourceUnreadable.class, () -> directories.open(root.resolve("d/secret")));
      Files.delete(root.resolve("d"));
      assertThrows(NoSuchFileException.class, () -> directories.open(root.resolve("d/secret")));
      Files.createSymbolicLink(root.resolve("link"), dir.resolve("outside/secret"));
      assertThrows(SourceUnreadable.class, () -> directories.open(root.resolve("link")),
          "a file that is a symlink is not followed either");
    }
  }

  @Test
  void aDirectoryAlreadyOpenStaysTheOneListedWhateverItsNameNowNames() throws IOException {
    Path root = dir.resolve("src");
    write(root.resolve("a/one"), "one");
    write(root.resolve("a/two"), "two");
    write(dir.resolve("outside/two"), "TOP SECRET");
    try (LocalSourceDirectories directories = new LocalSourceDirectories(root)) {
      assertEquals("one", read(directories.open(root.resolve("a/one"))));
      Files.move(root.resolve("a"), root.resolve("a.old"));
      Files.createSymbolicLink(root.resolve("a"), dir.resolve("outside"));
      assertEquals("two", read(directories.open(root.resolve("a/two"))), "read from the directory listed");
    }
  }

  /**
   * A directory removed and made again under its name after a file in it was opened: the one
   * kept open is gone, so the file is looked for again from the root (it was reported unreadable);
   * a symlink put in the directory's place is still never followed.
   */
  @Test
  void aDirectoryRemovedAndMadeAgainIsOpenedAgainFromTheRoot() throws IOException {
    Path root = dir.resolve("src");
    write(root.resolve("a/one"), "one");
    write(root.resolve("a/two"), "two");
    write(dir.resolve("outside/three"), "TOP SECRET");
    try (LocalSourceDirectories directories = new LocalSourceDirectories(root)) {
      assertEquals("one", read(directories.open(root.resolve("a/one"))));
      org.apache.hadoop.fs.FileUtil.fullyDelete(root.resolve("a").toFile());
      write(root.resolve("a/two"), "two, again");
      assertEquals("two, again", read(directories.open(root.resolve("a/two"))));
      org.apache.hadoop.fs.FileUtil.fullyDelete(root.resolve("a").toFile());
      Files.createSymbolicLink(root.resolve("a"), dir.resolve("outside"));
      assertThrows(SourceUnreadable.class, () -> directories.open(root.resolve("a/three")));
    }
  }

  /**
   * A release swap while the backup runs (mv x x.old; mv new x): a file read again as it is now
   * (by the inode its status has now) is read from the new x, not through the x.old kept open,
   * whose bytes were stored with the new file's status (found by a probe). Read as listed (the
   * old inode), it is still read from the directory listed.
   */
  @Test
  void aFileAskedForByItsInodeNowIsReadFromWhereItsPathLeadsNow() throws IOException {
    Path root = dir.resolve("src");
    write(root.resolve("x/one"), "old one");
    write(root.resolve("x/two"), "old two");
    long oldTwo = (Long) Files.getAttribute(root.resolve("x/two"), "unix:ino");
    write(dir.resolve("new/two"), "new two");
    try (LocalSourceDirectories directories = new LocalSourceDirectories(root)) {
      assertEquals("old one", read(directories.open(root.resolve("x/one"))));
      Files.move(root.resolve("x"), root.resolve("x.old"));
      Files.move(dir.resolve("new"), root.resolve("x"));
      long newTwo = (Long) Files.getAttribute(root.resolve("x/two"), "unix:ino");
      assertEquals("old two", read(directories.open(root.resolve("x/two"), oldTwo)), "as listed");
      assertEquals("new two", read(directories.open(root.resolve("x/two"), newTwo)), "as it is now");
      assertEquals("new two", read(directories.open(root.resolve("x/two"), -1)), "the chain now leads there");
    }
  }

  /**
   * A file swapped for a FIFO between the look at its kind and the open: the open for reading
   * would wait for a writer forever (found by a probe: a backup hung in openat). It is unblocked
   * after a second and refused.
   */
  @Test
  void anOpenOfAFileThatBecameAFifoIsUnblockedAndRefused() throws Exception {
    Path root = dir.resolve("src");
    write(root.resolve("d/plain"), "plain");
    org.junit.jupiter.api.Assumptions.assumeTrue(
        new ProcessBuilder("mkfifo", root.resolve("d/pipe").toString()).start().waitFor() == 0, "mkfifo");
    try (LocalSourceDirectories directories = new LocalSourceDirectories(root)) {
      assertEquals("plain", read(directories.open(root.resolve("d/plain"))));
      SourceUnreadable refused = org.junit.jupiter.api.Assertions.assertTimeoutPreemptively(
          java.time.Duration.ofSeconds(20),
          () -> assertThrows(SourceUnreadable.class, () -> directories.open(root.resolve("d/pipe"))));
      assertTrue(refused.getMessage().contains("FIFO"), refused.getMessage());
      assertEquals("plain", read(directories.open(root.resolve("d/plain"))), "and the next file opens as before");
    }
  }
}
