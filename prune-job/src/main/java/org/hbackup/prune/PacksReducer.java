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
import org.hbackup.common.id.PackId;
import org.hbackup.common.repo.RepositoryLayout;
import org.hbackup.job.RecordingReducer;
import org.hbackup.verify.VerifyKey;

/**
 * The plan of prune, by pack: a pack's record and the marks of young index files that name it
 * (order 0) meet its blobs (order 1), each marked used or not, and the pack is kept (its used blobs
 * become rows of the new index), deleted (nothing in it is used, or its trailer is damaged and no
 * index file names it, which the driver checks), or rewritten (more than --max-unused of its blob
 * bytes are unused: its used blobs are listed for the repack, and it is deleted after). A pack younger than
 * the grace period, or named by an index file younger than it (which prune keeps), is kept whole,
 * every blob in the new index, whatever the marks say: a writer that ignored the lock may be
 * about to publish a point that uses it. A pack a damage record names
 * is never rewritten (copying would stop at its damaged blob): kept while it holds the only copy
 * of a used chunk, deleted once it does not. Memory: one pack's blobs.
 */
public class PacksReducer extends RecordingReducer<VerifyKey, BytesWritable, VerifyKey, BytesWritable> {
  private RepositoryLayout layout;
  private long cutoff;
  private double maxUnused;
  private MultipleOutputs<VerifyKey, BytesWritable> outputs;
  private final VerifyKey outKey = new VerifyKey();
  private final BytesWritable outValue = new BytesWritable();

  @Override
  protected void setup(Context context) {
    Configuration conf = context.getConfiguration();
    layout = new RepositoryLayout(new Path(conf.get(PruneConfigKeys.REPOSITORY)));
    cutoff = conf.getLong(PruneConfigKeys.CUTOFF, 0);
    maxUnused = conf.getDouble(PruneConfigKeys.MAX_UNUSED, PruneOptions.DEFAULT_MAX_UNUSED_PERCENT / 100);
    outputs = new MultipleOutputs<>(context);
  }

  @Override
  protected void reduce(VerifyKey key, Iterable<BytesWritable> values, Context context)
      throws IOException, InterruptedException {
    PackId id = PackId.copyOf(key.bytes(), 0);
    PruneRecord info = null;
    boolean namedByYoungIndex = false;
    List<PruneRecord> blobs = new ArrayList<>();
    for (BytesWritable value : values) {
      PruneRecord r = PruneRecord.decode(value.getBytes(), value.getLength());
      if (r.tag == PruneRecord.PACK_INFO) {
        info = r;
      } else if (r.tag == PruneRecord.YOUNG_INDEX) {
        namedByYoungIndex = true;
      } else {
        blobs.add(r);
      }
    }
    if (info == null) {
      // Its copies and its record come from the same read: none means it is gone since the
      // listing, or only a young index file names it (a pack missing: verify reports it).
      return;
    }
    context.getCounter(PruneCounters.PACKS_BEFORE).increment(1);
    context.getCounter(PruneCounters.PACK_BYTES_BEFORE).increment(info.length);
    context.getCounter(PruneCounters.BLOBS).increment(blobs.size());
    long live = 0;
    long unused = 0;
    for (PruneRecord b : blobs) {
      if (b.flag) {
        live += b.storedLength;
      } else {
        unused += b.storedLength;
      }
    }
    context.getCounter(PruneCounters.BYTES_LIVE).increment(live);
    context.getCounter(PruneCounters.BYTES_UNUSED).increment(unused);
    Text path = new Text(layout.pack(id).toString());
    // A young index file stays, so the packs it names stay whole too (YoungIndexMapper).
    boolean young = info.mtime > cutoff || namedByYoungIndex;
    if (young) {
      context.getCounter(PruneCounters.PACKS_YOUNG).increment(1);
      for (PruneRecord b : blobs) {
        row(id, b, b.flag);
      }
    } else if (info.flag) {
      context.getCounter(PruneCounters.PACKS_DAMAGED).increment(1);
      outputs.write(PruneJob.DROP, path, new LongWritable(info.length), PruneJob.DROP + "/part");
      // Deleted only if no index file names it (the driver checks): see PruneJob.
      outputs.write(PruneJob.DAMAGED, path, new LongWritable(info.length), PruneJob.DAMAGED + "/part");
    } else if (live == 0) {
      context.getCounter(PruneCounters.PACKS_DELETED).increment(1);
      outputs.write(PruneJob.DROP, path, new LongWritable(info.length), PruneJob.DROP + "/part");
    } else if (unused > maxUnused * (live + unused) && !info.suspect) {
      context.getCounter(PruneCounters.PACKS_REPACKED).increment(1);
      context.getCounter(PruneCounters.BYTES_TO_COPY).increment(live);
      List<PruneRecord.Blob> used = new ArrayList<>();
      for (PruneRecord b : blobs) {
        if (b.flag) {
          used.add(new PruneRecord.Blob(b.chunk, b.offset, b.storedLength, b.rawLength));
        }
      }
      outputs.write(PruneJob.REPACK, path, new BytesWritable(PruneRecord.blobs(used)), PruneJob.REPACK + "/part");
      outputs.write(PruneJob.DROP, path, new LongWritable(info.length), PruneJob.DROP + "/part");
    } else {
      context.getCounter(PruneCounters.PACKS_KEPT).increment(1);
      for (PruneRecord b : blobs) {
        if (b.flag) {
          row(id, b, true);
        }
      }
    }
  }

  private void row(PackId pack, PruneRecord blob, boolean preferred) throws IOException, InterruptedException {
    byte[] record = PruneRecord.row(pack, blob.offset, blob.storedLength, blob.rawLength, preferred);
    outKey.set(VerifyKey.CHUNK, blob.chunk.bytes(), (byte) 0);
    outValue.set(record, 0, record.length);
    outputs.write(PruneJob.ROWS, outKey, outValue, PruneJob.ROWS + "/part");
  }

  @Override
  protected void cleanup(Context context) throws IOException, InterruptedException {
    outputs.close();
  }
}
