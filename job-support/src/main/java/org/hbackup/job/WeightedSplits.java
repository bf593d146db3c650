package org.hbackup.job;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;

import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.Path;
import org.apache.hadoop.io.SequenceFile;
import org.apache.hadoop.io.Writable;
import org.apache.hadoop.mapreduce.InputSplit;
import org.apache.hadoop.util.ReflectionUtils;

/**
 * Cuts a listing (a SequenceFile with a sync mark before every record) into splits of about the
 * same weight, not the same number of records: a split ends where the record after it begins.
 * The splits are {@link WeightedSplit}s, which the framework orders by weight; input formats
 * read them with {@link WeightedSplit.Reader}.
 * Memory: one record.
 */
public final class WeightedSplits {
  /** The weight of one record. */
  public interface Weigher<K, V> {
    long weigh(K key, V value);
  }

  private WeightedSplits() {
  }

  /** The splits of {@code listing}, each of about {@code target} weight. */
  @SuppressWarnings("unchecked")
  public static <K extends Writable, V extends Writable> List<InputSplit> of(Configuration conf, Path listing,
      long target, Weigher<K, V> weigher) throws IOException {
    List<InputSplit> splits = new ArrayList<>();
    try (SequenceFile.Reader reader = new SequenceFile.Reader(conf, SequenceFile.Reader.file(listing))) {
      long fileLength = listing.getFileSystem(conf).getFileStatus(listing).getLen();
      K key = (K) ReflectionUtils.newInstance(reader.getKeyClass(), conf);
      V value = (V) ReflectionUtils.newInstance(reader.getValueClass(), conf);
      long splitStart = reader.getPosition();
      long recordStart = splitStart;
      long weight = 0;
      while (reader.next(key, value)) {
        weight += weigher.weigh(key, value);
        long next = reader.getPosition();
        if (weight >= target) {
          splits.add(new WeightedSplit(listing, splitStart, next - splitStart, weight));
          splitStart = next;
          weight = 0;
        }
        recordStart = next;
      }
      if (recordStart > splitStart || splits.isEmpty()) {
        splits.add(new WeightedSplit(listing, splitStart, fileLength - splitStart, Math.max(1, weight)));
      }
    }
    return splits;
  }
}
