package org.hbackup.prune;

import java.io.IOException;
import java.util.HashSet;
import java.util.Set;

import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FSDataInputStream;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.apache.hadoop.io.BytesWritable;
import org.apache.hadoop.io.Text;
import org.hbackup.common.DamageException;
import org.hbackup.common.UnsupportedFormatVersionException;
import org.hbackup.common.id.PackId;
import org.hbackup.common.index.IndexFileReader;
import org.hbackup.common.io.RegularFiles;
import org.hbackup.common.repo.Repository;
import org.hbackup.job.RecordingMapper;
import org.hbackup.verify.VerifyKey;

/**
 * Reads each index file younger than the grace period, which prune keeps (its writer may still
 * be publishing the point it belongs to), and marks every pack it names: prune keeps such a pack
 * whole, as it keeps a young pack. Deleted or rewritten, the pack left the kept index file's rows
 * dangling, and verify reported damage (exit 3) after two prunes within the grace period (the
 * second deleted packs the first one's new index named; found by a probe). Memory: at most
 * {@link #MAX_PACKS_HELD} pack ids. Young index files are few, and small but for those a prune or a
 * repair wrote in the last grace period, which a task reads whole.
 */
public class YoungIndexMapper extends RecordingMapper<Text, BytesWritable, VerifyKey, BytesWritable> {
  private FileSystem fs;
  private final VerifyKey outKey = new VerifyKey();
  private final BytesWritable outValue = new BytesWritable();

  @Override
  protected void setup(Context context) throws IOException {
    Configuration conf = context.getConfiguration();
    fs = Repository.open(new Path(conf.get(PruneConfigKeys.REPOSITORY)), conf).fileSystem();
  }

  @Override
  protected void map(Text key, BytesWritable value, Context context) throws IOException, InterruptedException {
    Path path = new Path(key.toString());
    PruneRecord file = PruneRecord.decode(value.getBytes(), value.getLength());
    Set<PackId> named = new HashSet<>();
    try (FSDataInputStream stream = RegularFiles.open(fs, path);
         IndexFileReader reader = new IndexFileReader(stream, file.length, path.toString())) {
      for (long i = 0; i < reader.entries(); i++) {
        if (named.add(reader.entry(i).packId()) && named.size() == MAX_PACKS_HELD) {
          emit(named, path, context);
        }
      }
    } catch (java.io.FileNotFoundException e) {
      return; // replaced since the listing
    } catch (DamageException | UnsupportedFormatVersionException e) {
      return; // names nothing a restore can use
    }
    emit(named, path, context);
  }

  /**
   * The most distinct packs held before they are sent: an index file a prune or a repair wrote
   * names nearly every pack. A pack sent twice is marked twice, which changes nothing.
   */
  static final int MAX_PACKS_HELD = 65_536;

  private void emit(Set<PackId> named, Path indexFile, Context context) throws IOException, InterruptedException {
    byte[] record = PruneRecord.youngIndex(indexFile.getName());
    for (PackId pack : named) {
      outKey.set(VerifyKey.PACK, pack.bytes(), (byte) 0);
      outValue.set(record, 0, record.length);
      context.write(outKey, outValue);
    }
    named.clear();
  }
}
