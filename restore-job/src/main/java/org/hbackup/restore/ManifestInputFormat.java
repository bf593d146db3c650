package org.hbackup.restore;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;

import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.Path;
import org.apache.hadoop.io.Text;
import org.apache.hadoop.mapreduce.InputFormat;
import org.apache.hadoop.mapreduce.InputSplit;
import org.apache.hadoop.mapreduce.JobContext;
import org.apache.hadoop.mapreduce.RecordReader;
import org.apache.hadoop.mapreduce.TaskAttemptContext;
import org.hbackup.common.io.FileSystems;
import org.hbackup.common.manifest.ManifestEntry;
import org.hbackup.common.manifest.ManifestReader;
import org.hbackup.common.manifest.ManifestTreeCheck;
import org.hbackup.common.repo.Repository;

/**
 * Hands the job the runs of manifest entries that {@link RestorePlanner} cut in the driver, and
 * reads one run per task, checking it as the planner did: each entry arrives with the reason the
 * manifest check refuses it, if it does.
 */
public final class ManifestInputFormat extends InputFormat<Text, ManifestEntryWritable> {

  @Override
  public List<InputSplit> getSplits(JobContext context) throws IOException {
    Configuration conf = context.getConfiguration();
    Path file = new Path(conf.get(RestoreConfigKeys.PLANNED_SPLITS));
    return new ArrayList<>(RestorePlanner.read(FileSystems.raw(file, conf), file));
  }

  @Override
  public RecordReader<Text, ManifestEntryWritable> createRecordReader(InputSplit split, TaskAttemptContext context) {
    return new ManifestRecordReader();
  }

  /** Reads a split's run of entries. */
  static final class ManifestRecordReader extends RecordReader<Text, ManifestEntryWritable> {
    private ManifestReader reader;
    private ManifestTreeCheck check;
    private String source;
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
      check = s.check();
      source = repository.layout().manifestsDir().toString();
      total = s.entries();
    }

    @Override
    public boolean nextKeyValue() throws IOException {
      ManifestEntry e = reader.next();
      if (e == null) {
        return false;
      }
      key.set(e.path());
      value.set(e, check.next(e.path(), e.type(), source));
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
