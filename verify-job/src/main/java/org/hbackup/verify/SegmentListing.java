package org.hbackup.verify;

import java.io.IOException;
import java.util.List;

import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.apache.hadoop.io.BytesWritable;
import org.apache.hadoop.io.SequenceFile;
import org.apache.hadoop.mapreduce.InputSplit;
import org.apache.hadoop.mapreduce.JobContext;
import org.apache.hadoop.mapreduce.lib.input.FileInputFormat;
import org.hbackup.job.WeightedInputFormat;
import org.hbackup.job.WeightedSplits;

/**
 * The distinct segments that some points name (verify's checked points, prune's remaining ones),
 * so that map tasks read each once. Points share most of their segments, and a driver may not
 * hold a set of them: it appends a (segment, {@link SegmentUse}) for every segment the manifest
 * lists name, in list order, and this sorts them with Hadoop's external
 * {@link SequenceFile.Sorter} (memory: its sort buffer, here 16 MiB) and keeps one record of each
 * run (one per distinct row, when lists disagree about a segment), a sync mark before each, for
 * {@link Splits}.
 */
public final class SegmentListing {
  /** The sort buffer of the driver's external sort, in MiB. */
  static final int SORT_MB = 16;
  /** Internal: the listing's total weight (entries), for splits of equal weight. */
  static final String WEIGHT = "hbackup.segment.listing.weight";
  /** Internal: the most map tasks the segments are spread over (the job's own setting). */
  static final String MAX_MAPS = "hbackup.segment.listing.max.maps";
  /** Smallest split of segments, in manifest entries to decode. */
  public static final String MIN_SPLIT_ENTRIES = "hbackup.segments.min.split.entries";
  public static final long DEFAULT_MIN_SPLIT_ENTRIES = 100_000;

  private SegmentListing() {
  }

  /** A writer of the unsorted listing: a record per segment a manifest list names. */
  public static SequenceFile.Writer unsorted(Configuration conf, Path file) throws IOException {
    return writer(conf, file);
  }

  /** Tells {@link Splits} the listing's weight and the most map tasks it may use. */
  public static void configure(Configuration conf, long weight, int maxMaps) {
    conf.setLong(WEIGHT, weight);
    conf.setInt(MAX_MAPS, maxMaps);
  }

  /** The listing's splits: of about equal entries, a segment read whole by one task. */
  public static final class Splits extends WeightedInputFormat<BytesWritable, SegmentUse> {
    @Override
    public List<InputSplit> getSplits(JobContext job) throws IOException {
      Configuration conf = job.getConfiguration();
      long total = conf.getLong(WEIGHT, 0);
      int maps = Math.max(1, conf.getInt(MAX_MAPS, 1));
      long target = Math.max(conf.getLong(MIN_SPLIT_ENTRIES, DEFAULT_MIN_SPLIT_ENTRIES), (total + maps - 1) / maps);
      return WeightedSplits.<BytesWritable, SegmentUse>of(conf, FileInputFormat.getInputPaths(job)[0], target,
          (k, v) -> weight(v.entries()));
    }
  }

  /**
   * Sorts {@code unsorted} into {@code listing}, one record per segment and row; deletes the unsorted
   * file; returns the listing's total weight (entries).
   */
  public static long sortDistinct(Configuration conf, Path unsorted, Path listing) throws IOException {
    FileSystem fs = unsorted.getFileSystem(conf);
    Path sorted = unsorted.suffix(".sorted");
    Configuration sortConf = new Configuration(conf);
    sortConf.setInt("io.sort.mb", SORT_MB);
    new SequenceFile.Sorter(fs, BytesWritable.class, SegmentUse.class, sortConf).sort(new Path[] {unsorted},
        sorted, true);
    long weight = 0;
    BytesWritable id = new BytesWritable();
    BytesWritable previous = new BytesWritable();
    SegmentUse use = new SegmentUse();
    // The distinct rows kept for the current segment: one, unless lists disagree about it.
    List<SegmentUse> kept = new java.util.ArrayList<>();
    try (SequenceFile.Reader in = new SequenceFile.Reader(conf, SequenceFile.Reader.file(sorted));
         SequenceFile.Writer out = writer(conf, listing)) {
      while (in.next(id, use)) {
        if (!id.equals(previous)) {
          previous.set(id);
          kept.clear();
        } else if (keptAlready(kept, use)) {
          continue;
        }
        // A list whose row for a segment differs from another's is kept too, so that its row is
        // checked against the segment as well: at most one of them can be true. Rows of one
        // segment arrive in list order, so an honest row may come again after a lying one.
        if (kept.size() < MAX_ROWS_REMEMBERED) {
          SegmentUse copy = new SegmentUse();
          copy.set(use);
          kept.add(copy);
        }
        out.sync();
        out.append(id, use);
        weight += weight(use.entries());
      }
    }
    fs.delete(sorted, false);
    return weight;
  }

  /**
   * The most distinct rows of one segment remembered while deduplicating: a hostile repository
   * whose lists give one segment more rows than this has some of its rows checked more than once,
   * and never holds more than these in memory.
   */
  static final int MAX_ROWS_REMEMBERED = 64;

  private static boolean keptAlready(List<SegmentUse> kept, SegmentUse use) {
    for (SegmentUse k : kept) {
      if (k.sameRow(use)) {
        return true;
      }
    }
    return false;
  }

  /**
   * A segment's weight in its split: its entries as its manifest list says, at least one, and no
   * more than a segment can hold (a hostile list's figure must not overflow the sum).
   */
  static long weight(long entries) {
    return Math.min(Math.max(1, entries), MAX_WEIGHT);
  }

  private static final long MAX_WEIGHT = 1L << 32;

  private static SequenceFile.Writer writer(Configuration conf, Path file) throws IOException {
    return SequenceFile.createWriter(conf, SequenceFile.Writer.file(file),
        SequenceFile.Writer.keyClass(BytesWritable.class), SequenceFile.Writer.valueClass(SegmentUse.class),
        SequenceFile.Writer.compression(SequenceFile.CompressionType.NONE));
  }
}
