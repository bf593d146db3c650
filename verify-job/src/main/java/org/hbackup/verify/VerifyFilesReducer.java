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
import org.hbackup.common.index.IndexEntry;
import org.hbackup.common.id.PackId;
import org.hbackup.common.repo.ChunkReader;
import org.hbackup.common.repo.Repository;
import org.hbackup.job.RecordingReducer;

/**
 * The join of verify, by id. A damaged segment's mark (from {@link SegmentRefsMapper}) is
 * reported, and sent on under the segment as a {@code damaged} record, for the join with the
 * points that name it. Each pack's state meets the index files that name it (a pack they name
 * that is not there is missing). Each chunk's index rows meet the pack trailers' rows, which
 * decides whether the chunk can be delivered, and then the references of the checked points'
 * files (sorted after the rows): a referenced chunk that cannot be delivered sends each reference,
 * under its segment, as a file that cannot be restored; index rows nothing references are unused.
 * Damaged repository files go to the {@code damage} output, dangling index rows to
 * {@code dangling}, segments' tree summaries to {@code trees}. Memory: the rows of one chunk.
 */
public class VerifyFilesReducer extends RecordingReducer<VerifyKey, BytesWritable, VerifyKey, BytesWritable> {
  private Repository repository;
  private MultipleOutputs<VerifyKey, BytesWritable> outputs;
  /** Reads blobs by place, for rows no trailer vouches for; opened on the first. */
  private ChunkReader reader;
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

