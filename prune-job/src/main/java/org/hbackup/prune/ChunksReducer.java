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
import org.hbackup.common.index.IndexEntry;
import org.hbackup.common.repo.ChunkReader;
import org.hbackup.common.repo.Repository;
import org.hbackup.job.RecordingReducer;
import org.hbackup.verify.VerifyKey;

/**
 * The mark and sweep of prune, by id. A segment's file meets the mark of {@link SegmentsMapper}:
 * a segment no remaining point names is garbage, deleted when older than the grace period; a
 * named one that is missing or damaged is a problem that stops the prune before it deletes
 * anything. A chunk's copies (the pack trailers' rows, sorted first) meet the remaining points'
 * references to it. A referenced chunk keeps one copy, the one in the newest pack (so that a
 * prune stopped after its repack converges on the new packs); every other copy, and every copy of
 * a chunk nothing references, is unused. Each copy goes to its pack, marked used or not, and each
 * referenced chunk to the references that the new index is checked against. A referenced chunk
 * with no copy is a problem. A pack's own record passes through to the packs job. Memory: one
 * chunk's copies.
 */
public class ChunksReducer extends RecordingReducer<VerifyKey, BytesWritable, VerifyKey, BytesWritable> {
  private MultipleOutputs<VerifyKey, BytesWritable> outputs;
  private final VerifyKey outKey = new VerifyKey();
  private final BytesWritable outValue = new BytesWritable();

  private Repository repository;
  private Configuration conf;
  private long cutoff;
  /** Reads a used chunk's copies when it has several (opened on first need). */
  private ChunkReader reader;
  /** Why the preferred copy of the last chunk that {@link #firstThatReadsBack} read did not read back. */
  private String unreadable;

  @Override
  protected void setup(Context context) throws IOException {
    conf = context.getConfiguration();
    repository = Repository.open(new Path(conf.get(PruneConfigKeys.REPOSITORY)), conf);
    cutoff = conf.getLong(PruneConfigKeys.CUTOFF, 0);
    outputs = new MultipleOutputs<>(context);
  }

  @Override
  protected void reduce(VerifyKey key, Iterable<BytesWritable> values, Context context)
      throws IOException, InterruptedException {
    if (key.kind() == VerifyKey.SEGMENT) {
      segment(ContentId.wrap(key.bytes().clone()), values, context);
      return;
    }
    if (key.kind() == VerifyKey.PACK) {
      byte[] pack = key.bytes().clone();
      for (BytesWritable value : values) {
        write(pack, (byte) 0, value.copyBytes());
      }
      return;
    }
    List<PruneRecord> copies = new ArrayList<>(2);
    long refs = 0;
    for (BytesWritable value : values) {
      PruneRecord r = PruneRecord.decode(value.getBytes(), value.getLength());
      if (r.tag == PruneRecord.COPY) {
        copies.add(r);
      } else {
        refs += r.length;
      }
    }
    ContentId chunk = ContentId.wrap(key.bytes().clone());
    if (refs > 0) {
      byte[] record = PruneRecord.ref(refs);
      outKey.set(VerifyKey.CHUNK, chunk.bytes(), (byte) 1);
      outValue.set(record, 0, record.length);
      outputs.write(PruneJob.REFS, outKey, outValue, PruneJob.REFS + "/part");
    }
    if (copies.isEmpty()) {
      if (refs > 0) {
        context.getCounter(PruneCounters.PROBLEMS).increment(1);
        outputs.write(PruneJob.PROBLEMS, new Text("chunk " + chunk), new Text("used by " + refs
            + " file reference(s) of the remaining points, and no pack holds it"), PruneJob.PROBLEMS + "/part");
      }
      return;
    }
    PruneRecord kept = null;
    if (refs > 0) {
      copies.sort(NEWEST_FIRST);
      kept = copies.size() == 1 && !recorded(copies.get(0)) ? copies.get(0) : firstThatReadsBack(chunk, copies);
      if (kept == null) {
        // The points still name it and no copy reads back: a prune that went on would report success on
        // a repository it knows cannot restore them (found by a probe: exit 0 after verify recorded it).
        // Counted by the driver, which takes these after its check of damaged packs that index
        // files still name (a restore may read the chunk there; that check names the pack first).
        outputs.write(PruneJob.UNREADABLE, new Text("chunk " + chunk), new Text("used by " + refs
            + " file reference(s) of the remaining points, and no copy of it reads back (" + unreadable
            + "); 'verify' names the files, 'repair points --forget' drops them"), PruneJob.UNREADABLE + "/part");
        kept = copies.get(0); // the chunk is lost either way; its pack stays
      }
      context.getCounter(PruneCounters.CHUNKS_LIVE).increment(1);
      context.getCounter(PruneCounters.COPIES_DUPLICATE).increment(copies.size() - 1);
    } else {
      context.getCounter(PruneCounters.CHUNKS_UNUSED).increment(1);
    }
    for (PruneRecord c : copies) {
      write(c.pack.bytes(), (byte) 1, PruneRecord.blob(chunk, c.offset, c.storedLength, c.rawLength, c == kept));
    }
  }

