package org.hbackup.backup;

import java.io.IOException;
import java.util.List;

import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileStatus;
import org.apache.hadoop.fs.Path;
import org.apache.hadoop.mapreduce.InputSplit;
import org.apache.hadoop.mapreduce.JobContext;
import org.hbackup.job.WeightedInputFormat;
import org.hbackup.job.WeightedSplits;

/**
 * Splits the listing so that each map task gets about the same weight (bytes to read plus a cost
 * per file), not the same number of files. Split boundaries fall on the sync marks that
 * {@link SourceLister} writes before every record, so a split reads exactly its records.
 */
public final class ListingInputFormat extends WeightedInputFormat<ListingKey, FileStatus> {

  @Override
  public List<InputSplit> getSplits(JobContext job) throws IOException {
    Configuration conf = job.getConfiguration();
    long fileWeight = conf.getLong(BackupConfigKeys.FILE_WEIGHT_BYTES, BackupConfigKeys.DEFAULT_FILE_WEIGHT_BYTES);
    return WeightedSplits.<ListingKey, FileStatus>of(conf, new Path(conf.get(BackupConfigKeys.LISTING)),
        targetSplitWeight(conf), (key, status) -> SourceLister.weight(key, status, fileWeight));
  }

  static long targetSplitWeight(Configuration conf) {
    long total = conf.getLong(BackupConfigKeys.LISTING_WEIGHT, 0);
    int maps = conf.getInt(BackupConfigKeys.MAX_MAPS, BackupConfigKeys.DEFAULT_MAX_MAPS);
    long min = conf.getLong(BackupConfigKeys.MIN_SPLIT_BYTES, BackupConfigKeys.DEFAULT_MIN_SPLIT_BYTES);
    return Math.max(min, (total + maps - 1) / Math.max(1, maps));
  }
}
