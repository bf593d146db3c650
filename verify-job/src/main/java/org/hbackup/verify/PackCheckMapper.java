package org.hbackup.verify;

import java.io.FileNotFoundException;
import java.io.IOException;
import java.util.List;

import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FSDataInputStream;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.apache.hadoop.io.BytesWritable;
import org.apache.hadoop.io.LongWritable;
import org.apache.hadoop.io.Text;
import org.hbackup.common.DamageException;
import org.hbackup.common.UnsupportedFormatVersionException;
import org.hbackup.common.compress.BlobCodec;
import org.hbackup.common.chunk.ChunkerParameters;
import org.hbackup.common.id.ContentId;
import org.hbackup.common.id.PackId;
import org.hbackup.common.io.ReadFailures;
import org.hbackup.common.pack.PackEntry;
import org.hbackup.common.pack.PackReader;
import org.hbackup.common.repo.DamageRecords;
import org.hbackup.common.repo.Repository;
import org.hbackup.common.repo.RepositoryLayout;
import org.hbackup.job.RecordingMapper;

/**
 * Checks the packs of one split: header (magic, version, reserved, id), footer, trailer checksum
 * and that the blobs tile the pack; with --read-data, also reads every blob in file order,
 * decodes it and checks its SHA-256 against its chunk id; a blob not read in a pack that a damage
 * record names is sent as suspect. Sends each pack's state under its id,
 * and each trailer row under its chunk id for the join with the index. A damaged pack is
 * recorded (FORMAT.md, "Damage records"), so that no backup reuses it. Memory: one pack's trailer
 * and one blob.
 */
public class PackCheckMapper extends RecordingMapper<Text, LongWritable, VerifyKey, BytesWritable> {
  private Repository repository;
  private FileSystem fs;
  private ReadData readData;
  private BlobCodec codec;
  /**
   * Packs with a damage record: reported as damaged unless read again (the record is read then,
   * once per such pack of the split), the recorded blob as bad, their other unread blobs as
   * suspect. Memory: one id per such pack.
   */
  private java.util.Set<PackId> suspect;
  private boolean recordDamage;
  private final VerifyKey outKey = new VerifyKey();
  private final BytesWritable outValue = new BytesWritable();
  /** One buffer for every blob this task reads. */
  private byte[] blob = new byte[0];

  @Override
  protected void setup(Context context) throws IOException {
    Configuration conf = context.getConfiguration();
    repository = Repository.open(new Path(conf.get(VerifyConfigKeys.REPOSITORY)), conf);
    fs = repository.fileSystem();
    readData = ReadData.readFrom(conf);
    codec = new BlobCodec(repository.config().compression(), repository.config().compressionLevel(), conf);
    suspect = DamageRecords.load(repository);
    recordDamage = conf.getBoolean(VerifyConfigKeys.RECORD_DAMAGE, true);
  }

