package org.hbackup.restore;

import java.io.IOException;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Paths;
import java.nio.file.StandardCopyOption;
import java.util.LinkedHashMap;
import java.util.Map;

import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.hbackup.common.HbackupException;
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
 * <p>With {@code --overwrite}, what stands where the point has an entry of another kind (a file
 * or a link where it has a directory, a file or a link where it has a file or a link) is removed
 * first, the link itself and never its target; a directory is never removed. Without it, the
 * target started empty, so anything in the way is refused.
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
  private final Map<String, Boolean> verified = new LinkedHashMap<>(64, 0.75f, true) {
    private static final long serialVersionUID = 1L;

    @Override
    protected boolean removeEldestEntry(Map.Entry<String, Boolean> eldest) {
      return size() > VERIFIED_DIRECTORIES;
    }
  };

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
   * above it: each is checked without following links, and a missing one is created.
   */
  void ensureDirectory(String path) throws IOException {
    if (path.isEmpty() || verified.containsKey(path)) {
      return;
    }
    ensureDirectory(RelativePaths.parent(path));
    Path dir = pathOf(path);
    PosixFiles.Kind kind = PosixFiles.kindOf(fs, dir);
    if (kind != PosixFiles.Kind.DIRECTORY) {
      if (kind != PosixFiles.Kind.MISSING) {
        clearForOverwrite(path, dir, kind);
      }
      makeDirectory(path, dir);
    }
    verified.put(path, Boolean.TRUE);
  }

  /** Creates one directory whose parent is checked; another task may have just made it. */
  private void makeDirectory(String path, Path dir) throws IOException {
    if (local) {
      try {
        Files.createDirectory(PosixFiles.local(dir));
      } catch (FileAlreadyExistsException e) {
        requireDirectory(path, dir);
      }
    } else if (!fs.mkdirs(dir)) {
      requireDirectory(path, dir);
    }
  }

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
   * Moves a written and verified file into place by a rename. The parent must have been ensured.
   * The rename replaces a link at {@code path} itself; a directory there is refused.
   */
  void placeFile(Path written, String path) throws IOException {
    Path dest = pathOf(path);
    PosixFiles.Kind kind = PosixFiles.kindOf(fs, dest);
    if (kind != PosixFiles.Kind.MISSING) {
      clearForOverwrite(path, dest, kind);
    }
    rename(written, dest);
  }

  /** Creates a symlink at {@code path}; its parent must have been ensured. */
  void placeSymlink(String linkTarget, String path) throws IOException {
    Path dest = pathOf(path);
    PosixFiles.Kind kind = PosixFiles.kindOf(fs, dest);
    if (kind != PosixFiles.Kind.MISSING) {
      clearForOverwrite(path, dest, kind);
    }
    if (local) {
      Files.createSymbolicLink(PosixFiles.local(dest), Paths.get(linkTarget));
    } else {
      fs.createSymlink(new Path(linkTarget), dest, false);
    }
  }

  /** Removes a non-directory in the way when overwriting; refuses otherwise. */
  private void clearForOverwrite(String path, Path at, PosixFiles.Kind kind) throws IOException {
    if (kind == PosixFiles.Kind.DIRECTORY) {
      throw new UnsafeTargetException(path, "a directory is in the way in the target");
    }
    if (!overwrite) {
      throw new UnsafeTargetException(path, "a " + describe(kind) + " already exists in the target; use --overwrite");
    }
    PosixFiles.deleteEntry(fs, at);
  }

  private void rename(Path from, Path to) throws IOException {
    if (local) {
      try {
        Files.move(PosixFiles.local(from), PosixFiles.local(to), StandardCopyOption.ATOMIC_MOVE);
      } catch (AtomicMoveNotSupportedException e) {
        // Another mount below the target: a copy that keeps the times and mode, then a delete.
        Files.move(PosixFiles.local(from), PosixFiles.local(to), StandardCopyOption.COPY_ATTRIBUTES);
      }
    } else if (!fs.rename(from, to)) {
      throw new HbackupException("could not rename " + from + " to " + to);
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
