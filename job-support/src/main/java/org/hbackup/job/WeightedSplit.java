package org.hbackup.job;

import java.io.DataInput;
import java.io.DataOutput;
import java.io.IOException;

import org.apache.hadoop.fs.Path;
import org.apache.hadoop.mapreduce.InputSplit;
import org.apache.hadoop.mapreduce.RecordReader;
import org.apache.hadoop.mapreduce.TaskAttemptContext;
import org.apache.hadoop.mapreduce.lib.input.FileSplit;
import org.apache.hadoop.mapreduce.lib.input.SequenceFileRecordReader;

/**
 * A byte range of a listing whose {@link #getLength()} is its weight (what reading what it lists
 * costs), not its bytes. Hadoop starts map tasks in the order of their splits' lengths, largest
 * first (JobSubmitter sorts them so); ordered by listing bytes, the split naming ten 50 MiB files
 * (a few hundred bytes of listing) ran last, alone. Readers get the byte range back through
 * {@link Reader}; the weight travels with the split.
 */
public final class WeightedSplit extends FileSplit {
  private long weight;

  /** For deserialization. */
  public WeightedSplit() {
  }

  public WeightedSplit(Path listing, long start, long bytes, long weight) {
    super(listing, start, bytes, null);
    this.weight = weight;
  }

  /** The split's weight; the framework orders and reports splits by it. */
  @Override
  public long getLength() {
    return weight;
  }

  /** The listing bytes this split covers. */
  public FileSplit byteRange() {
    return new FileSplit(getPath(), getStart(), super.getLength(), null);
  }

  @Override
  public void write(DataOutput out) throws IOException {
    super.write(out);
    out.writeLong(weight);
  }

  @Override
  public void readFields(DataInput in) throws IOException {
    super.readFields(in);
    weight = in.readLong();
  }

  @Override
  public String toString() {
    return super.toString() + " weight " + weight;
  }

  /** Reads a weighted split's records, as a SequenceFile reader does its byte range. */
  public static final class Reader<K, V> extends RecordReader<K, V> {
    private final SequenceFileRecordReader<K, V> in = new SequenceFileRecordReader<>();

    @Override
    public void initialize(InputSplit split, TaskAttemptContext context) throws IOException, InterruptedException {
      in.initialize(split instanceof WeightedSplit ? ((WeightedSplit) split).byteRange() : split, context);
    }

    @Override
    public boolean nextKeyValue() throws IOException, InterruptedException {
      return in.nextKeyValue();
    }

    @Override
    public K getCurrentKey() {
      return in.getCurrentKey();
    }

    @Override
    public V getCurrentValue() {
      return in.getCurrentValue();
    }

    @Override
    public float getProgress() throws IOException {
      return in.getProgress();
    }

    @Override
    public void close() throws IOException {
      in.close();
    }
  }
}
