package org.hbackup.common.io;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.attribute.BasicFileAttributes;

import org.apache.hadoop.fs.FSDataInputStream;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.hbackup.common.FormatException;

/**
 * Opens repository files for reading, refusing what is not a regular file. Hadoop's local file
 * system opens a FIFO as it opens a file, and the open waits for a writer forever: one FIFO put
 * where a pack, segment or lock belongs would hang every restore, verify and backup. A device
 * would be read as repository bytes. HDFS and object stores have no such files.
 */
public final class RegularFiles {
  private RegularFiles() {
  }

  /**
   * Opens {@code path}; on the local file system, a FIFO, socket or device there (a symlink is
   * followed, as the open would) is a {@link FormatException} naming the path. A missing file
   * is the file system's {@link java.io.FileNotFoundException}, as from {@link FileSystem#open}.
   */
  public static FSDataInputStream open(FileSystem fs, Path path) throws IOException {
    requireRegular(fs, path);
    return fs.open(path);
  }

  /** Throws a {@link FormatException} when {@code path} is a local FIFO, socket or device. */
  public static void requireRegular(FileSystem fs, Path path) throws IOException {
    if (!PosixFiles.isLocal(fs)) {
      return;
    }
    BasicFileAttributes a;
    try {
      a = Files.readAttributes(PosixFiles.local(path), BasicFileAttributes.class);
    } catch (java.nio.file.AccessDeniedException e) {
      throw e; // as the open would: this run may not read the repository
    } catch (NoSuchFileException e) {
      return; // the open says it is missing, as callers expect
    } catch (IOException e) {
      return; // not a directory on the way, a link loop: the open reports it as it always has
    }
    if (a.isOther()) {
      throw new FormatException(path.toString(), "not a regular file (a FIFO, socket or device)");
    }
  }
}
