package org.hbackup.verify;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.Path;
import org.apache.hadoop.io.BytesWritable;
import org.apache.hadoop.io.Text;
import org.apache.hadoop.mapreduce.lib.output.MultipleOutputs;
import org.hbackup.common.DamageException;
import org.hbackup.common.id.ContentId;
import org.hbackup.common.id.PackId;
import org.hbackup.common.manifest.ChunkRef;
import org.hbackup.common.manifest.ManifestEntry;
import org.hbackup.common.manifest.SegmentReader;
import org.hbackup.common.repo.Repository;
import org.hbackup.job.RecordingReducer;

/**
 * The first join of verify, by id: each segment the checked points name is read once (checked
 * against its name and decoded), and sends a reference under every chunk its files name; each
 * pack's state meets the index files that name it (a pack they name that is not there is
 * missing); each chunk's index rows meet the pack trailers' rows, which decides whether the
 * chunk can be delivered. Damaged repository files go to the {@code damage} output, files of
 * damaged segments to {@code affected}, references to {@code refs}, verdicts to
 * {@code verdicts}. Memory: one decoded segment (at most 8 MiB of entries), the points of one
 * segment, the rows of one chunk.
 */
public class VerifyFilesReducer extends RecordingReducer<VerifyKey, BytesWritable, VerifyKey, BytesWritable> {
  private Repository repository;
  private MultipleOutputs<VerifyKey, BytesWritable> outputs;
  private final VerifyKey outKey = new VerifyKey();
  private final BytesWritable outValue = new BytesWritable();

  @Override
  protected void setup(Context context) throws IOException {
    Configuration conf = context.getConfiguration();
    repository = Repository.open(new Path(conf.get(VerifyConfigKeys.REPOSITORY)), conf);
    outputs = new MultipleOutputs<>(context);
  }

  @Override
  protected void reduce(VerifyKey key, Iterable<BytesWritable> values, Context context)
      throws IOException, InterruptedException {
    switch (key.kind()) {
      case VerifyKey.SEGMENT:
        segment(ContentId.wrap(key.bytes().clone()), values, context);
        break;
      case VerifyKey.PACK:
        pack(PackId.copyOf(key.bytes(), 0), values, context);
        break;
      case VerifyKey.CHUNK:
        chunk(key.bytes().clone(), values, context);
        break;
      default:
        throw new IOException("unexpected key kind " + key.kind());
    }
  }

  private void segment(ContentId id, Iterable<BytesWritable> points, Context context)
      throws IOException, InterruptedException {
    context.getCounter(VerifyCounters.SEGMENTS).increment(1);
    try (SegmentReader reader = repository.openSegment(id)) {
      List<ManifestEntry> entries = new ArrayList<>();
      for (ManifestEntry e = reader.next(); e != null; e = reader.next()) {
        entries.add(e);
      }
      // Whole first: a segment that turns out damaged halfway sends no references.
      for (ManifestEntry e : entries) {
        context.getCounter(VerifyCounters.ENTRIES).increment(1);
        for (ChunkRef c : e.chunks()) {
          context.getCounter(VerifyCounters.CHUNKS_REFERENCED).increment(1);
          write(VerifyJob.REFS, VerifyKey.CHUNK, c.id().bytes(), (byte) 1, VerifyRecord.ref(id, e.path()));
        }
      }
    } catch (DamageException e) {
      context.getCounter(VerifyCounters.DAMAGED_SEGMENTS).increment(1);
      damage(repository.layout().segment(id).toString(), e.getMessage());
      for (BytesWritable value : points) {
        VerifyRecord point = VerifyRecord.decode(value.getBytes(), value.getLength());
        String range = point.text2.equals(point.text3) ? point.text2 : point.text2 + " .. " + point.text3;
        write(VerifyJob.AFFECTED, VerifyKey.AFFECTED, VerifyJob.affectedKey(point.text1, "segment " + range),
            (byte) 0, VerifyRecord.affected("its manifest segment " + id + " is damaged: " + e.getMessage()));
      }
    }
  }

