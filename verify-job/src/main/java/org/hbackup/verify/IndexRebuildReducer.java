package org.hbackup.verify;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;

import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FSDataOutputStream;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.apache.hadoop.io.BytesWritable;
import org.apache.hadoop.io.NullWritable;
import org.hbackup.common.DamageException;
import org.hbackup.common.id.ContentId;
import org.hbackup.common.index.IndexEntry;
import org.hbackup.common.index.IndexWriter;
import org.hbackup.common.compress.BlobCodec;
import org.hbackup.common.pack.TaskPacks;
import org.hbackup.common.io.FileSystems;
import org.hbackup.common.repo.ChunkReader;
import org.hbackup.common.repo.Repository;
import org.hbackup.common.repo.RepositoryLayout;
import org.hbackup.job.RecordingReducer;

/**
 * Writes the new index of {@code repair index}, one reducer: the pack trailers' rows and the old
 * index's rows arrive by chunk id, and each chunk gets one row: of a blob read and found good,
 * else of one not read, else of one in a pack a damage record names; never of a blob found
 * damaged (with --read-data, only blobs that were read and check out). A chunk that no trailer
 * lists keeps an old index row whose blob reads back as the chunk, read and checked here as a
 * restore reads it: a pack whose trailer is lost (a truncated pack, a flipped footer) still holds
 * blobs that a restore reads through the old rows, and dropping those rows would lose them for
 * good; each such blob is copied into a new pack (staged beside the index, published before it),
 * so that the new index names only packs whose trailers vouch for their rows. Packs found missing
 * or damaged are counted. The file is staged under its SHA-256 for the
 * driver to publish. Memory: the new index's Bloom filter (about 1.2 bytes per chunk), the old
 * rows of one chunk, the few packs a {@link ChunkReader} keeps open (no index: it reads by place)
 * and the trailer of the salvage pack being written.
 */
public class IndexRebuildReducer extends RecordingReducer<VerifyKey, BytesWritable, NullWritable, NullWritable> {
  /** Where the driver wants the new index file staged. */
  static final String STAGING = "hbackup.repair.index.staging";
  /** The staging's directory of salvaged packs. */
  static final String PACKS = "packs";
  /** How many rows to size the Bloom filter for. */
  static final String EXPECTED_ROWS = "hbackup.repair.index.expected.rows";
  /** Counters of the rebuild. */
  public enum Rows {
    /** Rows written into the new index. */
    WRITTEN,
    /** Chunks left out: every copy of them is in a damaged blob or pack. */
    DROPPED,
    /** Chunks no trailer lists, kept by an old index row whose blob was read and checked. */
    SALVAGED,
    /** Damage records removed: --read-data read every blob of their pack back whole. */
    RECORDS_REMOVED
  }

  /** Set when every pack is read and the repair is not a dry run: records of whole packs go. */
  static final String REMOVE_RECORDS = "hbackup.repair.index.remove.records";
  /** Packs with damage records, when {@link #REMOVE_RECORDS}: one id per damaged pack. */
  private java.util.Set<org.hbackup.common.id.PackId> recorded = java.util.Set.of();
  private Repository repository;

  private FileSystem fs;
  private Path staging;
  private FSDataOutputStream stream;
  private IndexWriter writer;
  private Configuration conf;
  /** Opened for the first chunk that only old index rows name. */
  private ChunkReader salvager;
  /** Salvaged blobs, encoded again into new packs that {@code repair index} publishes first. */
  private TaskPacks salvagedPacks;
  private BlobCodec codec;

  @Override
  protected void setup(Context context) throws IOException {
    conf = context.getConfiguration();
    if (conf.getBoolean(REMOVE_RECORDS, false)) {
      repository = Repository.open(new Path(conf.get(VerifyConfigKeys.REPOSITORY)), conf);
      recorded = org.hbackup.common.repo.DamageRecords.load(repository);
    }
    staging = new Path(conf.get(STAGING));
    fs = FileSystems.raw(staging, conf);
    // An earlier attempt's salvage packs are not this attempt's: the driver publishes every pack
    // in the folder, and a killed attempt's last one has no trailer.
    fs.delete(new Path(staging, PACKS), true);
    stream = FileSystems.createOwnerOnly(fs, new Path(staging, "index.partial"), true);
    writer = new IndexWriter(stream, conf.getLong(EXPECTED_ROWS, 1000));
  }

