package org.hbackup.backup;

import java.io.IOException;

import org.apache.hadoop.fs.Path;
import org.apache.hadoop.io.NullWritable;
import org.apache.hadoop.mapreduce.OutputCommitter;
import org.apache.hadoop.mapreduce.RecordWriter;
import org.apache.hadoop.mapreduce.TaskAttemptContext;
import org.apache.hadoop.mapreduce.lib.output.FileOutputFormat;

/**
 * Tasks write their files (packs, index, segments) straight into their attempt's work directory;
 * this format exists to hand the job its {@link PointCommitter}, which publishes them.
 */
public class PointOutputFormat extends FileOutputFormat<NullWritable, NullWritable> {
  private PointCommitter committer;

  @Override
  public RecordWriter<NullWritable, NullWritable> getRecordWriter(TaskAttemptContext context) {
    return new RecordWriter<NullWritable, NullWritable>() {
      @Override
      public void write(NullWritable key, NullWritable value) {
        throw new UnsupportedOperationException("backup tasks write files, not records");
      }

      @Override
      public void close(TaskAttemptContext c) {
      }
    };
  }

  @Override
  public synchronized OutputCommitter getOutputCommitter(TaskAttemptContext context) throws IOException {
    if (committer == null) {
      committer = new PointCommitter(getOutputPath(context), context);
    }
    return committer;
  }
}
