package org.hbackup.restore;

import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

import org.apache.hadoop.fs.FSDataOutputStream;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.hbackup.common.DamageException;
import org.hbackup.common.HbackupException;
import org.hbackup.common.id.ContentId;
import org.hbackup.common.manifest.ManifestEntry;
import org.hbackup.common.manifest.ManifestList;
import org.hbackup.common.manifest.ManifestTreeCheck;
import org.hbackup.common.manifest.RelativePaths;
import org.hbackup.common.manifest.SegmentReader;
import org.hbackup.common.manifest.SegmentRef;
import org.hbackup.common.repo.Repository;

/**
 * Plans a restore in the driver, before anything is written: streams every segment of the point
 * once, checking each against its name, every path against the path rules and the whole manifest
 * with {@link ManifestTreeCheck}, and cuts the entries into runs that each carry about the same
 * weight of selected data (bytes to write plus a cost per file). A segment that is missing or
 * damaged is left out and reported, so the rest of the point is still restored; a manifest whose
 * paths are out of order is refused whole, since nothing in it can then be trusted.
 *
 * <p>Memory: one decoded segment at a time (at most 8 MiB of entries), the splits (a segment id per segment they touch) and the
 * damaged segments' names.
 */
final class RestorePlanner {
  /** What the planner found: the runs to restore, and the segments it could not read. */
  static final class Plan {
    final List<ManifestSplit> splits;
    final List<RestoreResult.Failure> damagedSegments;
    /** Files of the point held by the damaged segments (from the manifest list). */
    final long filesInDamagedSegments;

    Plan(List<ManifestSplit> splits, List<RestoreResult.Failure> damagedSegments, long filesInDamagedSegments) {
      this.splits = Collections.unmodifiableList(splits);
      this.damagedSegments = Collections.unmodifiableList(damagedSegments);
      this.filesInDamagedSegments = filesInDamagedSegments;
    }
  }

  private final Repository repository;
  private final PathSelection selection;
  private final long fileWeight;
  private final int maxMaps;
  private final long minSplitWeight;

  RestorePlanner(Repository repository, PathSelection selection, long fileWeight, int maxMaps, long minSplitWeight) {
    this.repository = repository;
    this.selection = selection;
    this.fileWeight = fileWeight;
    this.maxMaps = Math.max(1, maxMaps);
    this.minSplitWeight = minSplitWeight;
  }

  Plan plan(ManifestList manifest, String pointName) throws IOException {
    long total = manifest.totals().bytes() + manifest.totals().entries() * fileWeight;
    long target = Math.max(minSplitWeight, total / maxMaps);
    List<ManifestSplit> splits = new ArrayList<>();
    List<RestoreResult.Failure> damaged = new ArrayList<>();
    long damagedFiles = 0;
    ManifestTreeCheck check = new ManifestTreeCheck();
    Run run = new Run();
    long selected = 0;
    boolean[] matched = new boolean[selection.paths().size()];
    List<SegmentRef> unread = new ArrayList<>();
    for (SegmentRef ref : manifest.segments()) {
      List<ManifestEntry> entries;
      try {
        entries = readWhole(ref);
      } catch (DamageException e) {
        if (selection.mayHoldAnyIn(ref.firstPath(), ref.lastPath())) {
          damaged.add(new RestoreResult.Failure(range(ref), "not restored: " + e.getMessage()));
          damagedFiles += ref.files();
          unread.add(ref);
        }
        continue;
      }
      String name = repository.layout().segment(ref.id()).toString();
      for (int index = 0; index < entries.size(); index++) {
        ManifestEntry e = entries.get(index);
        if (run.count == 0) {
          run.start(index, check);
        }
        if (run.segments.isEmpty() || !run.segments.get(run.segments.size() - 1).equals(ref.id())) {
          run.segments.add(ref.id());
        }
        check.next(e.path(), e.type(), name);
        run.count++;
        if (selection.selects(e.path(), matched)) {
          selected++;
          run.weight += weight(e, fileWeight);
        }
        if (run.weight >= target) {
          splits.add(run.toSplit());
          run = new Run();
        }
      }
    }
    if (run.count > 0 && run.weight > 0) {
      splits.add(run.toSplit());
    }
    if (selected == 0) {
      if (!damaged.isEmpty()) {
        throw new DamageException("no readable entry of point " + pointName + " matches " + describe(selection)
            + "; " + damaged.size() + " manifest segment(s) are damaged: " + damaged.get(0).reason());
      }
      throw new HbackupException("no entry of point " + pointName + " matches " + describe(selection));
    }
    requireEveryPathMatched(matched, unread, pointName);
    return new Plan(splits, damaged, damagedFiles);
  }

