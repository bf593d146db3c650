package org.hbackup.common.io;

import java.io.IOException;
import java.nio.file.Files;

import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.LocalFileSystem;
import org.apache.hadoop.fs.Path;
import org.apache.hadoop.fs.RawLocalFileSystem;
import org.apache.hadoop.fs.permission.FsPermission;
import org.apache.hadoop.io.nativeio.NativeIO;

/**
 * Hadoop's local file system, except that without libhadoop a permission is applied in process
 * (java.nio's {@code chmod}) instead of by forking {@code chmod}. Hadoop forks once for every file
 * or directory it creates on {@code file:}, and twice with the checksum sidecar: a backup on the
 * embedded default forked about 50 times for its listing, job submission, spills, segments and
 * commit, whatever the data's size. Everything else, the sidecar checksums included, is
 * Hadoop's own code. With libhadoop loaded, or for a sticky bit (which java.nio cannot set),
 * Hadoop's own path is taken unchanged.
 *
 * <p>Installed as {@code fs.file.impl} by {@link #preferFor(Configuration)}. Hadoop caches one
 * {@code file:} instance per user and JVM, so it takes effect when it is configured before the
 * JVM's first use of the local file system; otherwise the cached one is used, which is slower
 * and behaves the same.
 */
public class InProcessLocalFileSystem extends LocalFileSystem {
  /** The key Hadoop reads the {@code file:} scheme's implementation from. */
  public static final String IMPL_KEY = "fs.file.impl";

  public InProcessLocalFileSystem() {
    super(new Raw());
  }

  /**
   * Makes {@code conf} use this file system for {@code file:} unless a user, a site file or an
   * earlier {@code -D} chose an implementation.
   */
  public static void preferFor(Configuration conf) {
    if (conf.get(IMPL_KEY) == null) {
      conf.set(IMPL_KEY, InProcessLocalFileSystem.class.getName(), "hbackup default");
    }
  }

  /** The raw local file system with the in-process {@code chmod}. */
  static final class Raw extends RawLocalFileSystem {
    @Override
    public void setPermission(Path p, FsPermission permission) throws IOException {
      if (NativeIO.isAvailable() || permission.getStickyBit()) {
        super.setPermission(p, permission);
        return;
      }
      // pathToFile resolves a relative path against the working directory, as Hadoop's does.
      Files.setPosixFilePermissions(pathToFile(p).toPath(), PosixFiles.fromMode(permission.toShort()));
    }
  }
}
