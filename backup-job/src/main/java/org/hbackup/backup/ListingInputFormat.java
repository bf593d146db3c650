package org.hbackup.backup;

import java.io.IOException;
import java.util.List;

import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.mapreduce.InputSplit;
import org.apache.hadoop.mapreduce.JobContext;
import org.hbackup.job.WeightedInputFormat;
import org.hbackup.job.WeightedSplits;

/**
 * Splits the listing so that each map task gets about the same weight (bytes to read plus a cost
 * per file), not the same number of files. Split boundaries fall on the sync marks that
 * {@link SourceLister} writes before every record, so a split reads exactly its records.
 */
public final class ListingInputFormat extends WeightedInputFormat<ListingKey, ListedStatus> {

  @Override
  public List<InputSplit> getSplits(JobContext job) throws IOException {
    Configuration conf = job.getConfiguration();
    BackupSettings settings = BackupSettings.readFrom(conf);
    long fileWeight = settings.fileWeightBytes();
    return WeightedSplits.<ListingKey, ListedStatus>of(conf, settings.listing(), targetSplitWeight(settings),
        (key, listed) -> SourceLister.weight(key, listed.status(), fileWeight));
  }

  static long targetSplitWeight(BackupSettings settings) {
    int maps = Math.max(1, settings.maxMaps());
    return Math.max(settings.minSplitBytes(), (settings.listingWeight() + maps - 1) / maps);
  }
}
