package org.hbackup.verify;

import java.io.BufferedInputStream;
import java.io.DataInputStream;
import java.io.FileNotFoundException;
import java.io.IOException;
import java.util.Arrays;

import com.google.common.cache.Cache;
import com.google.common.cache.CacheBuilder;
import com.google.common.hash.Hashing;
import com.google.common.hash.HashingInputStream;
import com.google.common.io.ByteStreams;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.FSDataInputStream;
import org.apache.hadoop.fs.Path;
import org.apache.hadoop.io.BytesWritable;
import org.apache.hadoop.io.LongWritable;
import org.apache.hadoop.io.Text;
import org.apache.hadoop.mapreduce.lib.output.MultipleOutputs;
import org.hbackup.common.DamageException;
import org.hbackup.common.UnsupportedFormatVersionException;
import org.hbackup.common.id.ContentId;
import org.hbackup.common.id.PackId;
import org.hbackup.common.index.IndexEntry;
import org.hbackup.common.index.IndexFileReader;
import org.hbackup.common.io.ReadFailures;
import org.hbackup.common.repo.Repository;
import org.hbackup.common.repo.RepositoryLayout;
import org.hbackup.job.RecordingMapper;

/**
 * Reads index files whole: the structure a reader relies on (header, footer, fanout, Bloom
 * filter, through {@link IndexFileReader}, which is what decides whether a restore uses the file
 * at all), rows in strictly increasing chunk-id order that add up to the fanout, a Bloom filter
 * that admits every row's chunk id (a row it turns away is not sent: no lookup finds it), and
 * the file's SHA-256 against its name. Sends each row under its chunk id for the join with the packs'
 * trailers, and each pack a file names under the pack's id. A damaged file is reported; its rows
 * are still joined when a restore would read them. Memory: the file's Bloom filter and the ids of
 * the last 10,000 packs named.
 */
public class IndexRowsMapper extends RecordingMapper<Text, LongWritable, VerifyKey, BytesWritable> {
  private FileSystem fs;
  private MultipleOutputs<VerifyKey, BytesWritable> outputs;
  private final VerifyKey outKey = new VerifyKey();
  private final BytesWritable outValue = new BytesWritable();
  /** Packs recently sent as named, so that a file's thousands of rows name each pack about once. */
  private final Cache<PackId, Boolean> sent = CacheBuilder.newBuilder().maximumSize(10_000).build();

  @Override
  protected void setup(Context context) throws IOException {
    Configuration conf = context.getConfiguration();
    fs = Repository.open(new Path(conf.get(VerifyConfigKeys.REPOSITORY)), conf).fileSystem();
    outputs = new MultipleOutputs<>(context);
  }

  @Override
  protected void map(Text key, LongWritable length, Context context) throws IOException, InterruptedException {
    Path path = new Path(key.toString());
    String name = path.getName();
    ContentId expected = ContentId.parse(name.substring(0, name.length() - RepositoryLayout.INDEX_SUFFIX.length()));
    context.getCounter(VerifyCounters.INDEX_FILES).increment(1);
    String problem;
    try {
      problem = check(path, length.get(), expected, context);
    } catch (FileNotFoundException e) {
      return; // removed since the listing
    } catch (IOException e) {
      DamageException damage = ReadFailures.asDamage(e, path.toString());
      if (damage == null) {
        throw e;
      }
      problem = damage.getMessage();
    }
    if (problem != null) {
      context.getCounter(VerifyCounters.DAMAGED_INDEX_FILES).increment(1);
      outputs.write(VerifyJob.DAMAGE, new Text(path.toString()), new Text(problem), VerifyJob.DAMAGE + "/part");
    }
  }

  /** Checks one index file, sending its rows when a restore would use it; returns its damage, or null. */
  private String check(Path path, long length, ContentId expected, Context context)
      throws IOException, InterruptedException {
    try {
      org.hbackup.common.io.RegularFiles.requireRegular(fs, path);
    } catch (DamageException e) {
      return e.getMessage();
    }
    long entries = -1;
    String problem = null;
    IndexFileReader filter = null;
    // The stream apart: a reader whose constructor refuses the file has not taken it over.
    try (FSDataInputStream stream = org.hbackup.common.io.RegularFiles.open(fs, path);
         IndexFileReader reader = new IndexFileReader(stream, length, path.toString())) {
      entries = reader.entries();
      filter = reader; // its Bloom filter is in memory, and stays usable once the file is closed
    } catch (DamageException | UnsupportedFormatVersionException e) {
      problem = e.getMessage();
    }
    boolean openable = entries >= 0;
    long[] counts = new long[256];
    byte[] previous = new byte[ContentId.LENGTH];
    byte[] row = new byte[IndexEntry.LENGTH];
    try (HashingInputStream hashing = new HashingInputStream(Hashing.sha256(),
        new BufferedInputStream(org.hbackup.common.io.RegularFiles.open(fs, path), 1 << 16));
         DataInputStream in = new DataInputStream(hashing)) {
      // Read, never skipped: skipped bytes would not be hashed.
      in.readFully(new byte[8]);
      long read = 8;
      for (long i = 0; i < entries; i++) {
        in.readFully(row);
        if (i > 0 && Arrays.compareUnsigned(previous, 0, 32, row, 0, 32) >= 0 && problem == null) {
          problem = path + ": rows are not in strictly increasing chunk-id order at row " + i;
        }
        System.arraycopy(row, 0, previous, 0, ContentId.LENGTH);
        counts[row[0] & 0xff]++;
        IndexEntry entry = IndexEntry.fromBytes(row, 0);
        if (filter.filterAdmits(entry.chunkId())) {
          sendRow(entry, path.getName(), context);
        } else if (problem == null) {
          // Not sent: a restore never reaches this row, so its chunk counts as not indexed here.
          problem = path + ": its Bloom filter turns away chunk " + entry.chunkId() + " of row " + i
              + " (lookups would not find it)";
        }
      }
      read += Math.max(0, entries) * IndexEntry.LENGTH;
      if (openable) {
        long cumulative = 0;
        for (int b = 0; b < 256; b++) {
          cumulative += counts[b];
          if (in.readLong() != cumulative && problem == null) {
            problem = path + ": the fanout table does not count the rows";
          }
        }
        read += 2048;
      }
      ByteStreams.exhaust(in);
      ContentId actual = ContentId.wrap(hashing.hash().asBytes());
      if (!actual.equals(expected) && problem == null) {
        problem = path + ": content does not match its name (SHA-256 " + actual + ")";
      }
    }
    context.getCounter(VerifyCounters.INDEX_ROWS).increment(Math.max(0, entries));
    return problem;
  }

  private void sendRow(IndexEntry e, String file, Context context) throws IOException, InterruptedException {
    emit(VerifyKey.CHUNK, e.chunkId().bytes(),
        VerifyRecord.indexRow(e.packId(), e.offset(), e.storedLength(), e.rawLength(), file), context);
    if (sent.getIfPresent(e.packId()) == null) {
      sent.put(e.packId(), Boolean.TRUE);
      emit(VerifyKey.PACK, e.packId().bytes(), VerifyRecord.indexed(file), context);
    }
  }

  private void emit(byte kind, byte[] id, byte[] record, Context context) throws IOException, InterruptedException {
    outKey.set(kind, id, (byte) 0);
    outValue.set(record, 0, record.length);
    context.write(outKey, outValue);
  }

  @Override
  protected void cleanup(Context context) throws IOException, InterruptedException {
    outputs.close();
  }
}
