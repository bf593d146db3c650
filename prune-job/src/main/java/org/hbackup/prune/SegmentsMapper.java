package org.hbackup.prune;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;

import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.Path;
import org.apache.hadoop.io.BytesWritable;
import org.hbackup.common.DamageException;
import org.hbackup.common.id.ContentId;
import org.hbackup.common.manifest.ChunkRef;
import org.hbackup.common.manifest.ManifestEntry;
import org.hbackup.common.manifest.SegmentReader;
import org.hbackup.common.repo.Repository;
import org.hbackup.job.RecordingMapper;
import org.hbackup.verify.SegmentListing;
import org.hbackup.verify.SegmentUse;
import org.hbackup.verify.VerifyKey;

/**
 * The mark of prune, in the map phase: reads each distinct segment the remaining points name
 * ({@link SegmentListing}), checked against its name and decoded whole, and sends a reference
 * under every chunk its files use, sorted after the chunk's copies. Under the segment's own id it
 * sends that a point names it (so that the reducer keeps its file), or, when it is missing or
 * damaged, the problem that stops the prune before it deletes anything. Memory: one decoded
 * segment (at most 8 MiB of entries) and its chunk ids.
 */
public class SegmentsMapper extends RecordingMapper<BytesWritable, SegmentUse, VerifyKey, BytesWritable> {
  private Repository repository;
  private final VerifyKey outKey = new VerifyKey();
  private final BytesWritable outValue = new BytesWritable();
  private byte[] ref;

  @Override
  protected void setup(Context context) throws IOException {
    Configuration conf = context.getConfiguration();
    repository = Repository.open(new Path(conf.get(PruneConfigKeys.REPOSITORY)), conf);
    ref = PruneRecord.ref(1);
  }

  @Override
  protected void map(BytesWritable key, SegmentUse use, Context context) throws IOException, InterruptedException {
    ContentId id = ContentId.wrap(key.copyBytes());
    List<ContentId> chunks = new ArrayList<>();
    try (SegmentReader reader = use.open(repository, id)) {
      for (ManifestEntry e = reader.next(); e != null; e = reader.next()) {
        for (ChunkRef c : e.chunks()) {
          chunks.add(c.id());
        }
      }
    } catch (DamageException e) {
      emit(VerifyKey.SEGMENT, id.bytes(), PruneRecord.problem(e.getMessage() + " (point " + use.point()
          + " names it)"), context);
      return;
    }
    context.getCounter(PruneCounters.SEGMENTS_USED).increment(1);
    emit(VerifyKey.SEGMENT, id.bytes(), PruneRecord.point(use.point()), context);
    // Only a segment read whole sends references.
    for (ContentId c : chunks) {
      emit(VerifyKey.CHUNK, c.bytes(), ref, context);
    }
    context.getCounter(PruneCounters.CHUNKS_REFERENCED).increment(chunks.size());
  }

  /** Under a segment, the mark sorts before its file; under a chunk, a reference after its copies. */
  private void emit(byte kind, byte[] id, byte[] record, Context context) throws IOException, InterruptedException {
    outKey.set(kind, id, (byte) (kind == VerifyKey.SEGMENT ? 0 : 1));
    outValue.set(record, 0, record.length);
    context.write(outKey, outValue);
  }
}
