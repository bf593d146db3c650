package org.hbackup.backup;

import java.io.IOException;
import java.util.Iterator;

import com.fasterxml.jackson.databind.node.ObjectNode;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FSDataOutputStream;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.apache.hadoop.io.BytesWritable;
import org.apache.hadoop.io.NullWritable;
import org.apache.hadoop.mapreduce.Reducer;
import org.apache.hadoop.mapreduce.lib.output.FileOutputFormat;
import org.hbackup.common.id.ContentId;
import org.hbackup.common.id.PointId;
import org.hbackup.common.index.IndexEntry;
import org.hbackup.common.index.IndexWriter;
import org.hbackup.common.io.FileSystems;
import org.hbackup.common.io.Json;
import org.hbackup.common.manifest.ManifestEntry;
import org.hbackup.common.manifest.ManifestEntryCodec;
import org.hbackup.common.manifest.ManifestList;
import org.hbackup.common.manifest.ManifestWriter;
import org.hbackup.common.repo.RepositoryLayout;
import org.hbackup.common.repo.StagingLayout;

/**
 * Writes the point's index file (new chunks, by chunk id) and then its manifest (entries, by
 * path), both streamed from the sorted shuffle into the staging directory. Memory: the index's
 * Bloom filter (~1.2 bytes per new chunk) and one manifest segment.
 */
public class BackupReducer extends Reducer<BackupKey, BytesWritable, NullWritable, NullWritable> {
  private static final String PARTIAL_INDEX = "index.partial";

  private FileSystem fs;
  private StagingLayout staging;
  private IndexWriter index;
  private FSDataOutputStream indexStream;
  private boolean indexFinished;
  private ManifestWriter manifest;
  private long chunksNew;
  private long bytesNew;
  private long bytesStored;

  /** The attempt's work directory; the committer promotes it when the attempt succeeds. */
  protected Path workPath(Context context) throws IOException, InterruptedException {
    return FileOutputFormat.getWorkOutputPath(context);
  }

  @Override
  protected void setup(Context context) throws IOException, InterruptedException {
    Path work = workPath(context);
    staging = new StagingLayout(work);
    fs = FileSystems.raw(work, context.getConfiguration());
    manifest = new ManifestWriter((id, bytes, length) -> {
      try (FSDataOutputStream out = fs.create(
          new Path(staging.segmentsDir(), id.toHex() + RepositoryLayout.SEGMENT_SUFFIX), true)) {
        out.write(bytes, 0, length);
        out.hsync();
      }
    });
  }

  @Override
  protected void reduce(BackupKey key, Iterable<BytesWritable> values, Context context) throws IOException {
    Iterator<BytesWritable> it = values.iterator();
    BytesWritable first = it.next();
    if (key.kind() == BackupKey.INDEX) {
      // Two tasks may store the same new chunk; the first row wins and the other blob stays
      // unreferenced in its pack until prune reclaims it.
      addIndexRow(IndexEntry.fromBytes(first.getBytes(), 0), context.getConfiguration());
      return;
    }
    finishIndex();
    ManifestEntry entry = ManifestEntryCodec.fromBytes(first.getBytes(), 0, first.getLength(), "shuffle");
    if (it.hasNext()) {
      throw new IOException("the listing holds '" + entry.path() + "' more than once");
    }
    manifest.add(entry);
  }

  private void addIndexRow(IndexEntry row, Configuration conf) throws IOException {
    if (index == null) {
      indexStream = fs.create(new Path(staging.indexDir(), PARTIAL_INDEX), true);
      index = new IndexWriter(indexStream, conf.getLong(BackupConfigKeys.EXPECTED_CHUNKS, 1000));
    }
    index.add(row);
    chunksNew++;
    bytesNew += row.rawLength();
    bytesStored += row.storedLength();
  }

  private void finishIndex() throws IOException {
    if (indexFinished) {
      return;
    }
    indexFinished = true;
    if (index == null) {
      return;
    }
    ContentId name = index.finish();
    indexStream.hsync();
    index.close();
    Path partial = new Path(staging.indexDir(), PARTIAL_INDEX);
    FileSystems.renameNew(fs, partial, new Path(staging.indexDir(), name.toHex() + RepositoryLayout.INDEX_SUFFIX));
  }

  @Override
  protected void cleanup(Context context) throws IOException {
    finishIndex();
    PointId point = PointId.parse(context.getConfiguration().get(BackupConfigKeys.POINT));
    ManifestList list = manifest.finish(point);
    try (FSDataOutputStream out = fs.create(staging.manifest(), true)) {
      out.write(list.toJson());
      out.hsync();
    }
    ObjectNode stats = Json.object();
    stats.put(StagedStats.CHUNKS_NEW, chunksNew);
    stats.put(StagedStats.BYTES_NEW, bytesNew);
    stats.put(StagedStats.BYTES_STORED, bytesStored);
    try (FSDataOutputStream out = fs.create(new Path(staging.root(), StagedStats.FILE), true)) {
      out.write(Json.toBytes(stats));
      out.hsync();
    }
  }
}
