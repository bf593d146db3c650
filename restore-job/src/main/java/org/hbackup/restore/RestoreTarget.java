package org.hbackup.restore;

import java.io.IOException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;

import com.google.common.cache.Cache;
import com.google.common.cache.CacheBuilder;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Options;
import org.apache.hadoop.fs.Path;
import org.apache.hadoop.fs.permission.FsPermission;
import org.apache.hadoop.hdfs.DistributedFileSystem;
import org.hbackup.common.OneLine;
import org.hbackup.common.io.FileSystems;
import org.hbackup.common.io.LocalSymlinks;
import org.hbackup.common.io.PosixFiles;
import org.hbackup.common.manifest.RelativePaths;

/**
 * The restore target as tasks change it. Nothing is created, opened or changed through a
 * symlink, whether the point made it or it was already in the target: every directory on the way
 * to an entry is checked from the target root down without following links, and created one
 * level at a time; files are written in a staging directory and moved into place by a rename,
 * which replaces a link itself, never what it points to; symlinks are created by the reducer,
 * after every file and directory (FORMAT.md, "Restoring a point").
 *
 * <p>With {@code --overwrite}, a file or link where the point has a file or link is replaced by
 * one atomic rename, and one where it has a directory is removed (the link itself, never its
 * target); a directory is never removed. Without it, the target started empty, so anything in
 * the way is refused (but a retried attempt replaces what its failed predecessor placed).
 *
 * <p>No one else may change the target while a restore runs: between a directory's check and a
 * rename below it, another user who may write there could swap it for a link.
 *
 * <p>Memory: the paths of up to {@value #VERIFIED_DIRECTORIES} directories already checked.
 */
final class RestoreTarget {
  private static final int VERIFIED_DIRECTORIES = 4096;

  private final FileSystem fs;
  private final Path root;
  private final boolean overwrite;
  private final boolean local;
  /** Directories checked (or made) by this task, so that siblings do not check them again. */
  private final Cache<String, Boolean> verified = CacheBuilder.newBuilder().maximumSize(VERIFIED_DIRECTORIES).build();

  /**
   * {@code overwrite}: replace what is in the way (--overwrite, or a retried attempt, which meets
   * what its failed predecessor placed in a target that started empty).
   */
  RestoreTarget(FileSystem fs, Path root, boolean overwrite) {
    this.fs = fs;
    this.root = root;
    this.overwrite = overwrite;
    this.local = PosixFiles.isLocal(fs);
  }

  FileSystem fileSystem() {
    return fs;
  }

  Path pathOf(String manifestPath) {
    return RelativePaths.resolve(root, manifestPath);
  }

  /**
   * Makes sure that {@code path} is a real directory in the target, and so is every directory
   * above it: each is checked from the root down without following links, and a missing one is
   * created. Iterative: a hostile manifest's depth cannot exhaust the stack.
   */
  void ensureDirectory(String path) throws IOException {
    if (path.isEmpty() || verified.getIfPresent(path) != null) {
      return;
    }
    java.util.ArrayDeque<String> missing = new java.util.ArrayDeque<>();
    for (String p = path; !p.isEmpty() && verified.getIfPresent(p) == null; p = RelativePaths.parent(p)) {
      missing.push(p);
    }
    while (!missing.isEmpty()) {
      String p = missing.pop();
      Path dir = pathOf(p);
      PosixFiles.Kind kind = PosixFiles.kindOf(fs, dir);
      if (kind != PosixFiles.Kind.DIRECTORY) {
        if (kind != PosixFiles.Kind.MISSING) {
          refuseUnlessOverwriting(p, kind);
          PosixFiles.deleteEntry(fs, dir);
        }
        makeDirectory(p, dir);
      }
      verified.put(p, Boolean.TRUE);
    }
  }

  /**
   * Creates one directory whose parent is checked; another task may have just made it. Owner-only,
   * as restic makes them: the reducer gives each directory of the selection its own mode once
   * everything below it is in place, and until then (or for good, for a directory above a selected
   * path, whose metadata is not restored) it is never wider than its owner. Made with the umask's
   * mode, a private directory of the point was open to everyone while its files were placed, and
   * one above a selected path stayed so (a probe).
   */
  private void makeDirectory(String path, Path dir) throws IOException {
    if (local) {
      try {
        Files.createDirectory(PosixFiles.local(dir), OWNER_ONLY);
      } catch (FileAlreadyExistsException e) {
        requireDirectory(path, dir);
      }
    } else if (!fs.mkdirs(dir, new FsPermission(PosixFiles.OWNER_ONLY_DIRECTORY))) {
      requireDirectory(path, dir);
    }
  }