  private void pack(PackId id, Iterable<BytesWritable> values, Context context)
      throws IOException, InterruptedException {
    VerifyRecord state = null;
    String namedBy = null;
    for (BytesWritable value : values) {
      VerifyRecord r = VerifyRecord.decode(value.getBytes(), value.getLength());
      if (r.tag == VerifyRecord.PACK_STATE) {
        state = r;
      } else if (namedBy == null) {
        namedBy = r.text1;
      }
    }
    String file = repository.layout().pack(id).toString();
    if (state == null) {
      context.getCounter(VerifyCounters.DAMAGED_PACKS).increment(1);
      damage(file, "the pack is missing; index file " + namedBy + " names it");
    } else if (state.state == 1) {
      context.getCounter(VerifyCounters.DAMAGED_PACKS).increment(1);
      damage(file, state.text1);
    } else if (namedBy == null) {
      context.getCounter(VerifyCounters.UNUSED_PACKS).increment(1);
    }
  }

  /**
   * A chunk can be delivered when one of its index rows names a blob that its pack's trailer
   * lists at that offset and length, and that was not found damaged (--read-data).
   */
  private void chunk(byte[] id, Iterable<BytesWritable> values, Context context)
      throws IOException, InterruptedException {
    List<VerifyRecord> index = new ArrayList<>(2);
    List<VerifyRecord> trailers = new ArrayList<>(2);
    for (BytesWritable value : values) {
      VerifyRecord r = VerifyRecord.decode(value.getBytes(), value.getLength());
      (r.tag == VerifyRecord.INDEX_ROW ? index : trailers).add(r);
    }
    if (index.isEmpty()) {
      return; // a blob no index names: garbage for prune
    }
    boolean deliverable = false;
    String why = null;
    for (VerifyRecord row : index) {
      VerifyRecord blob = null;
      for (VerifyRecord t : trailers) {
        if (t.pack.equals(row.pack) && t.offset == row.offset && t.storedLength == row.storedLength
            && t.rawLength == row.rawLength) {
          blob = t;
        }
      }
      if (blob == null) {
        context.getCounter(VerifyCounters.DANGLING_INDEX_ROWS).increment(1);
        String problem = "index row of chunk " + ContentId.wrap(id) + " names pack " + row.pack + " at " + row.offset
            + "+" + row.storedLength + ", which that pack does not hold";
        outputs.write(VerifyJob.DANGLING, new Text(repository.layout().index(ContentId.parse(stem(row.text1))).toString()),
            new Text(problem), VerifyJob.DANGLING + "/part");
        why = why == null ? problem : why;
      } else if (blob.state == VerifyRecord.BLOB_BAD) {
        why = why == null ? blob.text1 : why;
      } else {
        deliverable = true;
      }
    }
    write(VerifyJob.VERDICTS, VerifyKey.CHUNK, id, (byte) 0,
        VerifyRecord.verdict(deliverable, deliverable ? null : why));
  }

  private static String stem(String indexFileName) {
    int dot = indexFileName.indexOf('.');
    return dot < 0 ? indexFileName : indexFileName.substring(0, dot);
  }

  private void damage(String file, String reason) throws IOException, InterruptedException {
    outputs.write(VerifyJob.DAMAGE, new Text(file), new Text(reason), VerifyJob.DAMAGE + "/part");
  }

  private void write(String output, byte kind, byte[] id, byte order, byte[] record)
      throws IOException, InterruptedException {
    outKey.set(kind, id, order);
    outValue.set(record, 0, record.length);
    outputs.write(output, outKey, outValue, output + "/part");
  }

  @Override
  protected void cleanup(Context context) throws IOException, InterruptedException {
    outputs.close();
  }

  static String utf8(byte[] bytes) {
    return new String(bytes, StandardCharsets.UTF_8);
  }
}
