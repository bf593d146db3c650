package org.hbackup.prune;

import java.io.FileNotFoundException;
import java.io.IOException;

import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.apache.hadoop.io.BytesWritable;
import org.apache.hadoop.io.Text;
import org.hbackup.common.DamageException;
import org.hbackup.common.UnsupportedFormatVersionException;
import org.hbackup.common.id.PackId;
import org.hbackup.common.io.ReadFailures;
import org.hbackup.common.pack.PackEntry;
import org.hbackup.common.pack.PackReader;
import org.hbackup.common.repo.DamageRecords;
import org.hbackup.common.repo.Repository;
import org.hbackup.common.repo.RepositoryLayout;
import org.hbackup.job.RecordingMapper;
import org.hbackup.verify.VerifyKey;

/**
 * Reads each listed pack's header and trailer (checked: id, trailer checksum, blobs that tile
 * the pack) and sends every blob it lists as a copy of its chunk, and the pack's length, time and
 * state under the pack. The trailer, not the index, says what a pack holds: a chunk is kept only
 * where its bytes really are. A damaged pack is recorded (FORMAT.md, "Damage records") and sends
 * no copies; the copies of a pack a damage record names rank below every other copy. Memory: one
 * pack's trailer, and the ids of the packs damage records name.
 */
public class PackTrailerMapper extends RecordingMapper<Text, BytesWritable, VerifyKey, BytesWritable> {
  private Repository repository;
  private FileSystem fs;
  /** Packs a damage record names: their copies are used only when there is no other. */
  private java.util.Set<PackId> suspect;
  private final VerifyKey outKey = new VerifyKey();
  private final BytesWritable outValue = new BytesWritable();

  @Override
  protected void setup(Context context) throws IOException {
    Configuration conf = context.getConfiguration();
    repository = Repository.open(new Path(conf.get(PruneConfigKeys.REPOSITORY)), conf);
    fs = repository.fileSystem();
    suspect = DamageRecords.load(repository);
  }

  @Override
  protected void map(Text key, BytesWritable value, Context context) throws IOException, InterruptedException {
    Path path = new Path(key.toString());
    String name = path.getName();
    PackId id = PackId.parse(name.substring(0, name.length() - RepositoryLayout.PACK_SUFFIX.length()));
    PruneRecord file = PruneRecord.decode(value.getBytes(), value.getLength());
    String problem;
    try (PackReader pack = new PackReader(org.hbackup.common.io.RegularFiles.open(fs, path), file.length, path.toString())) {
      if (!pack.id().equals(id)) {
        throw new DamageException(path + ": the pack's header names pack " + pack.id());
      }
      int blobs = 0;
      boolean recorded = suspect.contains(id);
      // The chunks reducer keeps the copy in the newest pack: a recorded pack's copies rank last.
      long rank = recorded ? Long.MIN_VALUE : file.mtime;
      for (PackEntry e : pack.entries()) {
        emit(VerifyKey.CHUNK, e.chunkId().bytes(),
            PruneRecord.copy(id, e.offset(), e.storedLength(), e.rawLength(), rank), context);
        blobs++;
      }
      emit(VerifyKey.PACK, id.bytes(), PruneRecord.packInfo(file.length, file.mtime, blobs, false, recorded, null),
          context);
      return;
    } catch (FileNotFoundException e) {
      return; // deleted since the listing (by an earlier prune that was stopped): nothing to keep
    } catch (DamageException | UnsupportedFormatVersionException e) {
      problem = e.getMessage();
    } catch (IOException e) {
      DamageException damage = ReadFailures.asDamage(e, path.toString());
      if (damage == null) {
        throw e;
      }
      problem = damage.getMessage();
    }
    if (context.getConfiguration().getBoolean(PruneConfigKeys.RECORD_DAMAGE, true)) {
      DamageRecords.record(repository, id, null, problem); // not by a dry run, which changes nothing
    }
    emit(VerifyKey.PACK, id.bytes(), PruneRecord.packInfo(file.length, file.mtime, 0, true, true, problem), context);
  }

  private void emit(byte kind, byte[] id, byte[] record, Context context) throws IOException, InterruptedException {
    outKey.set(kind, id, (byte) 0);
    outValue.set(record, 0, record.length);
    context.write(outKey, outValue);
  }
}
