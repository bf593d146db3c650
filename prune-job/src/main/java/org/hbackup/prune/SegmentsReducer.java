package org.hbackup.prune;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;

import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.Path;
import org.apache.hadoop.io.BytesWritable;
import org.apache.hadoop.io.LongWritable;
import org.apache.hadoop.io.Text;
import org.apache.hadoop.mapreduce.lib.output.MultipleOutputs;
import org.hbackup.common.DamageException;
import org.hbackup.common.id.ContentId;
import org.hbackup.common.manifest.ChunkRef;
import org.hbackup.common.manifest.ManifestEntry;
import org.hbackup.common.manifest.SegmentReader;
import org.hbackup.common.repo.Repository;
import org.hbackup.job.RecordingReducer;
import org.hbackup.verify.VerifyKey;

/**
 * The mark of prune, by segment: the remaining points that name a segment (sorted first) meet its
 * file. A named segment is read once, checked against its name, and sends a reference under every
 * chunk its files use; a segment no remaining point names is garbage, deleted when older than the
 * grace period; a named segment that is missing or damaged is a problem that stops the prune
 * before it deletes anything. Memory: one decoded segment (at most 8 MiB of entries).
 */
public class SegmentsReducer extends RecordingReducer<VerifyKey, BytesWritable, VerifyKey, BytesWritable> {
  private Repository repository;
  private long cutoff;
  private MultipleOutputs<VerifyKey, BytesWritable> outputs;
  private final VerifyKey outKey = new VerifyKey();
  private final BytesWritable outValue = new BytesWritable();
  private byte[] ref;

  @Override
  protected void setup(Context context) throws IOException {
    Configuration conf = context.getConfiguration();
    repository = Repository.open(new Path(conf.get(PruneConfigKeys.REPOSITORY)), conf);
    cutoff = conf.getLong(PruneConfigKeys.CUTOFF, 0);
    outputs = new MultipleOutputs<>(context);
    ref = PruneRecord.ref();
  }

  @Override
  protected void reduce(VerifyKey key, Iterable<BytesWritable> values, Context context)
      throws IOException, InterruptedException {
    ContentId id = ContentId.wrap(key.bytes().clone());
    String namedBy = null;
    PruneRecord file = null;
    for (BytesWritable value : values) {
      PruneRecord r = PruneRecord.decode(value.getBytes(), value.getLength());
      if (r.tag == PruneRecord.POINT) {
        namedBy = namedBy == null ? r.text : namedBy;
      } else {
        file = r;
      }
    }
    Path path = repository.layout().segment(id);
    if (namedBy == null) {
      if (file.mtime <= cutoff) {
        context.getCounter(PruneCounters.SEGMENTS_UNUSED).increment(1);
        outputs.write(PruneJob.DROP, new Text(path.toString()), new LongWritable(file.length), PruneJob.DROP + "/part");
      } else {
        context.getCounter(PruneCounters.SEGMENTS_YOUNG).increment(1);
      }
      return;
    }
    if (file == null) {
      problem(path, "missing; point " + namedBy + " names it", context);
      return;
    }
    context.getCounter(PruneCounters.SEGMENTS_USED).increment(1);
    List<ContentId> chunks = new ArrayList<>();
    try (SegmentReader reader = repository.openSegment(id)) {
      for (ManifestEntry e = reader.next(); e != null; e = reader.next()) {
        for (ChunkRef c : e.chunks()) {
          chunks.add(c.id());
        }
      }
    } catch (DamageException e) {
      problem(path, e.getMessage() + " (point " + namedBy + " names it)", context);
      return;
    }
    // Only a segment read whole sends references.
    for (ContentId c : chunks) {
      context.getCounter(PruneCounters.CHUNKS_REFERENCED).increment(1);
      outKey.set(VerifyKey.CHUNK, c.bytes(), (byte) 1);
      outValue.set(ref, 0, ref.length);
      outputs.write(PruneJob.REFS, outKey, outValue, PruneJob.REFS + "/part");
    }
  }

  private void problem(Path file, String why, Context context) throws IOException, InterruptedException {
    context.getCounter(PruneCounters.PROBLEMS).increment(1);
    outputs.write(PruneJob.PROBLEMS, new Text(file.toString()), new Text(why), PruneJob.PROBLEMS + "/part");
  }

  @Override
  protected void cleanup(Context context) throws IOException, InterruptedException {
    outputs.close();
  }
}
