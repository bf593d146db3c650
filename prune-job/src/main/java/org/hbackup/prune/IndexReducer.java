package org.hbackup.prune;

import java.io.IOException;

import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FSDataOutputStream;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.apache.hadoop.io.BytesWritable;
import org.apache.hadoop.io.Text;
import org.apache.hadoop.mapreduce.lib.output.MultipleOutputs;
import org.hbackup.common.id.ContentId;
import org.hbackup.common.index.IndexEntry;
import org.hbackup.common.index.IndexWriter;
import org.hbackup.common.io.FileSystems;
import org.hbackup.common.repo.RepositoryLayout;
import org.hbackup.job.RecordingReducer;
import org.hbackup.verify.VerifyKey;

/**
 * The new index of prune, by chunk, and its check: the rows of kept and new packs (sorted first)
 * meet the remaining points' references. Each chunk gets one row (a used copy before a young
 * pack's unused one), written in chunk order into this reducer's index file, staged under its
 * SHA-256. A referenced chunk without a row is a problem: the prune then publishes and deletes
 * nothing, so the check stands between the plan and every delete. Memory: the index file's Bloom
 * filter (1.2 bytes per row).
 */
public class IndexReducer extends RecordingReducer<VerifyKey, BytesWritable, VerifyKey, BytesWritable> {
  private FileSystem fs;
  private Path dir;
  private long expectedRows;
  private FSDataOutputStream stream;
  private IndexWriter writer;
  private Path partial;
  private MultipleOutputs<VerifyKey, BytesWritable> outputs;

  @Override
  protected void setup(Context context) throws IOException {
    Configuration conf = context.getConfiguration();
    dir = new Path(conf.get(PruneConfigKeys.STAGING), "index");
    fs = FileSystems.raw(dir, conf);
    int reducers = Math.max(1, context.getNumReduceTasks());
    expectedRows = Math.max(1000, conf.getLong(PruneConfigKeys.EXPECTED_ROWS, 0) / reducers * 11 / 10);
    outputs = new MultipleOutputs<>(context);
  }

  @Override
  protected void reduce(VerifyKey key, Iterable<BytesWritable> values, Context context)
      throws IOException, InterruptedException {
    PruneRecord chosen = null;
    long refs = 0;
    for (BytesWritable value : values) {
      PruneRecord r = PruneRecord.decode(value.getBytes(), value.getLength());
      if (r.tag == PruneRecord.ROW) {
        if (chosen == null || (r.flag && !chosen.flag)) {
          chosen = r;
        }
      } else {
        refs += r.length;
      }
    }
    ContentId chunk = ContentId.wrap(key.bytes().clone());
    if (chosen == null) {
      if (refs > 0) {
        context.getCounter(PruneCounters.PROBLEMS).increment(1);
        outputs.write(PruneJob.PROBLEMS, new Text("chunk " + chunk), new Text("the new index would have no row for"
            + " it, and " + refs + " file reference(s) of the remaining points use it"), PruneJob.PROBLEMS + "/part");
      }
      return;
    }
    if (writer == null) {
      partial = new Path(dir, "index-" + context.getTaskAttemptID().getTaskID().getId() + ".partial");
      stream = FileSystems.createOwnerOnly(fs, partial, true);
      writer = new IndexWriter(stream, expectedRows);
    }
    writer.add(new IndexEntry(chunk, chosen.pack, chosen.offset, chosen.storedLength, chosen.rawLength));
    context.getCounter(PruneCounters.INDEX_ROWS).increment(1);
  }

  @Override
  protected void cleanup(Context context) throws IOException, InterruptedException {
    outputs.close();
    if (writer == null) {
      return;
    }
    ContentId name = writer.finish();
    FileSystems.sync(stream);
    writer.close();
    FileSystems.renameReplacing(fs, partial, new Path(dir, name.toHex() + RepositoryLayout.INDEX_SUFFIX));
    context.getCounter(PruneCounters.INDEX_FILES_WRITTEN).increment(1);
  }
}
