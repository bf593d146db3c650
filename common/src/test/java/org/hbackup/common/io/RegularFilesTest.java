package org.hbackup.common.io;

import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.FileNotFoundException;
import java.nio.file.AccessDeniedException;
import java.nio.file.Files;

import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FSDataInputStream;
import org.apache.hadoop.fs.Path;
import org.apache.hadoop.fs.RawLocalFileSystem;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class RegularFilesTest {
  @TempDir
  java.nio.file.Path dir;

  /**
   * Hadoop's local file system reports a file it may not open as not found (it says "(Permission
   * denied)" in the message); a file that is there must not be taken for a missing one, or
   * verify and repair call a pack of another owner lost and drop what it holds. Run as root, the
   * tests cannot be refused an open, so this file system refuses every one as the local one does.
   */
  @Test
  void aFileThatIsThereButCannotBeOpenedIsNotMissing() throws Exception {
    RawLocalFileSystem refusing = new RawLocalFileSystem() {
      @Override
      public FSDataInputStream open(Path f, int bufferSize) throws java.io.IOException {
        throw new FileNotFoundException(f + " (Permission denied)");
      }
    };
    refusing.initialize(java.net.URI.create("file:///"), new Configuration());
    java.nio.file.Path pack = Files.writeString(dir.resolve("p.pack"), "bytes");
    AccessDeniedException denied = assertThrows(AccessDeniedException.class,
        () -> RegularFiles.open(refusing, new Path(pack.toUri())));
    assertTrue(denied.getMessage().contains("p.pack"), denied.getMessage());
    FileNotFoundException missing = assertThrows(FileNotFoundException.class,
        () -> RegularFiles.open(refusing, new Path(dir.resolve("gone.pack").toUri())));
    assertTrue(missing.getMessage().contains("gone.pack"), missing.getMessage());
    // A directory where a pack belongs is a missing pack (damage, exit 3), not this run's failure.
    java.nio.file.Path directory = Files.createDirectory(dir.resolve("d.pack"));
    assertThrows(FileNotFoundException.class, () -> RegularFiles.open(refusing, new Path(directory.toUri())));
  }
}
