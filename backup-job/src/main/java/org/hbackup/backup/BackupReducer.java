package org.hbackup.backup;

import java.io.IOException;
import java.io.BufferedOutputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;

import com.fasterxml.jackson.databind.node.ObjectNode;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FSDataOutputStream;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.apache.hadoop.io.BytesWritable;
import org.apache.hadoop.io.NullWritable;
import org.apache.hadoop.mapreduce.lib.output.FileOutputFormat;
import org.hbackup.common.CrashPoints;
import org.hbackup.common.id.ContentId;
import org.hbackup.common.index.IndexEntry;
import org.hbackup.common.index.IndexWriter;
import org.hbackup.common.io.FileSystems;
import org.hbackup.common.io.Json;
import org.hbackup.common.manifest.ChangeKind;
import org.hbackup.common.manifest.ChangeListWriter;
import org.hbackup.common.manifest.ManifestEntry;
import org.hbackup.common.manifest.ManifestReader;
import org.hbackup.common.manifest.ManifestList;
import org.hbackup.common.manifest.ManifestWriter;
import org.hbackup.common.point.PointRecord;
import org.hbackup.common.repo.Repository;
import org.hbackup.common.repo.RepositoryLayout;
import org.hbackup.common.repo.StagingLayout;
import org.hbackup.job.RecordingReducer;

/**
 * Writes the point's index file (new chunks, by chunk id) and then its manifest (entries, by
 * path), both streamed from the sorted shuffle into the staging directory. With a base point it
 * also classifies every path against the base ({@link DeltaRecorder}) into the change list.
 * Memory: the index's Bloom filter (~1.2 bytes per new chunk), one manifest segment being written
 * and one base segment being read.
 */
public class BackupReducer extends RecordingReducer<BackupKey, BytesWritable, NullWritable, NullWritable> {
  private static final String PARTIAL_INDEX = "index.partial";

