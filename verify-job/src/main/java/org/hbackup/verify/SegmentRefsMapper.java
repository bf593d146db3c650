package org.hbackup.verify;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;

import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.Path;
import org.apache.hadoop.io.BytesWritable;
import org.hbackup.common.DamageException;
import org.hbackup.common.id.ContentId;
import org.hbackup.common.manifest.ChunkRef;
import org.hbackup.common.manifest.EntryType;
import org.hbackup.common.manifest.ManifestEntry;
import org.hbackup.common.manifest.ManifestTreeCheck;
import org.hbackup.common.manifest.SegmentReader;
import org.hbackup.common.manifest.SegmentTreeSummary;
import org.hbackup.common.repo.Repository;
import org.hbackup.job.RecordingMapper;

/**
 * Reads each distinct segment the checked points name (the driver's {@link SegmentListing}),
 * checked against its name and decoded whole, and sends a reference under every chunk its files
 * name, sorted after the chunk's index and trailer rows, so that the join decides the chunk
 * before its references arrive. A damaged or missing segment sends no reference (it is damaged
 * halfway as much as at its start) but a mark under its id, which the reducer reports. Memory: one
 * decoded segment (at most 8 MiB of entries).
 */
public class SegmentRefsMapper extends RecordingMapper<BytesWritable, SegmentUse, VerifyKey, BytesWritable> {
  /** The order of references among a chunk's records: after its index and trailer rows (0). */
  static final byte REF_ORDER = 1;

  private Repository repository;
  private boolean summaries;
  private final VerifyKey outKey = new VerifyKey();
  private final BytesWritable outValue = new BytesWritable();

  @Override
  protected void setup(Context context) throws IOException {
    Configuration conf = context.getConfiguration();
    repository = Repository.open(new Path(conf.get(VerifyConfigKeys.REPOSITORY)), conf);
    summaries = conf.getBoolean(VerifyConfigKeys.TREE_SUMMARIES, false);
  }

  @Override
  protected void map(BytesWritable key, SegmentUse use, Context context)
      throws IOException, InterruptedException {
    ContentId id = ContentId.wrap(key.copyBytes());
    List<ManifestEntry> read = new ArrayList<>();
    try (SegmentReader reader = repository.openSegment(id)) {
      for (ManifestEntry e = reader.next(); e != null; e = reader.next()) {
        read.add(e);
      }
    } catch (DamageException e) {
      emit(VerifyKey.SEGMENT, id.bytes(), (byte) 0, VerifyRecord.segmentDamaged(e.getMessage()), context);
      return;
    }
    // The segment matched its name, so a row that disagrees with it is its list's damage, lost to
    // the points that take the segment from that list only: checked against the segment it read
    // whole, not while reading, which called the segment damaged, for every point that names it.
    String disagreement = use.disagreement(read);
    if (disagreement != null) {
      emit(VerifyKey.SEGMENT, id.bytes(), (byte) 0, VerifyRecord.rowDamaged(use.list(), use.first(), use.last(),
          use.entries(), read.size(), disagreement), context);
      return;
    }
    context.getCounter(VerifyCounters.SEGMENTS).increment(1);
    refuseWhatARestoreRefuses(id, read, context);
    long refs = 0;
    for (ManifestEntry e : read) {
      for (ChunkRef c : e.chunks()) {
        refs++;
        emit(VerifyKey.CHUNK, c.id().bytes(), REF_ORDER, VerifyRecord.ref(id, e.path(), c.length()), context);
      }
    }
    context.getCounter(VerifyCounters.ENTRIES).increment(read.size());
    context.getCounter(VerifyCounters.CHUNKS_REFERENCED).increment(refs);
  }

  /**
   * Sends, under the segment, each entry a restore would refuse by the tree rule (FORMAT.md,
   * "Restoring a point"): one below a path the segment holds as a file or symlink, and a root
   * that is not a directory. verify said clean (exit 0) on such a segment while every restore of
   * its points exited 3 (found by a probe). Only within the segment: a blocker in an earlier
   * segment depends on the point (segments are shared), so the segment's {@link
   * SegmentTreeSummary} goes to the driver, which applies the rule across each point's segments
   * ({@link SegmentBoundaries}).
   */
  private void refuseWhatARestoreRefuses(ContentId id, List<ManifestEntry> entries, Context context)
      throws IOException, InterruptedException {
    ManifestTreeCheck tree = new ManifestTreeCheck();
    SegmentTreeSummary.Builder summary = summaries ? new SegmentTreeSummary.Builder() : null;
    String file = repository.layout().segment(id).toString();
    for (ManifestEntry e : entries) {
      String refused;
      try {
        refused = tree.next(e.path(), e.type(), file);
      } catch (org.hbackup.common.FormatException order) {
        refused = order.getMessage(); // the reader checks the order first; kept as a refusal if not
      }
      if (refused == null) {
        refused = hashThatCannotBe(e);
      }
      if (e.path().isEmpty() && e.type() != EntryType.DIRECTORY) {
        refused = "the point's root is a " + e.type().name().toLowerCase(java.util.Locale.ROOT)
            + ", not a directory";
      }
      if (refused != null) {
        emit(VerifyKey.SEGMENT, id.bytes(), (byte) 0, VerifyRecord.damagedRef(e.path(), refused), context);
      }
      if (summary != null) {
        summary.add(e.path(), e.type());
      }
    }
    SegmentTreeSummary built = summary == null ? null : summary.build();
    if (built != null) {
      emit(VerifyKey.SEGMENT, id.bytes(), (byte) 0, VerifyRecord.treeSummary(built), context);
    }
  }

  /**
   * Why a file's hash cannot be what a restore computes, when that shows without reading data:
   * a file of one chunk (and no ranges) is that chunk's bytes, whose SHA-256 is the chunk's id, and
   * an empty file's is the SHA-256 of nothing. verify passed a point whose entry named another
   * hash, in both modes, while every restore of the file failed (found by a probe). A file of
   * several chunks is checked by a restore only (FORMAT.md section 12c).
   */
  private static String hashThatCannotBe(ManifestEntry e) {
    if (e.type() != EntryType.FILE || e.rangeSize() > 0 || e.fileHash() == null || e.chunks().size() > 1) {
      return null;
    }
    ContentId content = e.chunks().isEmpty() ? EMPTY : e.chunks().get(0).id();
    return content.equals(e.fileHash()) ? null : "its file hash " + e.fileHash() + " is not the SHA-256 of its content ("
        + content + "); a restore of it fails";
  }

  private static final ContentId EMPTY = ContentId.of(new byte[0]);

  private void emit(byte kind, byte[] id, byte order, byte[] record, Context context)
      throws IOException, InterruptedException {
    outKey.set(kind, id, order);
    outValue.set(record, 0, record.length);
    context.write(outKey, outValue);
  }
}