  /**
   * A --path that names nothing in the point is refused before anything is written, also beside
   * paths that do match (it used to be ignored: a mistyped path restored nothing, exit 0).
   * One that a damaged segment may hold is reported with that segment instead.
   */
  private void requireEveryPathMatched(boolean[] matched, List<SegmentRef> unread, String pointName)
      throws HbackupException {
    List<String> unmatched = new ArrayList<>();
    for (int i = 0; i < matched.length; i++) {
      String path = selection.paths().get(i);
      boolean inDamaged = false;
      for (SegmentRef ref : unread) {
        inDamaged |= RelativePaths.mayHoldUnder(ref.firstPath(), ref.lastPath(), path);
      }
      if (!matched[i] && !inDamaged) {
        unmatched.add(path);
      }
    }
    if (!unmatched.isEmpty()) {
      throw new HbackupException("no entry of point " + pointName + " matches " + unmatched
          + " (the other selected paths do); nothing was restored");
    }
  }

  /**
   * Decodes a whole segment before any of its entries joins a split: a segment that turns out to
   * be damaged halfway must be left out whole, or a task would meet the damage and fail.
   */
  private List<ManifestEntry> readWhole(SegmentRef ref) throws IOException {
    List<ManifestEntry> entries = new ArrayList<>((int) Math.min(ref.entries(), 1 << 16));
    try (SegmentReader reader = repository.openSegment(ref)) {
      for (ManifestEntry e = reader.next(); e != null; e = reader.next()) {
        entries.add(e);
      }
    }
    return entries;
  }

  /** A run of entries being gathered into one split. */
  private static final class Run {
    final List<ContentId> segments = new ArrayList<>();
    long skip;
    long count;
    long weight;
    ManifestTreeCheck startState;

    void start(long skipInFirst, ManifestTreeCheck check) {
      skip = skipInFirst;
      startState = check.copy();
    }

    ManifestSplit toSplit() {
      return new ManifestSplit(segments, skip, count, weight, startState);
    }
  }

  static long weight(ManifestEntry e, long fileWeight) {
    return e.isFile() ? e.length() + fileWeight : Math.max(1, fileWeight / 16);
  }

  private static String range(SegmentRef ref) {
    return ref.firstPath().equals(ref.lastPath()) ? ref.firstPath()
        : ref.firstPath() + " .. " + ref.lastPath() + " (" + ref.entries() + " entries)";
  }

  private static String describe(PathSelection selection) {
    return selection.paths().isEmpty() ? "the whole point" : selection.paths().toString();
  }

  /** Writes the splits where the input format reads them. */
  static void write(FileSystem fs, Path file, List<ManifestSplit> splits) throws IOException {
    try (FSDataOutputStream out = fs.create(file, false)) {
      out.writeInt(splits.size());
      for (ManifestSplit s : splits) {
        s.write(out);
      }
    }
  }

  /** Reads splits written by {@link #write}. */
  static List<ManifestSplit> read(FileSystem fs, Path file) throws IOException {
    try (DataInputStream in = fs.open(file)) {
      int n = in.readInt();
      List<ManifestSplit> splits = new ArrayList<>(n);
      for (int i = 0; i < n; i++) {
        ManifestSplit s = new ManifestSplit();
        s.readFields(in);
        splits.add(s);
      }
      return splits;
    }
  }
}
