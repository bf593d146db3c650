package org.hbackup.restore;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;

import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.io.Text;
import org.apache.hadoop.mapreduce.InputFormat;
import org.apache.hadoop.mapreduce.InputSplit;
import org.apache.hadoop.mapreduce.JobContext;
import org.apache.hadoop.mapreduce.RecordReader;
import org.apache.hadoop.mapreduce.TaskAttemptContext;
import org.hbackup.common.HbackupException;
import org.hbackup.common.id.ContentId;
import org.hbackup.common.manifest.ManifestEntry;
import org.hbackup.common.manifest.ManifestList;
import org.hbackup.common.manifest.ManifestReader;
import org.hbackup.common.manifest.SegmentReader;
import org.hbackup.common.manifest.SegmentRef;
import org.hbackup.common.repo.Repository;

/**
 * Splits a point's manifest into runs of entries that each carry about the same weight of
 * selected data (bytes to write plus a cost per file). Planning streams every segment once, one
 * at a time, which also checks each segment against its name and every path for safety before
 * a single byte is written to the target.
 */
public final class ManifestInputFormat extends InputFormat<Text, ManifestEntryWritable> {

  @Override
  public List<InputSplit> getSplits(JobContext context) throws IOException {
    Configuration conf = context.getConfiguration();
    RestoreOptions options = RestoreOptions.readFrom(conf);
    PathSelection selection = new PathSelection(options.paths());
    Repository repository = Repository.open(options.repository(), conf);
    ManifestList manifest = repository.readManifest(options.point());
    long fileWeight = conf.getLong(RestoreConfigKeys.FILE_WEIGHT_BYTES, RestoreConfigKeys.DEFAULT_FILE_WEIGHT_BYTES);
    long total = manifest.totals().bytes() + manifest.totals().entries() * fileWeight;
    int maps = Math.max(1, conf.getInt(RestoreConfigKeys.MAX_MAPS, RestoreConfigKeys.DEFAULT_MAX_MAPS));
    long target = Math.max(conf.getLong(RestoreConfigKeys.MIN_SPLIT_BYTES,
        RestoreConfigKeys.DEFAULT_MIN_SPLIT_BYTES), total / maps);

    List<InputSplit> splits = new ArrayList<>();
    List<ContentId> segments = new ArrayList<>();
    long skip = 0;
    long count = 0;
    long weight = 0;
    long selected = 0;
    for (SegmentRef ref : manifest.segments()) {
      boolean added = false;
      long index = 0;
      try (SegmentReader reader = repository.openSegment(ref.id())) {
        for (ManifestEntry e = reader.next(); e != null; e = reader.next(), index++) {
          if (!added) {
            if (segments.isEmpty()) {
              skip = index;
            }
            segments.add(ref.id());
            added = true;
          }
          count++;
          if (selection.selects(e.path())) {
            selected++;
            weight += weight(e, fileWeight);
          }
          if (weight >= target) {
            splits.add(new ManifestSplit(segments, skip, count, weight));
            segments = new ArrayList<>();
            count = 0;
            weight = 0;
            added = false;
          }
        }
      }
    }
    if (count > 0 && weight > 0) {
      splits.add(new ManifestSplit(segments, skip, count, weight));
    }
    if (selected == 0) {
      throw new HbackupException("no entry of point " + options.point() + " matches " + options.paths());
    }
    return splits;
  }

  static long weight(ManifestEntry e, long fileWeight) {
    return e.isFile() ? e.length() + fileWeight : Math.max(1, fileWeight / 16);
  }

  @Override
  public RecordReader<Text, ManifestEntryWritable> createRecordReader(InputSplit split, TaskAttemptContext context) {
    return new ManifestRecordReader();
  }

  /** Reads a split's run of entries. */
  static final class ManifestRecordReader extends RecordReader<Text, ManifestEntryWritable> {
    private ManifestReader reader;
    private long total;
    private long read;
    private final Text key = new Text();
    private final ManifestEntryWritable value = new ManifestEntryWritable();

    @Override
    public void initialize(InputSplit split, TaskAttemptContext context) throws IOException {
      ManifestSplit s = (ManifestSplit) split;
      Configuration conf = context.getConfiguration();
      Repository repository = Repository.open(RestoreOptions.readFrom(conf).repository(), conf);
      reader = new ManifestReader(repository::openSegment, s.segments(), s.skip(), s.entries());
      total = s.entries();
    }

    @Override
    public boolean nextKeyValue() throws IOException {
      ManifestEntry e = reader.next();
      if (e == null) {
        return false;
      }
      key.set(e.path());
      value.set(e);
      read++;
      return true;
    }

    @Override
    public Text getCurrentKey() {
      return key;
    }

    @Override
    public ManifestEntryWritable getCurrentValue() {
      return value;
    }

    @Override
    public float getProgress() {
      return total == 0 ? 1f : (float) read / total;
    }

    @Override
    public void close() throws IOException {
      if (reader != null) {
        reader.close();
      }
    }
  }
}
