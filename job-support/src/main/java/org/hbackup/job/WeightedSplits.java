package org.hbackup.job;

import java.io.BufferedInputStream;
import java.io.FileNotFoundException;
import java.io.IOException;
import java.io.InputStream;
import java.util.ArrayList;
import java.util.List;

import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.Path;
import org.apache.hadoop.io.SequenceFile;
import org.apache.hadoop.io.Writable;
import org.apache.hadoop.mapreduce.InputSplit;
import org.apache.hadoop.util.ReflectionUtils;
import org.hbackup.common.OneLine;
import org.hbackup.common.io.FileSystems;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Cuts a listing (a SequenceFile with a sync mark before every record) into splits of about the
 * same weight, not the same number of records: a split ends where the record after it begins.
 * The splits are {@link WeightedSplit}s, which the framework orders by weight; input formats
 * read them with {@link WeightedSplit.Reader}.
 * Memory: one record, or the listing's {@link WeightMarks} (bounded).
 */
public final class WeightedSplits {
  private static final Logger LOG = LoggerFactory.getLogger(WeightedSplits.class);

  /** The weight of one record. */
  public interface Weigher<K, V> {
    long weigh(K key, V value);
  }

  private WeightedSplits() {
  }

  /**
   * The splits of {@code listing}, each of about {@code target} weight: from the marks its
   * writer left ({@link WeightMarks}) when they describe it, else by reading it.
   */
  @SuppressWarnings("unchecked")
  public static <K extends Writable, V extends Writable> List<InputSplit> of(Configuration conf, Path listing,
      long target, Weigher<K, V> weigher) throws IOException {
    List<InputSplit> splits = new ArrayList<>();
    try (SequenceFile.Reader reader = new SequenceFile.Reader(conf, SequenceFile.Reader.file(listing))) {
      long fileLength = listing.getFileSystem(conf).getFileStatus(listing).getLen();
      WeightMarks.Read marks = readMarks(conf, listing, reader.getPosition(), fileLength);
      if (marks != null) {
        return fromMarks(listing, reader.getPosition(), fileLength, target, marks);
      }
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

  /**
   * The listing's marks, or null when it has none that describe it or they cannot be read: they
   * only save reading the listing, so nothing about them fails the job.
   */
  private static WeightMarks.Read readMarks(Configuration conf, Path listing, long firstRecord, long fileLength) {
    Path file = WeightMarks.of(listing);
    // Raw, as the writer wrote it: the marks are checked by their own consistency rules.
    try (InputStream in = new BufferedInputStream(FileSystems.raw(file, conf).open(file))) {
      WeightMarks.Read marks = WeightMarks.read(in, firstRecord, fileLength);
      if (marks == null) {
        LOG.warn("{} does not describe {} as it is: reading the listing to cut its splits", file, listing);
      }
      return marks;
    } catch (FileNotFoundException e) {
      return null;
    } catch (IOException e) {
      LOG.warn("{} cannot be read ({}): reading the listing to cut its splits", file, OneLine.of(e));
      return null;
    }
  }

  /** Splits cut at the marks: the same cuts as reading, at mark granularity. */
  private static List<InputSplit> fromMarks(Path listing, long firstRecord, long fileLength, long target,
      WeightMarks.Read marks) {
    List<InputSplit> splits = new ArrayList<>();
    long splitStart = firstRecord;
    long cutWeight = 0;
    for (int i = 0; i < marks.positions.length; i++) {
      if (marks.weights[i] - cutWeight >= target) {
        splits.add(new WeightedSplit(listing, splitStart, marks.positions[i] - splitStart,
            marks.weights[i] - cutWeight));
        splitStart = marks.positions[i];
        cutWeight = marks.weights[i];
      }
    }
    if (fileLength > splitStart || splits.isEmpty()) {
      splits.add(new WeightedSplit(listing, splitStart, fileLength - splitStart, Math.max(1, marks.total - cutWeight)));
    }
    return splits;
  }
}