  private BackupSettings settings;
  private FileSystem fs;
  private StagingLayout staging;
  private IndexWriter index;
  private FSDataOutputStream indexStream;
  private boolean indexFinished;
  private SegmentStager segments;
  private ManifestWriter manifest;
  /** Null for a full backup: there is nothing to compare with. */
  private DeltaRecorder delta;
  /** The source entries left out of the point, or whose contents were, for the report. */
  private SkippedReport skipped;
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
    Configuration conf = context.getConfiguration();
    settings = BackupSettings.readFrom(conf);
    skipped = new SkippedReport(conf, settings);
    Repository repository = null;
    ManifestList baseList = null;
    if (settings.basePoint() != null) {
      repository = Repository.open(settings.repository(), conf);
      baseList = repository.readManifest(settings.basePoint());
      FSDataOutputStream file = FileSystems.createOwnerOnly(fs, staging.changes(), true);
      // The change list closes its stream when it ends: synced before the file is closed.
      OutputStream syncOnClose = FileSystems.syncedOnClose(file);
      delta = new DeltaRecorder(ManifestReader.all(repository::openSegment, baseList),
          new ChangeListWriter(new BufferedOutputStream(syncOnClose, 1 << 16)));
    }
    segments = new SegmentStager(fs, staging.segmentsDir(), repository, baseList);
    manifest = new ManifestWriter(segments);
  }

  @Override
  protected void reduce(BackupKey key, Iterable<BytesWritable> values, Context context) throws IOException {
    Iterator<BytesWritable> it = values.iterator();
    BytesWritable first = it.next();
    if (key.kind() == BackupKey.INDEX) {
      // Two tasks may store the same new chunk; the first row wins and the other blob stays
      // unreferenced in its pack until prune reclaims it.
      addIndexRow(IndexEntry.fromBytes(first.getBytes(), 0));
      return;
    }
    finishIndex();
    String path = new String(key.bytes(), StandardCharsets.UTF_8);
    ManifestEntry entry = null;
    String renamedFrom = null;
    List<ShuffleRecord> ranges = null;
    boolean unreadable = false;
    boolean changing = false;
    for (BytesWritable value = first; value != null; value = it.hasNext() ? it.next() : null) {
      ShuffleRecord record = ShuffleRecord.decode(value.getBytes(), value.getLength());
      if (record.isMovedAway()) {
        continue;
      }
      if (record.isSkipped()) {
        // Each range task of a file may find it unreadable; the report and the count name it once.
        // Children whose names cannot be recorded come under their directory's path, one record
        // each: each is named and counted (the second of a directory was neither).
        if (!unreadable || record.skippedBecause() == ShuffleRecord.UNRECORDABLE) {
          skipped.report(path, record);
          countSkipped(record.skippedBecause(), context);
        }
        unreadable = true;
        continue;
      }
      if (record.isNote()) {
        // Each range of a changing file may say so; the report names the file once.
        if (record.skippedBecause() != ShuffleRecord.CHANGING || !changing) {
          skipped.report(path, record);
        }
        changing |= record.skippedBecause() == ShuffleRecord.CHANGING;
        continue;
      }
      if (record.isRange()) {
        if (ranges == null) {
          ranges = new ArrayList<>();
        }
        ranges.add(record);
        continue;
      }
      if (entry != null) {
        throw new IOException("the listing holds '" + path + "' more than once");
      }
      entry = record.entry();
      renamedFrom = record.renamedFrom();
    }
    // A file read in ranges whose range 0 found it unchanged sends the carried-over entry instead;
    // ranges of it (its other tasks saw it change while it was read) are then not used. A file
    // that one of its tasks could not read is left out whole.
    if (entry == null && ranges != null && !unreadable) {
      FileRanges.Joined joined = FileRanges.join(path, ranges);
      entry = joined.entry;
      if (!joined.complete) {
        context.getCounter(BackupCounters.FILES_CHANGED_WHILE_READ).increment(1);
        if (!changing) {
          // Ranges read short or not at all (the file shrank, or was deleted after the listing):
          // named, exit 4. Counted only, a file of 150 MB deleted after the listing was published
          // as an empty file with exit 0 (found by a probe).
          byte[] note = ShuffleRecord.note(ShuffleRecord.CHANGING, FileRanges.ENDED_EARLY + entry.length()
              + " bytes read, which may be a state it never had");
          skipped.report(path, ShuffleRecord.decode(note, note.length));
          changing = true;
        }
      }
      if (joined.versionsDiffer && !changing) {
        // The tasks read it from different versions (ETags): named once, as a changing file.
        byte[] note = ShuffleRecord.note(ShuffleRecord.CHANGING, FileRanges.VERSIONS_DIFFER);
        skipped.report(path, ShuffleRecord.decode(note, note.length));
        changing = true;
      }
    }
    if (changing && entry != null) {
      context.getCounter(BackupCounters.FILES_CHANGING).increment(1);
    }
    if (entry != null) {
      manifest.add(entry);
    }
    if (delta != null) {
      delta.record(path, entry, renamedFrom);
    }
  }

  /** Counts a skipped entry once; a file open for write was counted by the task that decided. */
  private static void countSkipped(byte why, Context context) {
    if (why == ShuffleRecord.SPECIAL) {
      context.getCounter(BackupCounters.SPECIAL_FILES_SKIPPED).increment(1);
    } else if (why != ShuffleRecord.OPEN_FOR_WRITE) {
      context.getCounter(BackupCounters.ENTRIES_UNREADABLE).increment(1);
    }
  }

  private void addIndexRow(IndexEntry row) throws IOException {
    if (index == null) {
      indexStream = FileSystems.createOwnerOnly(fs, new Path(staging.indexDir(), PARTIAL_INDEX), true);
      index = new IndexWriter(indexStream, settings.expectedChunks());
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
    FileSystems.sync(indexStream);
    index.close();
    Path partial = new Path(staging.indexDir(), PARTIAL_INDEX);
    FileSystems.renameNew(fs, partial, new Path(staging.indexDir(), name.toHex() + RepositoryLayout.INDEX_SUFFIX));
  }

  @Override
  protected void cleanup(Context context) throws IOException {
    skipped.close();
    finishIndex();
    ManifestList list = manifest.finish();
    context.getCounter(BackupCounters.SEGMENTS_WRITTEN).increment(segments.staged());
    context.getCounter(BackupCounters.SEGMENTS_SHARED).increment(segments.shared());
    CrashPoints.reached(context.getConfiguration(), "backup.reduce");
    try (FSDataOutputStream out = FileSystems.createOwnerOnly(fs, staging.manifest(), true)) {
      out.write(list.toJson());
      FileSystems.sync(out);
    }
    ObjectNode stats = Json.object();
    if (delta != null) {
      Map<ChangeKind, Long> counts = delta.finish();
      delta.close();
      PointRecord.writeChanges(stats.putObject(StagedStats.CHANGES), counts);
      counts.forEach((kind, n) -> context.getCounter(BackupCounters.of(kind)).increment(n));
    }
    stats.put(StagedStats.CHUNKS_NEW, chunksNew);
    stats.put(StagedStats.BYTES_NEW, bytesNew);
    stats.put(StagedStats.BYTES_STORED, bytesStored);
    try (FSDataOutputStream out = FileSystems.createOwnerOnly(fs, new Path(staging.root(), StagedStats.FILE), true)) {
      out.write(Json.toBytes(stats));
      FileSystems.sync(out);
    }
  }
}