  private void segment(ContentId id, Iterable<BytesWritable> values, Context context)
      throws IOException, InterruptedException {
    long refused = 0;
    boolean damaged = false;
    for (BytesWritable value : values) {
      VerifyRecord mark = VerifyRecord.decode(value.getBytes(), value.getLength());
      if (mark.tag == VerifyRecord.TREE_SUMMARY) {
        // Keys arrive sorted, as a MapFile needs them, so the driver can look each segment up.
        write(VerifyJob.TREES, VerifyKey.SEGMENT, id.bytes(), (byte) 0, mark.payload);
        continue;
      }
      if (mark.tag == VerifyRecord.DAMAGED_REF) {
        // An entry a restore refuses: its file is lost to every point that names the segment.
        if (refused++ == 0) {
          damage(repository.layout().segment(id).toString(), "it holds entries a restore refuses; the first: '"
              + mark.text1 + "': " + mark.text2);
        }
        write(VerifyJob.DAMAGED, VerifyKey.SEGMENT, id.bytes(), VerifyJob.DAMAGED_ORDER, value.copyBytes());
        continue;
      }
      if (mark.tag == VerifyRecord.ROW_DAMAGED) {
        context.getCounter(VerifyCounters.DAMAGED_POINT_FILES).increment(1);
        damage(mark.text1, "its row for manifest segment " + id + " does not match the segment, which matches its"
            + " name: " + mark.text4);
        write(VerifyJob.DAMAGED, VerifyKey.SEGMENT, id.bytes(), VerifyJob.ROW_DAMAGED_ORDER, value.copyBytes());
        continue;
      }
      if (mark.tag != VerifyRecord.SEGMENT_DAMAGED) {
        throw new IOException("unexpected record " + mark.tag + " under segment " + id);
      }
      // Once, however many lists' rows asked for the segment (each read it and found it damaged).
      if (!damaged) {
        damaged = true;
        context.getCounter(VerifyCounters.DAMAGED_SEGMENTS).increment(1);
        damage(repository.layout().segment(id).toString(), mark.text1);
        write(VerifyJob.DAMAGED, VerifyKey.SEGMENT, id.bytes(), VerifyJob.DAMAGED_ORDER, value.copyBytes());
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
   * lists at that offset and length, and that was not found damaged (--read-data). Its rows sort
   * before its references, so the verdict is known when the first reference arrives.
   */
  private void chunk(byte[] id, Iterable<BytesWritable> values, Context context)
      throws IOException, InterruptedException {
    List<VerifyRecord> index = new ArrayList<>(2);
    List<VerifyRecord> trailers = new ArrayList<>(2);
    boolean decided = false;
    int decidedLength = -1;
    String why = null;
    for (BytesWritable value : values) {
      VerifyRecord r = VerifyRecord.decode(value.getBytes(), value.getLength());
      if (r.tag == VerifyRecord.INDEX_ROW) {
        index.add(r);
        continue;
      }
      if (r.tag == VerifyRecord.TRAILER_ROW) {
        trailers.add(r);
        continue;
      }
      // Decided once per chunk, and again only for a reference that gives it another length (a
      // damaged or hostile manifest: the chunk's hash fixes its length, and restore checks it).
      if (!decided || r.rawLength != decidedLength) {
        why = index.isEmpty() ? "no index file names it" : undeliverable(id, index, trailers, r.rawLength, !decided,
            context);
        if (why != null) {
          context.getCounter(VerifyCounters.MISSING_CHUNKS).increment(1);
          why = "chunk " + ContentId.wrap(id) + ": " + why;
        }
        decided = true;
        decidedLength = r.rawLength;
      }
      if (why != null) {
        write(VerifyJob.DAMAGED, VerifyKey.SEGMENT, r.id.bytes(), VerifyJob.DAMAGED_ORDER,
            VerifyRecord.damagedRef(r.text1, why));
      }
    }
    if (!decided && !index.isEmpty()) {
      undeliverable(id, index, trailers, -1, true, context); // reports its dangling rows
      context.getCounter(VerifyCounters.UNUSED_INDEX_ROWS).increment(1);
    }
  }

  /**
   * Why none of a chunk's index rows leads to a good blob of {@code length} raw bytes (any, when
   * negative), or null if one does; reports dangling rows when {@code report}.
   */
  private String undeliverable(byte[] id, List<VerifyRecord> index, List<VerifyRecord> trailers, int length,
      boolean report, Context context) throws IOException, InterruptedException {
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
      String unread = blob == null ? readsBackThroughTheIndex(id, row, context) : null;
      if (unread != null) {
        String problem = "index row of chunk " + ContentId.wrap(id) + " names pack " + row.pack + " at " + row.offset
            + "+" + row.storedLength + ", which that pack does not hold (" + unread + ")";
        if (report) {
          context.getCounter(VerifyCounters.DANGLING_INDEX_ROWS).increment(1);
          outputs.write(VerifyJob.DANGLING, new Text(repository.layout().index(ContentId.parse(stem(row.text1)))
              .toString()), new Text(problem), VerifyJob.DANGLING + "/part");
        }
        why = why == null ? problem : why;
      } else if (length >= 0 && row.rawLength != length) {
        why = why == null ? "the manifest gives it " + length + " bytes, its index row " + row.rawLength : why;
      } else if (blob == null) {
        deliverable = true; // no trailer vouches for it (its pack is reported damaged), but it reads back
      } else if (blob.state == VerifyRecord.BLOB_BAD) {
        why = why == null ? blob.text1 : why;
      } else if (blob.state == VerifyRecord.BLOB_RECORDED_BAD) {
        // A damage record is what an earlier reader found, not what is true now (a block HDFS
        // has since restored, a pack put back from a copy): its files were called lost, and
        // repair points dropped them, while they restored (found by a probe). Read it again.
        String now = readsBackThroughTheIndex(id, row, context);
        if (now == null) {
          deliverable = true;
        } else {
          why = why == null ? blob.text1 + "; read again: " + now : why;
        }
      } else {
        deliverable = true;
      }
    }
    return deliverable ? null : why;
  }

  /**
   * Why the blob an index row names does not read back as its chunk the way a restore reads it
   * (through the index alone: header, decode, SHA-256), or null when it does. Asked only for a row
   * whose blob a damage record names and for a row that no trailer row matches: a pack whose
   * trailer is cut off or damaged still holds blobs a restore reads, and calling their files lost
   * made {@code repair points --forget} drop files that restored (found by a probe). Costs a read
   * of each such row: only where there is damage.
   */
  private String readsBackThroughTheIndex(byte[] id, VerifyRecord row, Context context) throws IOException {
    if (reader == null) {
      reader = ChunkReader.withoutIndex(repository, context.getConfiguration(), false);
    }
    try {
      reader.readAt(new IndexEntry(ContentId.wrap(id.clone()), row.pack, row.offset, row.storedLength, row.rawLength));
      context.getCounter(VerifyCounters.BLOBS_READ_THROUGH_INDEX).increment(1);
      return null;
    } catch (DamageException e) {
      return e.getMessage();
    }
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
    if (reader != null) {
      reader.close();
    }
    outputs.close();
  }

  static String utf8(byte[] bytes) {
    return new String(bytes, StandardCharsets.UTF_8);
  }
}