  @Override
  protected void map(Text key, LongWritable length, Context context) throws IOException, InterruptedException {
    Path path = new Path(key.toString());
    String name = path.getName();
    PackId id = PackId.parse(name.substring(0, name.length() - RepositoryLayout.PACK_SUFFIX.length()));
    context.getCounter(VerifyCounters.PACKS).increment(1);
    List<PackEntry> entries;
    long bytesRead = 0;
    FSDataInputStream in;
    try {
      org.hbackup.common.io.RegularFiles.requireRegular(fs, path);
      in = org.hbackup.common.io.RegularFiles.open(fs, path);
    } catch (DamageException e) {
      record(id, null, e.getMessage());
      emit(VerifyKey.PACK, id.bytes(), VerifyRecord.packState(true, e.getMessage(), 0), context);
      return;
    } catch (FileNotFoundException e) {
      return; // removed since the listing: the reducer sees it as missing if an index names it
    }
    try (PackReader pack = new PackReader(in, length.get(), path.toString())) {
      if (!pack.id().equals(id)) {
        throw new DamageException(path + ": the pack's header names pack " + pack.id());
      }
      entries = pack.entries();
      boolean read = readData.reads(id);
      DamageRecords.Record recorded = read || !suspect.contains(id) ? null : DamageRecords.read(repository, id);
      String firstBad = null;
      int bad = 0;
      for (PackEntry e : entries) {
        byte blob = suspect.contains(id) ? VerifyRecord.BLOB_SUSPECT : VerifyRecord.BLOB_UNREAD;
        String why = null;
        if (recorded != null && e.chunkId().equals(recorded.chunk())) {
          blob = VerifyRecord.BLOB_RECORDED_BAD;
          why = recordedWhy(recorded);
        }
        if (read) {
          why = checkBlob(pack, e, path);
          blob = why == null ? VerifyRecord.BLOB_OK : VerifyRecord.BLOB_BAD;
          bytesRead += e.storedLength();
          context.getCounter(VerifyCounters.BLOBS_READ).increment(1);
          context.progress();
          if (why != null) {
            record(id, e.chunkId(), why);
            firstBad = firstBad == null ? why : firstBad;
            bad++;
          }
        }
        emit(VerifyKey.CHUNK, e.chunkId().bytes(), VerifyRecord.trailerRow(id, e.offset(), e.storedLength(),
            e.rawLength(), blob, why), context);
      }
      context.getCounter(VerifyCounters.BYTES_READ).increment(bytesRead);
      if (recorded != null) {
        // Not read again: what an earlier reader found stands until a --read-data says otherwise.
        emit(VerifyKey.PACK, id.bytes(), VerifyRecord.packState(true, recordedWhy(recorded), bytesRead), context);
        return;
      }
      emit(VerifyKey.PACK, id.bytes(), VerifyRecord.packState(bad > 0,
          bad == 0 ? null : bad + " of its " + entries.size() + " blobs do not read back; the first: " + firstBad,
          bytesRead), context);
    } catch (DamageException | UnsupportedFormatVersionException e) {
      record(id, null, e.getMessage());
      emit(VerifyKey.PACK, id.bytes(), VerifyRecord.packState(true, e.getMessage(), bytesRead), context);
    } catch (IOException e) {
      DamageException damage = ReadFailures.asDamage(e, path.toString());
      if (damage == null) {
        throw e;
      }
      record(id, null, damage.getMessage());
      emit(VerifyKey.PACK, id.bytes(), VerifyRecord.packState(true, damage.getMessage(), bytesRead), context);
    }
  }

  /** Records damage found, unless this is a dry run (which changes nothing). */
  private void record(PackId id, ContentId chunk, String why) {
    if (recordDamage) {
      DamageRecords.record(repository, id, chunk, why);
    }
  }

  private static String recordedWhy(DamageRecords.Record r) {
    return "a damage record (damage/" + r.pack().toHex() + ".json" + (r.detected().isEmpty() ? "" : ", " + r.detected())
        + ") says: " + r.reason() + "; 'verify --read-data' reads the pack again";
  }

  /** Why a blob does not read back as its chunk, or null when it does. */
  private String checkBlob(PackReader pack, PackEntry e, Path path) throws IOException {
    if (ChunkerParameters.exceedsAnyChunk(e.rawLength(), e.storedLength())) {
      // A trailer that says so is damaged, and is not trusted with the size of a buffer.
      return "blob of chunk " + e.chunkId() + " at " + e.offset() + " is longer (" + e.storedLength() + " stored, "
          + e.rawLength() + " raw) than the largest chunk a writer makes";
    }
    if (blob.length < e.storedLength()) {
      blob = new byte[Math.max(e.storedLength(), blob.length * 2)];
    }
    try {
      pack.readBlob(e.offset(), e.storedLength(), blob);
    } catch (IOException ex) {
      DamageException damage = ReadFailures.asDamage(ex, path.toString());
      if (damage == null) {
        throw ex;
      }
      return damage.getMessage();
    }
    ContentId actual;
    try {
      actual = codec.decodedId(blob, 0, e.storedLength(), e.rawLength());
    } catch (IOException | RuntimeException ex) {
      return "blob of chunk " + e.chunkId() + " at " + e.offset() + " cannot be decoded: " + ex.getMessage();
    }
    return actual.equals(e.chunkId()) ? null
        : "blob of chunk " + e.chunkId() + " at " + e.offset() + " reads back as " + actual;
  }

  private void emit(byte kind, byte[] id, byte[] record, Context context) throws IOException, InterruptedException {
    outKey.set(kind, id, (byte) 0);
    outValue.set(record, 0, record.length);
    context.write(outKey, outValue);
  }

  @Override
  protected void cleanup(Context context) {
    codec.close();
  }
}
