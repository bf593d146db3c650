package org.hbackup.common.io;

import java.io.IOException;

import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FSDataOutputStream;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.LocalFileSystem;
import org.apache.hadoop.fs.Path;

/** File-system choices shared by the repository and the jobs. */
public final class FileSystems {
  private FileSystems() {
  }

  /**
   * The file system of a path, without the local file system's {@code .crc} sidecars: repository
   * files carry their own checksums, a restored tree must hold exactly the source's entries, and
   * the checksummed local file system fails on names with ':' (it builds the sidecar's name as a
   * URI).
   */
  public static FileSystem raw(Path path, Configuration conf) throws IOException {
    FileSystem fs = path.getFileSystem(conf);
    if (fs instanceof LocalFileSystem) {
      return ((LocalFileSystem) fs).getRawFileSystem();
    }
    return fs;
  }

  /**
   * Writes a small file aside and renames it into place, so readers see all of it or nothing.
   * Refuses to replace an existing file: repository files are immutable.
   */
  public static void writeAtomically(FileSystem fs, Path target, byte[] content, Path scratchDir)
      throws IOException {
    Path scratch = new Path(scratchDir, "." + target.getName() + "." + System.nanoTime() + ".tmp");
    fs.mkdirs(scratchDir);
    try (FSDataOutputStream out = fs.create(scratch, false)) {
      out.write(content);
      out.hsync();
    }
    renameNew(fs, scratch, target);
  }

  /** Renames {@code from} to {@code to}, which must not exist yet. */
  public static void renameNew(FileSystem fs, Path from, Path to) throws IOException {
    fs.mkdirs(to.getParent());
    // RawLocalFileSystem's rename replaces an existing file; HDFS's fails. Check first so both
    // refuse; point ids and content ids are unique, so no honest writer races here.
    if (fs.exists(to)) {
      throw new IOException("refusing to replace existing " + to);
    }
    if (!fs.rename(from, to)) {
      throw new IOException("could not rename " + from + " to " + to);
    }
  }
}
