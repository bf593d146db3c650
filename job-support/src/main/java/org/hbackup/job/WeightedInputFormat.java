package org.hbackup.job;

import org.apache.hadoop.mapreduce.InputSplit;
import org.apache.hadoop.mapreduce.RecordReader;
import org.apache.hadoop.mapreduce.TaskAttemptContext;
import org.apache.hadoop.mapreduce.lib.input.SequenceFileInputFormat;

/**
 * A listing input format whose splits are {@link WeightedSplit}s (made by {@link WeightedSplits}):
 * it reads each split's byte range, never {@code getLength()} bytes, which is the split's weight.
 * Every input format of {@code WeightedSplits} extends it, so none can pair those splits with a
 * reader that would read past them.
 */
public abstract class WeightedInputFormat<K, V> extends SequenceFileInputFormat<K, V> {
  @Override
  public final RecordReader<K, V> createRecordReader(InputSplit split, TaskAttemptContext context) {
    return new WeightedSplit.Reader<>();
  }
}
