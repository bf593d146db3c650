package org.hbackup.common.manifest;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * The tree rule across the segments of one point, from their {@link SegmentTreeSummary}s taken in
 * list order: finds a segment holding entries below a file or symlink of an earlier segment,
 * which a restore refuses ({@link ManifestTreeCheck} sees the whole point; a check that reads
 * each distinct segment once, as verify does, sees one segment at a time). Memory: the last path
 * and one length per character of it.
 *
 * <p>Why the lengths suffice: the non-directories an entry can lie below are the chain of
 * {@link ManifestTreeCheck} (entries that are prefixes of the latest path); at a boundary, the
 * chain's members no longer than the common prefix of the last path and the next first path
 * stay, and one of them blocks an entry of the next segment exactly when the segment names it as
 * an outside ancestor. Below a blocked directory is below its blocker too, so the blockers alone
 * are kept.
 */
public final class CrossSegmentTreeCheck {
  private String last;
  private int[] nonDirectories = new int[0];

  /**
   * Takes the next segment of the point. Returns the earlier non-directories that entries of this
   * segment lie below (empty when none), topmost first.
   */
  public List<String> next(SegmentTreeSummary segment) {
    List<String> blockers = new ArrayList<>(0);
    int[] kept = carried(segment.first(), segment.last());
    if (last != null) {
      int common = ManifestTreeCheck.commonPrefix(last, segment.first());
      for (int length : nonDirectories) {
        if (length <= common && segment.hasOutsideAncestor(length)) {
          blockers.add(segment.first().substring(0, length));
        }
      }
    }
    nonDirectories = merge(kept, segment.lastNonDirectories());
    last = segment.last();
    return blockers;
  }

  /**
   * Passes over a segment that could not be read (reported as damaged on its own): what it holds
   * is unknown, so only the earlier non-directories it cannot have ended are kept.
   */
  public void skip(String first, String lastPath) {
    nonDirectories = carried(first, lastPath);
    last = lastPath;
  }

  /** The non-directories that stay in the chain through a segment from {@code first} to {@code to}. */
  private int[] carried(String first, String to) {
    if (last == null) {
      return new int[0];
    }
    int bound = Math.min(ManifestTreeCheck.commonPrefix(last, first), ManifestTreeCheck.commonPrefix(first, to));
    int n = 0;
    while (n < nonDirectories.length && nonDirectories[n] <= bound) {
      n++;
    }
    return Arrays.copyOf(nonDirectories, n);
  }

  private static int[] merge(int[] a, int[] b) {
    int[] merged = new int[a.length + b.length];
    System.arraycopy(a, 0, merged, 0, a.length);
    System.arraycopy(b, 0, merged, a.length, b.length);
    Arrays.sort(merged);
    return merged;
  }
}
