package org.hbackup.common.testing;

import java.io.FilterOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.net.URI;

import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FSDataInputStream;
import org.apache.hadoop.fs.FSDataOutputStream;
import org.apache.hadoop.fs.FileStatus;
import org.apache.hadoop.fs.Path;
import org.apache.hadoop.fs.RawLocalFileSystem;
import org.apache.hadoop.fs.permission.FsPermission;
import org.apache.hadoop.security.AccessControlException;
import org.apache.hadoop.util.Progressable;

/**
 * The local file system under the scheme {@code fault:}, with the failures a test cannot make for
 * real (as root, or without filling a disk): files the user may not read and directories it may
 * not list, both answered as HDFS answers them ({@link AccessControlException}), and a disk that
 * fills up. Register with {@code fs.fault.impl} and {@code fs.fault.impl.disable.cache=true}.
 */
public class FaultFileSystem extends RawLocalFileSystem {
  public static final String SCHEME = "fault";
  /** Names (last path component) of files whose open is refused. */
  public static final String UNREADABLE = "fault.unreadable.names";
  /** Names of directories whose listing is refused. */
  public static final String UNLISTABLE = "fault.unlistable.names";
  /** Paths containing this string fail to be written with "No space left on device". */
  public static final String FULL = "fault.full.paths.containing";

  private java.util.Set<String> unreadable = java.util.Set.of();
  private java.util.Set<String> unlistable = java.util.Set.of();
  private String full;

  /** The configuration that makes {@code fault:} paths use this class. */
  public static void register(Configuration conf) {
    conf.set("fs." + SCHEME + ".impl", FaultFileSystem.class.getName());
    conf.setBoolean("fs." + SCHEME + ".impl.disable.cache", true);
  }

  @Override
  public void initialize(URI uri, Configuration conf) throws IOException {
    super.initialize(uri, conf);
    unreadable = new java.util.HashSet<>(conf.getTrimmedStringCollection(UNREADABLE));
    unlistable = new java.util.HashSet<>(conf.getTrimmedStringCollection(UNLISTABLE));
    full = conf.get(FULL);
  }

  @Override
  public URI getUri() {
    return URI.create(SCHEME + ":///");
  }

  @Override
  public String getScheme() {
    return SCHEME;
  }

  @Override
  public FSDataInputStream open(Path f, int bufferSize) throws IOException {
    if (unreadable.contains(f.getName())) {
      throw new AccessControlException("Permission denied: user=test, access=READ, inode=\"" + f.toUri().getPath() + "\"");
    }
    return super.open(f, bufferSize);
  }

  @Override
  public FileStatus[] listStatus(Path f) throws IOException {
    if (unlistable.contains(f.getName())) {
      throw new AccessControlException("Permission denied: user=test, access=READ_EXECUTE, inode=\""
          + f.toUri().getPath() + "\"");
    }
    return super.listStatus(f);
  }

  @Override
  public FSDataOutputStream create(Path f, FsPermission permission, boolean overwrite, int bufferSize,
      short replication, long blockSize, Progressable progress) throws IOException {
    return filled(f, super.create(f, permission, overwrite, bufferSize, replication, blockSize, progress));
  }

  @Override
  public FSDataOutputStream create(Path f, boolean overwrite, int bufferSize, short replication, long blockSize,
      Progressable progress) throws IOException {
    return filled(f, super.create(f, overwrite, bufferSize, replication, blockSize, progress));
  }

  private FSDataOutputStream filled(Path f, FSDataOutputStream out) throws IOException {
    if (full == null || !f.toString().contains(full)) {
      return out;
    }
    OutputStream failing = new FilterOutputStream(out) {
      @Override
      public void write(int b) throws IOException {
        throw new IOException("No space left on device");
      }

      @Override
      public void write(byte[] b, int off, int len) throws IOException {
        throw new IOException("No space left on device");
      }
    };
    return new FSDataOutputStream(failing, null);
  }
}
