package org.hbackup.common.manifest;

import java.io.DataInput;
import java.io.DataOutput;
import java.io.IOException;
import java.util.Arrays;

import org.apache.hadoop.io.Text;
import org.hbackup.common.FormatException;

/**
 * Checks a point's entries, in manifest order, for the two things the path rules of a single entry
 * cannot see: that paths strictly increase across segments (no duplicates), and that no entry lies
 * below a path that the point holds as a file or a symlink. A manifest that names {@code link} as a
 * symlink to {@code /etc} and then {@code link/passwd} as a file passes every per-path rule; a
 * restore that created the link first, or met a link already in the target, would write outside
 * its target. Entries below a non-directory are refused (FORMAT.md, "Restoring a point").
 *
 * <p>Manifest paths are sorted by their bytes, which is not a depth-first walk ({@code a-b} sorts
 * between {@code a} and {@code a/b}), so the parent of an entry is not simply the entry before
 * it. What holds instead: every path of the manifest that is a prefix of the current path came
 * earlier, and everything in between shares that prefix. The check keeps the chain of earlier
 * paths that are prefixes of the latest one; an entry's ancestors in the manifest are exactly
 * the members of that chain that end at one of its {@code /} boundaries (or are the root).
 *
 * <p>Memory: the latest path and one int per member of the chain (at most one per character of
 * the path), so a split of a restore can carry the state it starts from ({@link #write}).
 */
public final class ManifestTreeCheck {
  private String previous;
  private int[] lengths = new int[16];
  /** Whether the chain member at each depth is a non-directory, or lies below one. */
  private boolean[] blocked = new boolean[16];
  /** The manifest path of the non-directory that blocks each member, when it is blocked. */
  private int[] blockerLength = new int[16];
  private int depth;

  /**
   * Takes the next entry. Returns null when it may be restored, or why it must not be: a path
   * above it is a file or symlink in this point. Throws when the entry does not follow the
   * previous one in strict path order, which a manifest never does unless it is damaged or hostile.
   */
  public String next(String path, EntryType type, String file) throws FormatException {
    if (previous != null && RelativePaths.compare(previous, path) >= 0) {
      throw new FormatException(file, "path '" + path + "' does not follow '" + previous
          + "' in manifest order (a duplicated or misplaced entry)");
    }
    int common = previous == null ? 0 : commonPrefix(previous, path);
    while (depth > 0 && lengths[depth - 1] > common) {
      depth--;
    }
    String blocker = null;
    int blockedBy = -1;
    for (int i = depth - 1; i >= 0 && blocker == null; i--) {
      int length = lengths[i];
      boolean ancestor = length == 0 ? !path.isEmpty() : length < path.length() && path.charAt(length) == '/';
      if (ancestor && blocked[i]) {
        blockedBy = blockerLength[i];
        blocker = path.substring(0, blockedBy);
      }
    }
    push(path.length(), blocker != null || type != EntryType.DIRECTORY,
        blocker != null ? blockedBy : path.length());
    previous = path;
    if (blocker == null) {
      return null;
    }
    return "'" + (blocker.isEmpty() ? "." : blocker) + "' is not a directory in this point; refusing an entry below it";
  }

  private void push(int length, boolean isBlocked, int blockerAt) {
    if (depth == lengths.length) {
      lengths = Arrays.copyOf(lengths, depth * 2);
      blocked = Arrays.copyOf(blocked, depth * 2);
      blockerLength = Arrays.copyOf(blockerLength, depth * 2);
    }
    lengths[depth] = length;
    blocked[depth] = isBlocked;
    blockerLength[depth] = blockerAt;
    depth++;
  }

  /** The length of the longest common prefix (also for the cross-segment check). */
  static int commonPrefix(String a, String b) {
    int n = Math.min(a.length(), b.length());
    int i = 0;
    while (i < n && a.charAt(i) == b.charAt(i)) {
      i++;
    }
    return i;
  }

  /** Writes the state, so that a check of the entries after this one can start where it stops. */
  public void write(DataOutput out) throws IOException {
    out.writeBoolean(previous != null);
    if (previous != null) {
      Text.writeString(out, previous);
    }
    out.writeInt(depth);
    for (int i = 0; i < depth; i++) {
      out.writeInt(lengths[i]);
      out.writeBoolean(blocked[i]);
      out.writeInt(blockerLength[i]);
    }
  }

  /** Reads a state written by {@link #write}. */
  public static ManifestTreeCheck read(DataInput in) throws IOException {
    ManifestTreeCheck check = new ManifestTreeCheck();
    if (in.readBoolean()) {
      check.previous = Text.readString(in);
    }
    int depth = in.readInt();
    if (depth < 0 || (check.previous == null ? depth > 0 : depth > check.previous.length() + 1)) {
      throw new IOException("manifest check state of depth " + depth + " is not valid");
    }
    for (int i = 0; i < depth; i++) {
      check.push(in.readInt(), in.readBoolean(), in.readInt());
    }
    return check;
  }

  /** A copy of the current state. */
  public ManifestTreeCheck copy() {
    ManifestTreeCheck copy = new ManifestTreeCheck();
    copy.previous = previous;
    copy.lengths = Arrays.copyOf(lengths, lengths.length);
    copy.blocked = Arrays.copyOf(blocked, blocked.length);
    copy.blockerLength = Arrays.copyOf(blockerLength, blockerLength.length);
    copy.depth = depth;
    return copy;
  }
}