  private static final java.nio.file.attribute.FileAttribute<java.util.Set<java.nio.file.attribute.PosixFilePermission>>
      OWNER_ONLY = java.nio.file.attribute.PosixFilePermissions.asFileAttribute(
          java.nio.file.attribute.PosixFilePermissions.fromString("rwx------"));

  private void requireDirectory(String path, Path dir) throws IOException {
    PosixFiles.Kind now = PosixFiles.kindOf(fs, dir);
    if (now != PosixFiles.Kind.DIRECTORY) {
      throw new UnsafeTargetException(path, "is a " + describe(now) + " in the target, not a directory");
    }
  }

  /** Whether {@code path} is a real directory now (the reducer checks before applying metadata). */
  boolean isDirectory(String path) throws IOException {
    return PosixFiles.kindOf(fs, pathOf(path)) == PosixFiles.Kind.DIRECTORY;
  }

  /**
   * Moves a written and verified file (or link) into place by one rename, which replaces a file or
   * link there itself, never what a link points to; a directory there is refused. The parent
   * must have been ensured.
   */
  void place(Path written, String path) throws IOException {
    Path dest = pathOf(path);
    if (fs instanceof DistributedFileSystem) {
      try {
        // Nothing there (a new target): one NameNode call instead of a look and a rename.
        ((DistributedFileSystem) fs).rename(written, dest, Options.Rename.NONE);
        return;
      } catch (org.apache.hadoop.fs.FileAlreadyExistsException e) {
        // Something is there: whether it may be replaced is decided below.
      }
    }
    PosixFiles.Kind kind = PosixFiles.kindOf(fs, dest);
    if (kind != PosixFiles.Kind.MISSING) {
      refuseUnlessOverwriting(path, kind);
    }
    FileSystems.renameReplacing(fs, written, dest);
  }

  /** Creates a symlink at {@code aside}, to be placed by {@link #place}. */
  void createSymlink(String linkTarget, Path aside, String path) throws IOException {
    if (local) {
      try {
        LocalSymlinks.create(PosixFiles.local(aside), linkTarget);
      } catch (FileAlreadyExistsException e) {
        throw e;
      } catch (IOException e) {
        throw new UnsafeTargetException(path, OneLine.of(e));
      }
      return;
    }
    Path asPath;
    try {
      asPath = new Path(linkTarget);
    } catch (IllegalArgumentException e) {
      throw new UnsafeTargetException(path, "its symlink target '" + linkTarget + "' cannot be written on this file"
          + " system (" + OneLine.of(e) + ")");
    }
    if (!asPath.toString().equals(linkTarget)) {
      // Hadoop's Path rewrites a target ("x/./y//z/" as "x/y/z"): the link would not be the one backed up.
      throw new UnsafeTargetException(path, "its symlink target '" + linkTarget + "' would be written as '" + asPath
          + "' on this file system");
    }
    try {
      fs.createSymlink(asPath, aside, false);
    } catch (UnsupportedOperationException e) {
      throw new UnsafeTargetException(path, "the target file system keeps no symlinks (" + OneLine.of(e) + ")");
    }
  }

  /** Refuses a directory in the way always, and anything else in the way unless overwriting. */
  private void refuseUnlessOverwriting(String path, PosixFiles.Kind kind) throws UnsafeTargetException {
    if (kind == PosixFiles.Kind.DIRECTORY) {
      throw new UnsafeTargetException(path, "a directory is in the way in the target");
    }
    if (!overwrite) {
      throw new UnsafeTargetException(path, "a " + describe(kind) + " already exists in the target; use --overwrite");
    }
  }

  private static String describe(PosixFiles.Kind kind) {
    switch (kind) {
      case SYMLINK:
        return "symlink";
      case DIRECTORY:
        return "directory";
      case SPECIAL:
        return "special file";
      default:
        return "file";
    }
  }
}
