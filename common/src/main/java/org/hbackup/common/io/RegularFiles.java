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
   * is the file system's {@link java.io.FileNotFoundException}, as from {@link FileSystem#open}; one
   * that is there but may not be opened is an {@link java.nio.file.AccessDeniedException}.
   */
  public static FSDataInputStream open(FileSystem fs, Path path) throws IOException {
    requireRegular(fs, path);
    try {
      return fs.open(path);
    } catch (java.io.FileNotFoundException e) {
      throw refusedIfThere(fs, path, e);
    }
  }

  /**
   * Hadoop's local file system reports a file it may not open (permission denied) as not found,
   * which every reader takes for a missing file: verify and restore called such a pack missing,
   * and repair index and repair points dropped what it holds (found by a probe run as another
   * user). A regular file that is there is this run's failure (permission denied, too many open
   * files), not damage: an {@link java.nio.file.AccessDeniedException} carrying the open's
   * reason, which fails the command (exit 1).
   */
  private static IOException refusedIfThere(FileSystem fs, Path path, java.io.FileNotFoundException e) {
    if (!PosixFiles.isLocal(fs)) {
      return e; // HDFS and S3A say AccessControlException / AccessDeniedException themselves
    }
    BasicFileAttributes a;
    try {
      a = Files.readAttributes(PosixFiles.local(path), BasicFileAttributes.class);
    } catch (java.nio.file.AccessDeniedException denied) {
      return denied;
    } catch (IOException gone) {
      return e; // missing, or not a directory on the way: as the open said
    }
    if (!a.isRegularFile()) {
      return e; // a directory where a file belongs: that file is missing, as it always was
    }
    return new java.nio.file.AccessDeniedException(path.toString(), null,
        "it is there but cannot be opened (" + e.getMessage() + ")");
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
