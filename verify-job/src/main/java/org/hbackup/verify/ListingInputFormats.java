package org.hbackup.verify;

import java.io.IOException;
import java.util.List;

import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.Path;
import org.apache.hadoop.io.LongWritable;
import org.apache.hadoop.io.Text;
import org.apache.hadoop.mapreduce.InputSplit;
import org.apache.hadoop.mapreduce.JobContext;
import org.apache.hadoop.mapreduce.lib.input.FileInputFormat;
import org.hbackup.job.WeightedInputFormat;
import org.hbackup.job.WeightedSplits;

/**
 * Input formats over the listings the verify driver writes ((file, weight) records, a sync mark
 * before each): splits of about equal weight, so that map tasks read about the same bytes.
 */
final class ListingInputFormats {
  private ListingInputFormats() {
  }

  /**
   * Packs, listed with their lengths: the weight of a pack is its bytes when its data is read,
   * else the cost of reading its trailer.
   */
  public static final class Packs extends WeightedInputFormat<Text, LongWritable> {
    @Override
    public List<InputSplit> getSplits(JobContext job) throws IOException {
      Configuration conf = job.getConfiguration();
      Path listing = FileInputFormat.getInputPaths(job)[0];
      long target = target(conf, conf.getLong(VerifyConfigKeys.PACK_LISTING_WEIGHT, 0));
      ReadData readData = ReadData.readFrom(conf);
      return WeightedSplits.<Text, LongWritable>of(conf, listing, target,
          (k, v) -> readData.reads(packId(k)) ? v.get() : VerifyConfigKeys.PACK_CHECK_WEIGHT);
    }
  }

  static org.hbackup.common.id.PackId packId(Text path) {
    String name = new Path(path.toString()).getName();
    return org.hbackup.common.id.PackId.parse(name.substring(0, name.indexOf('.')));
  }

  /**
   * Index files, listed with their lengths, each read whole by one task: splits of about equal
   * bytes, so that a repository of thousands of backups (an index file each) is not thousands of
   * tasks.
   */
  public static final class IndexFiles extends WeightedInputFormat<Text, LongWritable> {
    @Override
    public List<InputSplit> getSplits(JobContext job) throws IOException {
      Configuration conf = job.getConfiguration();
      return WeightedSplits.<Text, LongWritable>of(conf, FileInputFormat.getInputPaths(job)[0],
          target(conf, conf.getLong(VerifyConfigKeys.INDEX_LISTING_WEIGHT, 0)), (k, v) -> v.get());
    }
  }

  /** The weight of one split: the whole over the most map tasks, but not below the minimum split. */
  private static long target(Configuration conf, long total) {
    int maps = Math.max(1, conf.getInt(VerifyConfigKeys.MAX_MAPS, VerifyConfigKeys.DEFAULT_MAX_MAPS));
    return Math.max(conf.getLong(VerifyConfigKeys.MIN_SPLIT_BYTES, VerifyConfigKeys.DEFAULT_MIN_SPLIT_BYTES),
        (total + maps - 1) / maps);
  }
}
