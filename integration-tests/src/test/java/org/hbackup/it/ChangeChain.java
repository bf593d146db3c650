package org.hbackup.it;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.util.Random;

import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.FileUtil;
import org.apache.hadoop.fs.Path;
import org.apache.hadoop.fs.permission.FsPermission;

/**
 * The chain of changes that incremental and differential backups are tested with, on any file
 * system: each step makes the kinds of change the next backup must detect. Sizes are chosen so
 * that byte counters tell chunk-level deltas from whole-file copies (chunks average 1 MiB).
 */
final class ChangeChain {
  static final int MIB = 1024 * 1024;
  static final int LOG_BYTES = 12 * MIB;
  static final int APPENDED_BYTES = MIB;
  static final int BIG_BYTES = 16 * MIB;
  static final int TRUNCATED_FROM = 6 * MIB;
  static final int TRUNCATED_TO = 2 * MIB;
  static final int RENAMED_FILES = 3;
  static final int INNER_BYTES = 300_000;
  static final int EDIT_OFFSET = 8 * MIB;
  static final int EDIT_BYTES = 4096;

  private final FileSystem fs;
  private final Path root;

  ChangeChain(FileSystem fs, Path root) {
    this.fs = fs;
    this.root = root;
  }

  private Path p(String relative) {
    return new Path(root, relative);
  }

  static byte[] random(long seed, int length) {
    byte[] b = new byte[length];
    new Random(seed).nextBytes(b);
    return b;
  }

  /** Point 1 (full): the initial tree. */
  void initial() throws IOException {
    fs.mkdirs(root);
    Trees.write(fs, p("log/app.log"), random(1, LOG_BYTES));
    Trees.write(fs, p("big.bin"), random(2, BIG_BYTES));
    Trees.write(fs, p("trunc.bin"), random(3, TRUNCATED_FROM));
    Trees.write(fs, p("del.txt"), "to be deleted\n".getBytes());
    for (int i = 0; i < RENAMED_FILES; i++) {
      Trees.write(fs, p("dir-a/f" + i + ".dat"), random(10 + i, 200_000 + i));
    }
    Trees.write(fs, p("perm.txt"), "permission only\n".getBytes());
    Trees.write(fs, p("touch.txt"), "modification time only\n".getBytes());
    Trees.write(fs, p("becomes-dir"), "a file that becomes a directory\n".getBytes());
  }

  /** Point 2 (incremental): an append, a directory rename, a copy of a large file, a new empty directory. */
  void appendRenameCopy() throws IOException {
    try (OutputStream out = fs.append(p("log/app.log"))) {
      out.write(random(4, APPENDED_BYTES));
    }
    if (!fs.rename(p("dir-a"), p("dir-b"))) {
      throw new IOException("rename failed");
    }
    FileUtil.copy(fs, p("big.bin"), fs, p("big-copy.bin"), false, fs.getConf());
    fs.mkdirs(p("empty-new"));
  }

  /** Point 3 (incremental): a 4 KiB edit inside a large file (rewritten, as HDFS has no in-place write), a delete. */
  void editAndDelete() throws IOException {
    byte[] content;
    try (InputStream in = fs.open(p("big.bin"))) {
      content = in.readAllBytes();
    }
    System.arraycopy(random(5, EDIT_BYTES), 0, content, EDIT_OFFSET, EDIT_BYTES);
    Trees.write(fs, p("big.bin"), content);
    fs.delete(p("del.txt"), false);
  }

  /** Point 4 (incremental): a truncation, a permission-only and a modification-time-only change. */
  void truncateChmodTouch() throws IOException {
    if (!fs.truncate(p("trunc.bin"), TRUNCATED_TO)) {
      throw new IOException("truncate did not complete at once (not on a block boundary?)");
    }
    fs.setPermission(p("perm.txt"), new FsPermission((short) 0600));
    long mtime = fs.getFileStatus(p("touch.txt")).getModificationTime();
    fs.setTimes(p("touch.txt"), mtime - 3_600_000L, -1);
  }

  /** Point 5 (differential): a file replaced by a directory holding a new file. */
  void replaceFileByDirectory() throws IOException {
    fs.delete(p("becomes-dir"), false);
    Trees.write(fs, p("becomes-dir/inner.bin"), random(6, INNER_BYTES));
  }

  static long touchBytes() {
    return "modification time only\n".getBytes().length;
  }
}
