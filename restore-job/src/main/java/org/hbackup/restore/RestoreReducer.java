package org.hbackup.restore;

import java.io.IOException;
import java.nio.charset.StandardCharsets;

import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.apache.hadoop.io.BytesWritable;
import org.apache.hadoop.io.Text;
import org.apache.hadoop.mapreduce.Reducer;
import org.hbackup.common.io.FileSystems;
import org.hbackup.common.manifest.ManifestEntry;
import org.hbackup.common.manifest.ManifestEntryCodec;
import org.hbackup.common.manifest.RelativePaths;

/**
 * Applies directory metadata after all contents are written (the shuffle runs after every map
 * task finished, and delivers directories deepest first), and writes the report of failed files
 * as (path, reason) lines. Memory: one entry at a time.
 */
public class RestoreReducer extends Reducer<RestoreKey, BytesWritable, Text, Text> {
  private Path target;
  private FileSystem fs;
  private final Text outPath = new Text();
  private final Text outReason = new Text();

  @Override
  protected void setup(Context context) throws IOException {
    target = RestoreOptions.readFrom(context.getConfiguration()).target();
    fs = FileSystems.raw(target, context.getConfiguration());
  }

  @Override
  protected void reduce(RestoreKey key, Iterable<BytesWritable> values, Context context)
      throws IOException, InterruptedException {
    for (BytesWritable value : values) {
      if (key.kind() == RestoreKey.FAILURE) {
        outPath.set(key.path());
        outReason.set(new String(value.getBytes(), 0, value.getLength(), StandardCharsets.UTF_8));
        context.write(outPath, outReason);
      } else {
        ManifestEntry e = ManifestEntryCodec.fromBytes(value.getBytes(), 0, value.getLength(), "shuffle");
        Path dir = RelativePaths.resolve(target, e.path());
        if (!EntryMetadata.apply(fs, dir, e)) {
          context.getCounter(RestoreCounters.OWNERSHIP_NOT_APPLIED).increment(1);
        }
        context.getCounter(RestoreCounters.DIRECTORIES).increment(1);
      }
    }
  }
}
