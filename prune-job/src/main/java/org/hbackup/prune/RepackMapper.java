package org.hbackup.prune;

import java.io.IOException;

import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FSDataInputStream;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.apache.hadoop.io.BytesWritable;
import org.apache.hadoop.io.Text;
import org.apache.hadoop.mapreduce.lib.output.FileOutputFormat;
import org.apache.hadoop.mapreduce.lib.output.MultipleOutputs;
import org.hbackup.common.DamageException;
import org.hbackup.common.UnsupportedFormatVersionException;
import org.hbackup.common.compress.BlobCodec;
import org.hbackup.common.chunk.ChunkerParameters;
import org.hbackup.common.id.ContentId;
import org.hbackup.common.id.PackId;
import org.hbackup.common.io.FileSystems;
import org.hbackup.common.io.ReadFailures;
import org.hbackup.common.pack.PackReader;
import org.hbackup.common.pack.TaskPacks;
import org.hbackup.common.repo.DamageRecords;
import org.hbackup.common.repo.Repository;
import org.hbackup.common.repo.RepositoryLayout;
import org.hbackup.job.RecordingMapper;
import org.hbackup.verify.VerifyKey;

/**
 * The repack of prune: copies the used blobs of each pack to rewrite into new packs, as they are
 * stored (never compressed again), each checked on the way (decoded, its SHA-256 compared with
 * its chunk id: a damaged blob is never copied, so damage never spreads into a new pack), and
 * sends a row of the new index for each. New packs are written in the task attempt's directory
 * and reach the staging directory only when the attempt commits. A blob that does not read back is
 * recorded and is a problem that stops the prune before it deletes anything. The rows go through
 * the shuffle of the job that writes the new index ({@link IndexReducer}), so that the index names
 * the packs of the attempts that committed. Memory: one blob and the trailer of the pack being
 * written.
 */
public class RepackMapper extends RecordingMapper<Text, BytesWritable, VerifyKey, BytesWritable> {
  private Repository repository;
  private FileSystem fs;
  private BlobCodec codec;
  private TaskPacks packs;
  private MultipleOutputs<VerifyKey, BytesWritable> outputs;
  private byte[] buffer = new byte[0];
  private final VerifyKey outKey = new VerifyKey();
  private final BytesWritable outValue = new BytesWritable();

  @Override
  protected void setup(Context context) throws IOException, InterruptedException {
    Configuration conf = context.getConfiguration();
    repository = Repository.open(new Path(conf.get(PruneConfigKeys.REPOSITORY)), conf);
    fs = repository.fileSystem();
    codec = new BlobCodec(repository.config().compression(), repository.config().compressionLevel(), conf);
    Path dir = FileOutputFormat.getWorkOutputPath(context);
    packs = new TaskPacks(FileSystems.raw(dir, conf), dir, repository.config().packSize());
    outputs = new MultipleOutputs<>(context);
  }

  @Override
  protected void map(Text key, BytesWritable value, Context context) throws IOException, InterruptedException {
    Path path = new Path(key.toString());
    String name = path.getName();
    PackId id = PackId.parse(name.substring(0, name.length() - RepositoryLayout.PACK_SUFFIX.length()));
    long length = fs.getFileStatus(path).getLen();
    try (FSDataInputStream in = org.hbackup.common.io.RegularFiles.open(fs, path); PackReader pack = new PackReader(in, length, path.toString())) {
      for (PruneRecord.Blob b : PruneRecord.readBlobs(value.getBytes(), value.getLength())) {
        copy(id, pack, b, context);
        context.progress();
      }
    } catch (DamageException | UnsupportedFormatVersionException e) {
      problem(id, null, e.getMessage(), context);
    } catch (IOException e) {
      DamageException damage = ReadFailures.asDamage(e, path.toString());
      if (damage == null) {
        throw e;
      }
      problem(id, null, damage.getMessage(), context);
    }
  }

  private void copy(PackId id, PackReader pack, PruneRecord.Blob b, Context context)
      throws IOException, InterruptedException {
    if (ChunkerParameters.exceedsAnyChunk(b.rawLength(), b.storedLength())) {
      problem(id, b.chunk(), "blob at " + b.offset() + " is longer than the largest chunk a writer makes", context);
      return;
    }
    if (buffer.length < b.storedLength()) {
      buffer = new byte[Math.max(b.storedLength(), buffer.length * 2)];
    }
    String why = null;
    try {
      pack.readBlob(b.offset(), b.storedLength(), buffer);
    } catch (IOException e) {
      DamageException damage = e instanceof DamageException ? (DamageException) e
          : ReadFailures.asDamage(e, repository.layout().pack(id).toString());
      if (damage == null) {
        throw e;
      }
      why = "blob at " + b.offset() + " cannot be read: " + damage.getMessage();
    }
    if (why == null) {
      try {
        ContentId actual = codec.decodedId(buffer, 0, b.storedLength(), b.rawLength());
        if (!actual.equals(b.chunk())) {
          why = "blob at " + b.offset() + " reads back as " + actual;
        }
      } catch (IOException | RuntimeException e) {
        why = "blob at " + b.offset() + " cannot be decoded: " + e.getMessage();
      }
    }
    if (why != null) {
      problem(id, b.chunk(), why, context);
      return;
    }
    TaskPacks.PackedBlob packed = packs.add(b.chunk(), buffer, b.storedLength(), b.rawLength());
    context.getCounter(PruneCounters.BLOBS_COPIED).increment(1);
    org.hbackup.common.CrashPoints.reached(context.getConfiguration(), "prune.repack");
    context.getCounter(PruneCounters.BYTES_COPIED).increment(b.storedLength());
    byte[] row = PruneRecord.row(packed.pack, packed.entry.offset(), packed.entry.storedLength(),
        packed.entry.rawLength(), true);
    outKey.set(VerifyKey.CHUNK, b.chunk().bytes(), (byte) 0);
    outValue.set(row, 0, row.length);
    context.write(outKey, outValue);
  }

  private void problem(PackId pack, ContentId chunk, String why, Context context)
      throws IOException, InterruptedException {
    DamageRecords.record(repository, pack, chunk, why);
    context.getCounter(PruneCounters.PROBLEMS).increment(1);
    outputs.write(PruneJob.PROBLEMS, new Text(repository.layout().pack(pack).toString()),
        new Text(chunk == null ? why : "chunk " + chunk + ": " + why), PruneJob.PROBLEMS + "/part");
  }

  @Override
  protected void cleanup(Context context) throws IOException, InterruptedException {
    packs.close();
    context.getCounter(PruneCounters.PACKS_WRITTEN).increment(packs.packsWritten());
    outputs.close();
    codec.close();
  }
}
