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

  /**
   * Where {@code inner} lies under {@code outer}, as a manifest path ({@code ""} when they are the
   * same directory), or null when it does not. Both are qualified with their file systems; on the
   * local file system, symlinks on the way are resolved first (through the nearest part of each
   * path that exists), so that a path reached through a link is recognized.
   */
  public static String relativeUnder(Path outer, Path inner, Configuration conf) throws IOException {
    Path o = canonical(outer, conf);
    Path i = canonical(inner, conf);
    if (!java.util.Objects.equals(o.toUri().getScheme(), i.toUri().getScheme())
        || !java.util.Objects.equals(o.toUri().getAuthority(), i.toUri().getAuthority())) {
      return null;
    }
    String op = o.toUri().getPath();
    String ip = i.toUri().getPath();
    if (op.equals(ip)) {
      return "";
    }
    String prefix = op.endsWith("/") ? op : op + "/";
    return ip.startsWith(prefix) ? ip.substring(prefix.length()) : null;
  }

  private static Path canonical(Path path, Configuration conf) throws IOException {
    FileSystem fs = raw(path, conf);
    Path qualified = fs.makeQualified(path);
    if (!PosixFiles.isLocal(fs)) {
      return qualified;
    }
    java.nio.file.Path local = PosixFiles.local(qualified).normalize();
    java.nio.file.Path existing = local;
    java.util.Deque<String> rest = new java.util.ArrayDeque<>();
    while (existing != null && !java.nio.file.Files.exists(existing)) {
      rest.push(existing.getFileName().toString());
      existing = existing.getParent();
    }
    java.nio.file.Path resolved = existing == null ? local : existing.toRealPath();
    while (!rest.isEmpty()) {
      resolved = resolved.resolve(rest.pop());
    }
    return fs.makeQualified(new Path(qualified.toUri().getScheme(), qualified.toUri().getAuthority(),
        resolved.toString()));
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