  @Override
  protected void reduce(VerifyKey key, Iterable<BytesWritable> values, Context context)
      throws IOException, InterruptedException {
    if (key.kind() == VerifyKey.PACK) {
      for (BytesWritable value : values) {
        VerifyRecord r = VerifyRecord.decode(value.getBytes(), value.getLength());
        if (r.tag == VerifyRecord.PACK_STATE && r.state == 1) {
          context.getCounter(VerifyCounters.DAMAGED_PACKS).increment(1);
        } else if (r.tag == VerifyRecord.PACK_STATE) {
          removeRecordOfWholePack(org.hbackup.common.id.PackId.copyOf(key.bytes(), 0), context);
        }
      }
      return;
    }
    ContentId chunk = ContentId.wrap(key.bytes().clone());
    VerifyRecord best = null;
    List<VerifyRecord> oldRows = new ArrayList<>(1);
    List<VerifyRecord> badBlobs = new ArrayList<>(0);
    List<VerifyRecord> trailerRows = new ArrayList<>(1);
    for (BytesWritable value : values) {
      VerifyRecord r = VerifyRecord.decode(value.getBytes(), value.getLength());
      if (r.tag == VerifyRecord.TRAILER_ROW && trailerRows.size() < MAX_TRAILER_ROWS) {
        trailerRows.add(r);
      }
      if (r.tag == VerifyRecord.TRAILER_ROW && rank(r.state) > (best == null ? -1 : rank(best.state))) {
        best = r;
      } else if (r.tag == VerifyRecord.TRAILER_ROW) {
        badBlobs.add(r);
      } else if (r.tag == VerifyRecord.INDEX_ROW && oldRows.size() < MAX_OLD_ROWS) {
        oldRows.add(r);
      }
    }
    VerifyRecord preferred = best;
    if (best != null && best.state != VerifyRecord.BLOB_OK && anyUnvouched(oldRows, trailerRows)) {
      best = firstThatReadsBack(chunk, trailerRows, badBlobs);
    }
    IndexEntry row = best != null ? new IndexEntry(chunk, best.pack, best.offset, best.storedLength, best.rawLength)
        : salvage(chunk, oldRows, badBlobs, context);
    if (row == null && preferred != null) {
      // Nothing read back now (a DataNode down during the repair reads as damage too): the row it
      // would have kept before stays, rather than a chunk dropped for a failure that may mend.
      row = new IndexEntry(chunk, preferred.pack, preferred.offset, preferred.storedLength, preferred.rawLength);
    }
    if (row == null) {
      context.getCounter(Rows.DROPPED).increment(1);
      return;
    }
    writer.add(row);
    context.getCounter(Rows.WRITTEN).increment(1);
  }

  /**
   * A pack a damage record names that was just read back whole (every blob decoded to its id)
   * had a failure that has since mended (a replica HDFS replaced, a read error of a disk): its
   * record goes, so that backups reuse its chunks again and verify stops reporting it.
   */
  private void removeRecordOfWholePack(org.hbackup.common.id.PackId pack, Context context) throws IOException {
    if (recorded.contains(pack) && repository.fileSystem().delete(new Path(
        org.hbackup.common.repo.DamageRecords.directory(repository), pack.toHex() + RepositoryLayout.JSON_SUFFIX), false)) {
      context.getCounter(Rows.RECORDS_REMOVED).increment(1);
    }
  }

  /**
   * Whether an old index row names a blob no trailer row lists (its pack's trailer is damaged or
   * the pack is gone): a restore may read the chunk there today. Keeping a trailer's copy unread
   * then dropped that path, and when the trailer's copy was itself damaged, both points that
   * restored before the repair failed after it (found by a probe).
   */
  private static boolean anyUnvouched(List<VerifyRecord> oldRows, List<VerifyRecord> trailerRows) {
    for (VerifyRecord r : oldRows) {
      if (trailerRows.stream().noneMatch(t -> t.pack.equals(r.pack) && t.offset == r.offset)) {
        return true;
      }
    }
    return false;
  }

