package org.hbackup.verify;

import java.io.IOException;

import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.apache.hadoop.io.BytesWritable;
import org.apache.hadoop.io.LongWritable;
import org.apache.hadoop.io.SequenceFile;

/**
 * The distinct segments that the checked points name, so that map tasks read each once. Points
 * share most of their segments, and the driver may not hold a set of them: it appends every
 * (segment, entries) the manifest lists name, in list order, and this sorts them with Hadoop's
 * external {@link SequenceFile.Sorter} (memory: its sort buffer, here 16 MiB) and keeps the first
 * of each run, a sync mark before each, for {@link org.hbackup.job.WeightedSplits}.
 */
final class SegmentListing {
  /** The sort buffer of the driver's external sort, in MiB. */
  static final int SORT_MB = 16;

  private SegmentListing() {
  }

  static SequenceFile.Writer unsorted(Configuration conf, Path file) throws IOException {
    return writer(conf, file);
  }

  /**
   * Sorts {@code unsorted} into {@code listing}, one record per segment; deletes the unsorted
   * file; returns the listing's total weight (entries).
   */
  static long sortDistinct(Configuration conf, Path unsorted, Path listing) throws IOException {
    FileSystem fs = unsorted.getFileSystem(conf);
    Path sorted = unsorted.suffix(".sorted");
    Configuration sortConf = new Configuration(conf);
    sortConf.setInt("io.sort.mb", SORT_MB);
    new SequenceFile.Sorter(fs, BytesWritable.class, LongWritable.class, sortConf).sort(new Path[] {unsorted},
        sorted, true);
    long weight = 0;
    BytesWritable id = new BytesWritable();
    BytesWritable previous = new BytesWritable();
    LongWritable entries = new LongWritable();
    try (SequenceFile.Reader in = new SequenceFile.Reader(conf, SequenceFile.Reader.file(sorted));
         SequenceFile.Writer out = writer(conf, listing)) {
      boolean first = true;
      while (in.next(id, entries)) {
        if (!first && id.equals(previous)) {
          continue;
        }
        first = false;
        previous.set(id);
        out.sync();
        out.append(id, entries);
        weight += weight(entries.get());
      }
    }
    fs.delete(sorted, false);
    return weight;
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
        SequenceFile.Writer.keyClass(BytesWritable.class), SequenceFile.Writer.valueClass(LongWritable.class),
        SequenceFile.Writer.compression(SequenceFile.CompressionType.NONE));
  }
}