  /** The order in which copies are preferred: the most recently published pack first (FORMAT §12d). */
  private static final java.util.Comparator<PruneRecord> NEWEST_FIRST = (a, b) -> a.mtime != b.mtime
      ? Long.compare(b.mtime, a.mtime) : java.util.Arrays.compareUnsigned(b.pack.bytes(), a.pack.bytes());

  /** Whether a copy lies in a pack that a damage record names (PackTrailerMapper ranks those last). */
  private static boolean recorded(PruneRecord copy) {
    return copy.mtime == Long.MIN_VALUE;
  }

  /**
   * Of the copies of a used chunk, the first in order of preference whose blob reads back as the
   * chunk, or null when none does ({@link #unreadable} then says why the first did not). The
   * trailers list every copy alike; keeping one that is damaged and dropping the one a restore
   * reads today made prune lose files it was not asked to touch (found by a probe: a flipped byte
   * in an unused duplicate, then prune with exit 0). Only chunks with several copies, or whose one
   * copy lies in a pack with a damage record, pay this read: the cost is where the damage is.
   */
  private PruneRecord firstThatReadsBack(ContentId chunk, List<PruneRecord> copies) throws IOException {
    if (reader == null) {
      reader = ChunkReader.withoutIndex(repository, conf, false);
    }
    unreadable = null;
    for (PruneRecord c : copies) {
      try {
        reader.readAt(new IndexEntry(chunk, c.pack, c.offset, c.storedLength, c.rawLength));
        return c;
      } catch (DamageException e) {
        unreadable = unreadable == null ? "pack " + c.pack + ": " + e.getMessage() : unreadable;
      }
    }
    return null;
  }

  /**
   * A segment: the mark of a point that names it or of its problem (sorted first), and its file
   * as the listing found it.
   */
  private void segment(ContentId id, Iterable<BytesWritable> values, Context context)
      throws IOException, InterruptedException {
    boolean named = false;
    String problem = null;
    PruneRecord file = null;
    for (BytesWritable value : values) {
      PruneRecord r = PruneRecord.decode(value.getBytes(), value.getLength());
      if (r.tag == PruneRecord.POINT) {
        named = true;
      } else if (r.tag == PruneRecord.PROBLEM) {
        problem = r.text;
      } else {
        file = r;
      }
    }
    Path path = repository.layout().segment(id);
    if (problem != null) {
      context.getCounter(PruneCounters.PROBLEMS).increment(1);
      outputs.write(PruneJob.PROBLEMS, new Text(path.toString()), new Text(problem), PruneJob.PROBLEMS + "/part");
    } else if (!named && file != null) {
      if (file.mtime <= cutoff) {
        context.getCounter(PruneCounters.SEGMENTS_UNUSED).increment(1);
        outputs.write(PruneJob.DROP, new Text(path.toString()), new LongWritable(file.length), PruneJob.DROP + "/part");
      } else {
        context.getCounter(PruneCounters.SEGMENTS_YOUNG).increment(1);
      }
    }
  }

  private void write(byte[] pack, byte order, byte[] record) throws IOException, InterruptedException {
    outKey.set(VerifyKey.PACK, pack, order);
    outValue.set(record, 0, record.length);
    outputs.write(PruneJob.BLOBS, outKey, outValue, PruneJob.BLOBS + "/part");
  }

  @Override
  protected void cleanup(Context context) throws IOException, InterruptedException {
    outputs.close();
    if (reader != null) {
      reader.close();
    }
  }
}
