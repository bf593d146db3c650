package org.hbackup.common.io;

import java.io.IOException;
import java.io.OutputStream;

import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.CommonPathCapabilities;
import org.apache.hadoop.fs.FSDataOutputStream;
import org.apache.hadoop.fs.FSDataOutputStreamBuilder;
import org.apache.hadoop.fs.FileAlreadyExistsException;
import org.apache.hadoop.fs.Options;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.LocalFileSystem;
import org.apache.hadoop.fs.Path;
import org.apache.hadoop.fs.StreamCapabilities;
import org.apache.hadoop.fs.Syncable;
import org.apache.hadoop.fs.permission.FsPermission;
import org.apache.hadoop.hdfs.DistributedFileSystem;

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
   * Creates a file readable and writable by its owner only: every file of a repository is made
   * this way, since packs hold the source's bytes whatever the source's own modes were.
   */
  public static FSDataOutputStream createOwnerOnly(FileSystem fs, Path path, boolean overwrite) throws IOException {
    if (PosixFiles.isLocal(fs) && !overwrite) {
      // Hadoop's local create checks, then opens, and follows a dangling link: O_CREAT|O_EXCL
      // makes "never overwrite" atomic, which locks rely on (FORMAT.md, "Locks"). Missing
      // parents are made, as Hadoop's create makes them.
      mkdirsOwnerOnly(fs, path.getParent());
      return PosixFiles.createNew(fs, path, 64 * 1024, (short) 1, fs.getDefaultBlockSize(path), null);
    }
    return fs.create(path, new FsPermission(PosixFiles.OWNER_ONLY_FILE), overwrite,
        fs.getConf().getInt("io.file.buffer.size", 4096), fs.getDefaultReplication(path),
        fs.getDefaultBlockSize(path), null);
  }

  /**
   * Creates a directory searchable by its owner only. Missing parents are made too, with the
   * file system's default permission: callers make parents first where that matters.
   */
  public static void mkdirsOwnerOnly(FileSystem fs, Path dir) throws IOException {
    fs.mkdirs(dir, new FsPermission(PosixFiles.OWNER_ONLY_DIRECTORY));
  }

  /**
   * Writes a small file aside and publishes it under its name, so readers see all of it or
   * nothing. Refuses to replace an existing file: repository files are immutable.
   */
  public static void writeAtomically(FileSystem fs, Path target, byte[] content, Path scratchDir)
      throws IOException {
    if (visibleWholeOnClose(fs, target)) {
      writeNewObject(fs, target, content);
      return;
    }
    Path scratch = new Path(scratchDir, "." + target.getName() + "." + System.nanoTime() + ".tmp");
    mkdirsOwnerOnly(fs, scratchDir);
    try (FSDataOutputStream out = createOwnerOnly(fs, scratch, false)) {
      out.write(content);
      sync(out);
    }
    renameNew(fs, scratch, target);
  }

  /**
   * Makes what was written durable before anything names it: {@code hsync} where the stream
   * declares it (HDFS, the local file system), else a flush. An object store's stream (S3A)
   * declares no {@code hsync}, and either warns or fails when it is called; its upload becomes
   * durable, and visible all at once, when {@code close} returns, which every writer does before
   * it publishes the file (FORMAT.md, "Object stores").
   */
  public static void sync(OutputStream out) throws IOException {
    if (syncs(out)) {
      ((Syncable) out).hsync();
    } else {
      out.flush();
    }
  }

  /**
   * {@code file} as a stream that {@linkplain #sync syncs} it before closing it: for writers that
   * close the stream they are given when they end (a change list), since every file of a point
   * is synced before anything names it (FORMAT.md, section 12).
   */
  public static OutputStream syncedOnClose(FSDataOutputStream file) {
    return new java.io.FilterOutputStream(file) {
      @Override
      public void write(byte[] b, int off, int len) throws IOException {
        file.write(b, off, len);
      }

      @Override
      public void close() throws IOException {
        try {
          file.flush();
          sync(file);
        } finally {
          file.close();
        }
      }
    };
  }

  /** Whether {@link #sync} calls {@code hsync} on this stream. */
  public static boolean syncs(OutputStream out) {
    if (!(out instanceof Syncable)) {
      return false;
    }
    return !(out instanceof StreamCapabilities)
        || ((StreamCapabilities) out).hasCapability(StreamCapabilities.HSYNC);
  }

  /**
   * Whether a file written at {@code path} only appears when its stream is closed, all of it at
   * once, as an object store's upload does (S3A: one PUT, or a multipart upload completed in
   * {@code close}). There, writing aside and renaming (a copy and a delete on S3A) adds nothing.
   */
  public static boolean visibleWholeOnClose(FileSystem fs, Path path) throws IOException {
    if (PosixFiles.isLocal(fs) || fs instanceof DistributedFileSystem) {
      return false;
    }
    return fs.hasPathCapability(path, CommonPathCapabilities.ABORTABLE_STREAM);
  }

  /**
   * Writes a new object under its final name, never replacing one: a check first, then, where
   * the store offers it, a conditional create ({@code If-None-Match}, checked by the store when
   * the upload completes, which closes the window between the two), else the create S3A makes
   * after its own check. The first check stays because S3-compatible servers that ignore the
   * condition exist (s3rver does).
   */
  private static void writeNewObject(FileSystem fs, Path target, byte[] content) throws IOException {
    if (fs.exists(target)) {
      throw new FileAlreadyExistsException("refusing to replace existing " + target);
    }
    FSDataOutputStreamBuilder<?, ?> builder = fs.createFile(target)
        .permission(new FsPermission(PosixFiles.OWNER_ONLY_FILE)).recursive();
    if (fs.hasPathCapability(target, Options.CreateFileOptionKeys.FS_OPTION_CREATE_CONDITIONAL_OVERWRITE)) {
      builder.overwrite(true).must(Options.CreateFileOptionKeys.FS_OPTION_CREATE_CONDITIONAL_OVERWRITE, true);
    } else {
      builder.overwrite(false);
    }
    FSDataOutputStream out = builder.build();
    try {
      out.write(content);
    } catch (IOException | RuntimeException e) {
      // S3A's close uploads whatever was buffered, even after a failed write: abort instead, so
      // that no part of the file ever appears under its name.
      try {
        out.abort();
      } catch (RuntimeException abortFailed) {
        e.addSuppressed(abortFailed);
      }
      throw e;
    }
    try {
      out.close();
    } catch (IOException e) {
      // A conditional create that lost comes back as a failed upload (HTTP 412); say what it is.
      if (fs.exists(target)) {
        FileAlreadyExistsException taken = new FileAlreadyExistsException("refusing to replace existing " + target);
        taken.initCause(e);
        throw taken;
      }
      throw e;
    }
  }

  /** Renames {@code from} to {@code to}, which must not exist yet; fails if it does. */
  public static void renameNew(FileSystem fs, Path from, Path to) throws IOException {
    if (!publishNew(fs, from, to)) {
      fs.delete(from, false);
      throw new FileAlreadyExistsException("refusing to replace existing " + to);
    }
  }

  /**
   * Gives {@code from} the name {@code to} unless a file has it already, in one atomic step where
   * the file system has one: a hard link (which fails on an existing name) on the local file
   * system, a rename that never overwrites on HDFS. Returns false, leaving {@code from} in place,
   * when {@code to} exists. Elsewhere (S3A) the check and the rename are two steps; a second
   * writer racing between them can only be one that publishes the same content-addressed bytes,
   * or a point id that is random (FORMAT.md, "Writing a point").
   */
  public static boolean publishNew(FileSystem fs, Path from, Path to) throws IOException {
    mkdirsOwnerOnly(fs, to.getParent());
    if (PosixFiles.isLocal(fs)) {
      try {
        java.nio.file.Files.createLink(PosixFiles.local(to), PosixFiles.local(from));
      } catch (java.nio.file.FileAlreadyExistsException e) {
        return false;
      } catch (UnsupportedOperationException | java.nio.file.FileSystemException e) {
        // No hard links here (vfat, exFAT, SMB, some FUSE): a check, then a rename.
        return checkThenRename(fs, from, to);
      }
      java.nio.file.Files.delete(PosixFiles.local(from));
      return true;
    }
    if (fs instanceof DistributedFileSystem) {
      try {
        ((DistributedFileSystem) fs).rename(from, to, Options.Rename.NONE);
        return true;
      } catch (FileAlreadyExistsException e) {
        return false;
      }
    }
    return checkThenRename(fs, from, to);
  }

  /**
   * Gives {@code from} the name {@code to}, replacing a file there in one atomic step where the
   * file system has one ({@code rename(2)} locally, {@code Rename.OVERWRITE} on HDFS, which both
   * refuse to replace a directory); elsewhere a delete, then a rename.
   */
  public static void renameReplacing(FileSystem fs, Path from, Path to) throws IOException {
    if (PosixFiles.isLocal(fs)) {
      try {
        java.nio.file.Files.move(PosixFiles.local(from), PosixFiles.local(to),
            java.nio.file.StandardCopyOption.ATOMIC_MOVE);
      } catch (java.nio.file.AtomicMoveNotSupportedException e) {
        // Another mount below: a copy that keeps times and mode, then a delete.
        java.nio.file.Files.move(PosixFiles.local(from), PosixFiles.local(to),
            java.nio.file.StandardCopyOption.REPLACE_EXISTING, java.nio.file.StandardCopyOption.COPY_ATTRIBUTES);
      }
      return;
    }
    if (fs instanceof DistributedFileSystem) {
      ((DistributedFileSystem) fs).rename(from, to, Options.Rename.OVERWRITE);
      return;
    }
    if (fs.exists(to) && !fs.getFileStatus(to).isDirectory()) {
      fs.delete(to, false);
    }
    if (!fs.rename(from, to)) {
      throw new IOException("could not rename " + from + " to " + to);
    }
  }

  private static boolean checkThenRename(FileSystem fs, Path from, Path to) throws IOException {
    if (fs.exists(to)) {
      return false;
    }
    if (!fs.rename(from, to)) {
      if (fs.exists(to)) {
        return false;
      }
      throw new IOException("could not rename " + from + " to " + to);
    }
    return true;
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
}