  /**
   * The best-ranked trailer copy whose blob reads back as the chunk, read and checked as a
   * restore reads it; null when none does (each that does not is added to {@code badBlobs}, and
   * the old rows are tried next).
   */
  private VerifyRecord firstThatReadsBack(ContentId chunk, List<VerifyRecord> trailerRows, List<VerifyRecord> badBlobs)
      throws IOException {
    List<VerifyRecord> ranked = new ArrayList<>(trailerRows);
    ranked.sort((a, b) -> Integer.compare(rank(b.state), rank(a.state)));
    for (VerifyRecord t : ranked) {
      if (rank(t.state) < 0) {
        continue;
      }
      try {
        openSalvager().readAt(new IndexEntry(chunk, t.pack, t.offset, t.storedLength, t.rawLength));
        return t;
      } catch (DamageException e) {
        badBlobs.add(t);
      }
    }
    return null;
  }

  /** Trailer copies of one chunk remembered to tell old rows no trailer lists: copies are few. */
  private static final int MAX_TRAILER_ROWS = 1024;

  /** Old rows of one chunk tried at most: as many index files as name it, bounded. */
  private static final int MAX_OLD_ROWS = 16;

  /**
   * The first old index row of a chunk no trailer lists whose blob reads back as the chunk (not
   * one where the trailer pass already found the blob bad), or null.
   */
  private IndexEntry salvage(ContentId chunk, List<VerifyRecord> oldRows, List<VerifyRecord> badBlobs,
      Context context) throws IOException {
    for (VerifyRecord r : oldRows) {
      if (badBlobs.stream().anyMatch(b -> b.pack.equals(r.pack) && b.offset == r.offset)) {
        continue;
      }
      IndexEntry candidate = new IndexEntry(chunk, r.pack, r.offset, r.storedLength, r.rawLength);
      try {
        byte[] data = openSalvager().readAt(candidate);
        // Copied into a new pack: the old one's trailer cannot be read, so verify could not vouch
        // for a row there and prune would delete the pack as damaged.
        byte[] blob = codec.encode(data, 0, data.length);
        TaskPacks.PackedBlob packed = salvagedPacks.add(chunk, blob, codec.encodedLength(), data.length);
        context.getCounter(Rows.SALVAGED).increment(1);
        return new IndexEntry(chunk, packed.pack, packed.entry.offset(), packed.entry.storedLength(), data.length);
      } catch (DamageException e) {
        // Missing pack, damaged blob: this copy is gone; another old row may name a good one.
      }
      context.progress();
    }
    return null;
  }

  private ChunkReader openSalvager() throws IOException {
    if (salvager == null) {
      Repository repo = Repository.open(new Path(conf.get(VerifyConfigKeys.REPOSITORY)), conf);
      salvager = ChunkReader.withoutIndex(repo, conf, conf.getBoolean(VerifyConfigKeys.RECORD_DAMAGE, true));
      codec = new BlobCodec(repo.config().compression(), repo.config().compressionLevel(), conf);
      salvagedPacks = new TaskPacks(fs, new Path(staging, PACKS), repo.config().packSize());
    }
    return salvager;
  }

  /**
   * Which copy of a chunk the index names: one read and found good, else one not read, else one
   * in a pack a damage record names (the copy restore would otherwise fail on while a good one
   * exists); never a blob found damaged (-1).
   */
  static int rank(byte blobState) {
    return switch (blobState) {
      case VerifyRecord.BLOB_OK -> 3;
      case VerifyRecord.BLOB_UNREAD -> 2;
      case VerifyRecord.BLOB_SUSPECT -> 1;
      case VerifyRecord.BLOB_RECORDED_BAD -> 0;
      default -> -1;
    };
  }

  @Override
  protected void cleanup(Context context) throws IOException {
    if (salvager != null) {
      salvagedPacks.close(); // synced before the index that names them is even staged
      salvager.close();
      codec.close();
    }
    ContentId name = writer.finish();
    FileSystems.sync(stream);
    writer.close();
    FileSystems.renameNew(fs, new Path(staging, "index.partial"),
        new Path(staging, name.toHex() + RepositoryLayout.INDEX_SUFFIX));
  }
}
