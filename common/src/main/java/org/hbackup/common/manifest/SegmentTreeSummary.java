package org.hbackup.common.manifest;

import java.io.DataInput;
import java.io.DataOutput;
import java.io.IOException;
import java.util.Arrays;
import java.util.BitSet;

import org.apache.hadoop.io.Text;
import org.apache.hadoop.io.WritableUtils;

/**
 * What one segment, read alone, tells the tree rule (FORMAT.md, "Restoring a point") about the
 * segments around it in a point, so that a check that reads each distinct segment once can still
 * find an entry that lies below a file or symlink of an <em>earlier</em> segment of the point
 * ({@link CrossSegmentTreeCheck}). {@link ManifestTreeCheck} finds the rest inside the segment.
 *
 * <p>Two things cross a segment boundary. Looking back: the paths outside the segment that are
 * ancestors of one of its entries. Each is a strict prefix of the segment's first path (it sorts
 * before the first path, and the entry after it, and all paths between a path and its
 * descendants share that path as a prefix), so the segment keeps only their lengths. Looking
 * forward: the segment's non-directories that are prefixes of its last path, which are the only
 * ones a later entry can lie below. Both are at most one length per character of a path.
 */
public final class SegmentTreeSummary {
  private final String first;
  private final String last;
  private final int[] outsideAncestors;
  private final int[] lastNonDirectories;

  private SegmentTreeSummary(String first, String last, int[] outsideAncestors, int[] lastNonDirectories) {
    this.first = first;
    this.last = last;
    this.outsideAncestors = outsideAncestors;
    this.lastNonDirectories = lastNonDirectories;
  }

  public String first() {
    return first;
  }

  public String last() {
    return last;
  }

  /** Whether the first path's prefix of {@code length} characters is an ancestor of an entry here. */
  boolean hasOutsideAncestor(int length) {
    return Arrays.binarySearch(outsideAncestors, length) >= 0;
  }

  /** Lengths, ascending, of this segment's non-directories that are prefixes of its last path. */
  int[] lastNonDirectories() {
    return lastNonDirectories;
  }

  /** Builds a summary from a segment's entries, taken in manifest order. */
  public static final class Builder {
    private String first;
    private String previous;
    private final BitSet outside = new BitSet();
    private int[] lengths = new int[16];
    private boolean[] nonDirectory = new boolean[16];
    private int depth;

    public void add(String path, EntryType type) {
      if (first == null) {
        first = path;
        for (int i = 0; i < path.length(); i++) {
          if (path.charAt(i) == '/') {
            outside.set(i); // the first path's own ancestors
          }
        }
      }
      if (!first.isEmpty() && !path.isEmpty()) {
        outside.set(0); // the root, which sorts before every other path
        int common = ManifestTreeCheck.commonPrefix(first, path);
        if (common < first.length() && common < path.length() && path.charAt(common) == '/') {
          outside.set(common); // as "a/x" after first "a-b": "a" is its ancestor, before "a-b"
        }
      }
      int common = previous == null ? 0 : ManifestTreeCheck.commonPrefix(previous, path);
      while (depth > 0 && lengths[depth - 1] > common) {
        depth--;
      }
      if (depth == lengths.length) {
        lengths = Arrays.copyOf(lengths, depth * 2);
        nonDirectory = Arrays.copyOf(nonDirectory, depth * 2);
      }
      lengths[depth] = path.length();
      nonDirectory[depth] = type != EntryType.DIRECTORY;
      depth++;
      previous = path;
    }

    /** The summary, or null for a segment without entries. */
    public SegmentTreeSummary build() {
      if (first == null) {
        return null;
      }
      int count = 0;
      int[] last = new int[depth];
      for (int i = 0; i < depth; i++) {
        if (nonDirectory[i]) {
          last[count++] = lengths[i];
        }
      }
      return new SegmentTreeSummary(first, previous, outside.stream().toArray(), Arrays.copyOf(last, count));
    }
  }

  public void write(DataOutput out) throws IOException {
    Text.writeString(out, first);
    Text.writeString(out, last);
    writeLengths(out, outsideAncestors);
    writeLengths(out, lastNonDirectories);
  }

  /** Reads a summary written by {@link #write}; throws on one that is not consistent. */
  public static SegmentTreeSummary read(DataInput in) throws IOException {
    String first = Text.readString(in);
    String last = Text.readString(in);
    int[] outside = readLengths(in, first.length() - 1);
    int[] lastNonDirectories = readLengths(in, last.length());
    return new SegmentTreeSummary(first, last, outside, lastNonDirectories);
  }

  private static void writeLengths(DataOutput out, int[] lengths) throws IOException {
    WritableUtils.writeVInt(out, lengths.length);
    for (int length : lengths) {
      WritableUtils.writeVInt(out, length);
    }
  }

  private static int[] readLengths(DataInput in, int max) throws IOException {
    int n = WritableUtils.readVInt(in);
    if (n < 0 || n > max + 1) {
      throw new IOException("a segment tree summary of " + n + " lengths is not valid");
    }
    int[] lengths = new int[n];
    for (int i = 0; i < n; i++) {
      lengths[i] = WritableUtils.readVInt(in);
      if (lengths[i] < 0 || lengths[i] > max || (i > 0 && lengths[i] <= lengths[i - 1])) {
        throw new IOException("a segment tree summary's lengths are not valid");
      }
    }
    return lengths;
  }
}
