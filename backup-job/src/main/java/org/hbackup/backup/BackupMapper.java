package org.hbackup.backup;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

import com.google.common.hash.Hasher;
import com.google.common.hash.Hashing;
import com.google.common.io.ByteStreams;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FSDataInputStream;
import org.apache.hadoop.fs.FileStatus;
import org.apache.hadoop.fs.Path;
import org.apache.hadoop.io.BytesWritable;
import org.apache.hadoop.mapreduce.lib.output.FileOutputFormat;
import org.hbackup.common.CrashPoints;
import org.hbackup.common.OneLine;
import org.hbackup.common.id.ContentId;
import org.hbackup.common.index.IndexEntry;
import org.hbackup.common.io.PosixFiles;
import org.hbackup.common.manifest.ChunkRef;
import org.hbackup.common.manifest.EntryType;
import org.hbackup.common.manifest.ManifestEntry;
import org.hbackup.common.manifest.SourceChecksum;
import org.hbackup.common.repo.Repository;
import org.hbackup.common.repo.StagingLayout;
import org.hbackup.job.RecordingMapper;
import org.hbackup.job.Throttle;

/**
 * Backs up the entries of one listing split: for each record, decides whether the entry is
 * taken over from the base point ({@link CarryOver}) or read from the source ({@link SourceFiles})
 * into the repository ({@link ChunkStore}), and emits its manifest entry; every chunk stored is
 * emitted as an index row. Both go out through {@link #emit}.
 *
 * <p>Memory: that of its {@link ChunkStore}, the base point's segment cache, and the chunk list of
 * the file being read.
 */
public class BackupMapper extends RecordingMapper<ListingKey, ListedStatus, BackupKey, BytesWritable> {
  private BackupSettings settings;
  private SourceFiles source;
  private ChunkStore store;
  private CarryOver carryOver;
  private Context context;
  private final BackupKey outKey = new BackupKey();
  private final BytesWritable outValue = new BytesWritable();
  private int failAfterFirstFileTask = -1;
  private int filesDone;

  /** The attempt's work directory; the committer promotes it when the attempt succeeds. */
  protected Path workPath(Context context) throws IOException, InterruptedException {
    return FileOutputFormat.getWorkOutputPath(context);
  }

  @Override
  protected void setup(Context context) throws IOException, InterruptedException {
    this.context = context;
    Configuration conf = context.getConfiguration();
    settings = BackupSettings.readFrom(conf);
    Repository repository = Repository.open(settings.repository(), conf);
    store = new ChunkStore(repository, conf, new StagingLayout(workPath(context)).packsDir(),
        Throttle.of(settings.bandwidthMiB()), context, this::emitIndexRow);
    if (context.getTaskAttemptID().getTaskID().getId() == 0) {
      // Every task opens the same index files; the first one counts those it left out.
      context.getCounter(BackupCounters.INDEX_FILES_UNREADABLE).increment(store.unreadableIndexFiles());
    }
    source = new SourceFiles(settings, conf, context);
    carryOver = new CarryOver(settings.basePoint() == null ? null
        : new BaseManifest(repository, settings.basePoint(), settings.baseSegmentCache()), settings);
    context.getCounter(BackupCounters.MAP_TASKS).increment(1);
    if (context.getTaskAttemptID().getId() == 0) {
      failAfterFirstFileTask = settings.testFailMapTaskOnce();
    }
  }

  @Override
  protected void map(ListingKey key, ListedStatus listed, Context context) throws IOException, InterruptedException {
    FileStatus status = listed.status();
    if (key.problem() == ListingKey.SPECIAL) {
      emitRecord(key.path(), ShuffleRecord.skipped(ShuffleRecord.SPECIAL, key.problemReason()));
    } else if (key.problem() == ListingKey.UNLISTABLE || key.problem() == ListingKey.UNRECORDABLE) {
      // An unlistable directory's own record came earlier in the listing, from its parent's
      // listing; so did that of the directory of an entry whose name cannot be recorded.
      emitRecord(key.path(), ShuffleRecord.skipped(key.problem() == ListingKey.UNLISTABLE ? ShuffleRecord.UNREADABLE
          : ShuffleRecord.UNRECORDABLE, key.problemReason()));
    } else if (status.isDirectory()) {
      emitEntry(key, carryOver.keepAccessTime(key, metadata(key, EntryType.DIRECTORY, status).build()),
          carryOver.renamedInBase(key));
      context.getCounter(BackupCounters.DIRECTORIES).increment(1);
    } else if (status.isSymlink()) {
      ManifestEntry link = metadata(key, EntryType.SYMLINK, status).symlinkTarget(PosixFiles.symlinkTarget(status))
          .build();
      emitEntry(key, carryOver.keepAccessTime(key, link), carryOver.renamedInBase(key));
      context.getCounter(BackupCounters.SYMLINKS).increment(1);
    } else {
      try {
        backUpFileRecordAgainIfRewritten(key, status);
      } catch (SourceVanished e) {
        vanished(key, status, e);
      } catch (SourceUnreadable e) {
        emitRecord(key.path(), ShuffleRecord.skipped(ShuffleRecord.UNREADABLE, e.getMessage()));
      }
    }
    testHooksAfterRecord();
  }

  /**
   * {@link #backUpFileRecord}, once more if the file (an object) was written again while it was
   * read: S3A's change detection holds a read to the version it began with and fails it when
   * that version is gone, which failed the whole backup. A file written again during the second
   * read too is left out and reported. Other failures of reading the source are a file vanished
   * or unreadable, or fail the task.
   */
  private void backUpFileRecordAgainIfRewritten(ListingKey key, FileStatus status)
      throws IOException, InterruptedException {
    try {
      backUpFileRecord(key, status);
      return;
    } catch (SourceReadFailure e) {
      if (!e.replacedWhileRead()) {
        throw e.asSourceFailure();
      }
    }
    context.getCounter(BackupCounters.FILES_READ_AGAIN).increment(1);
    try {
      backUpFileRecord(key, status);
    } catch (SourceReadFailure e) {
      throw e.replacedWhileRead() ? new SourceUnreadable("it was written again while it was read, twice; not in the"
          + " point: " + OneLine.of(e.getCause()), e) : e.asSourceFailure();
    }
  }

  /**
   * One listing record of a file: carried over from the base point unread, read whole, or one of
   * its ranges read. Range 0 of a file read in ranges decides for the whole file whether it is
   * carried over; every range finds the same base entry and checksum.
   */
  private void backUpFileRecord(ListingKey key, FileStatus status) throws IOException, InterruptedException {
    ManifestEntry previous = carryOver.unchangedFile(key, status);
    boolean first = key.rangeIndex() == 0;
    // A checksum describes the bytes of every range only if the file cannot change between the
    // tasks that read them: when read from a snapshot.
    // So does a local file's change stamp, observed before any range was read.
    boolean keepsChecksum = !key.isRange() || (first && (settings.readsSnapshot() || source.keepsStampForRanges()));
    boolean asked = previous != null || keepsChecksum;
    SourceFiles.Checksum checksum = asked ? source.checksum(status) : SourceFiles.Checksum.NOT_ASKED;
    ManifestEntry carried = previous == null ? null
        : carryOver.file(previous, metadata(key, EntryType.FILE, status), checksum.value());
    if (previous != null && carried == null && first) {
      context.getCounter(BackupCounters.FILES_CHECKSUM_CHANGED).increment(1);
    }
    // Whether the file is open for write. A live file's checksum is refused while it is; a
    // snapshot's copy gives one, so a file about to be read from a snapshot is asked about (one
    // NameNode call beside reading it whole), as is range 0 of a live file read in ranges (which
    // asks no checksum). A live whole file that read longer than listed is asked after reading.
    boolean open = first && (checksum.foundOpenForWrite() || (carried == null
        && (settings.readsSnapshot() || (key.isRange() && !asked)) && source.openForWrite(status)));
    if (open && !admitOpenFile(key)) {
      return;
    }
    if (carried != null) {
      if (first) {
        carryOverOrReadAgain(key, status, previous, carried, checksum.value());
      }
      return;
    }
    if (key.isRange()) {
      emitRecord(key.path(), backUpRange(key, key.rangeIndex(), status, keepsChecksum ? checksum.value() : null));
      noteIfRangesChanged(key, status);
      if (first) {
        fileDone();
      }
      context.getCounter(BackupCounters.RANGES).increment(1);
      return;
    }
    ManifestEntry entry = backUpFile(key, status, checksum.value());
    if (!open && entry.length() != status.getLen() && source.openForWrite(status) && !admitOpenFile(key)) {
      return;
    }
    fileDone();
    // Read with its base entry's time (too recent to trust, its chunks lost, or its time set
    // back): reading it moved only its access time, which must not make the point store new metadata.
    emitEntry(key, carryOver.keepAccessTime(key, entry), false);
  }

  /**
   * An unchanged file: its base entry is carried over when the repository can deliver every chunk
   * it names; otherwise (their packs are missing or damaged) the file is read again, which stores
   * them again, rather than build on the loss.
   */
  private void carryOverOrReadAgain(ListingKey key, FileStatus status, ManifestEntry previous, ManifestEntry carried,
      SourceChecksum checksum) throws IOException, InterruptedException {
    if (store.canDeliver(previous.chunks())) {
      context.getCounter(BackupCounters.FILES_CARRIED_OVER).increment(1);
      if (key.renamed()) {
        context.getCounter(BackupCounters.FILES_RENAMED).increment(1);
      }
      fileDone();
      emitEntry(key, carried, key.renamed());
      return;
    }
    context.getCounter(BackupCounters.FILES_READ_AGAIN).increment(1);
    ManifestEntry entry = key.isRange() ? backUpAllRanges(key, status, checksum) : backUpFile(key, status, checksum);
    fileDone();
    // Read with its base entry's time (too recent to trust, its chunks lost, or its time set
    // back): reading it moved only its access time, which must not make the point store new metadata.
    emitEntry(key, carryOver.keepAccessTime(key, entry), false);
  }

  /**
   * Applies --open-files to a file found open for write; returns whether it is still backed up.
   * include: taken as read (as of its visible length; from a snapshot, the length it captured)
   * and noted; skip: left out and reported; fail: the task fails, naming it, and nothing is published.
   */
  private boolean admitOpenFile(ListingKey key) throws IOException, InterruptedException {
    context.getCounter(BackupCounters.FILES_OPEN_FOR_WRITE).increment(1);
    switch (settings.options().openFiles()) {
      case FAIL:
        throw new IOException("'" + key.path() + "' is open for write (--open-files fail)");
      case SKIP:
        emitRecord(key.path(), ShuffleRecord.skipped(ShuffleRecord.OPEN_FOR_WRITE, "left out (--open-files skip)"));
        return false;
      default:
        emitRecord(key.path(), ShuffleRecord.note(ShuffleRecord.OPEN_FOR_WRITE, SkippedReport.OPEN_TAKEN));
        return true;
    }
  }

  /**
   * A file of a live source deleted since it was listed. A whole file is left out, as if it had
   * been listed a moment later. A range is sent empty: the file then ends before it, like one
   * that shrank while its ranges were read, and the reducer flags it. A snapshot loses no files,
   * so there the error stands.
   */
  private void vanished(ListingKey key, FileStatus status, SourceVanished e) throws IOException, InterruptedException {
    if (settings.readsSnapshot()) {
      throw e.notFound();
    }
    if (!key.isRange()) {
      context.getCounter(BackupCounters.FILES_VANISHED).increment(1);
      return;
    }
    ManifestEntry empty = metadata(key, EntryType.FILE, status).length(0)
        .fileHash(ContentId.of(new byte[0])).chunks(List.of()).build();
    emitRecord(key.path(), ShuffleRecord.range(key.rangeIndex(), key.rangeCount(), key.rangeSize(), empty));
    if (key.rangeIndex() == 0) {
      context.getCounter(BackupCounters.FILES).increment(1);
    }
    context.getCounter(BackupCounters.RANGES).increment(1);
  }

  /**
   * Reads, chunks and stores the file. A local file that changed since it was listed (written
   * before it was opened, or while it was read: a read of a file written in place can hold bytes
   * of two versions) is read again as of its status then; if it changes during that read too,
   * the point holds the second read and the report names the file.
   */
  private ManifestEntry backUpFile(ListingKey key, FileStatus status, SourceChecksum checksum)
      throws IOException, InterruptedException {
    ManifestEntry entry = readWhole(key, status, checksum);
    if (!changedWhileRead) {
      return countedIfLengthChanged(entry, status);
    }
    // Changed since it was listed, whatever its length: counted once, as read again or as kept.
    context.getCounter(BackupCounters.FILES_CHANGED_WHILE_READ).increment(1);
    FileStatus now = source.statusNow(status.getPath());
    if (now != null) {
      // now's stamp (a local file's) was read before this read: a write after it moves it.
      ManifestEntry again = readWhole(key, now, source.checksum(now).value());
      if (!changedWhileRead) {
        return again;
      }
      entry = again;
    }
    emitRecord(key.path(), ShuffleRecord.note(ShuffleRecord.CHANGING, now == null
        ? "it changed while it was read and is no longer a readable file; the point holds it as read, which may be"
            + " a state it never had"
        : "it changed while it was read, twice; the point holds it as last read, which may be a state it never had"));
    return entry;
  }

  /** Counts a file kept with another length than it was read as (FILES_CHANGED_WHILE_READ). */
  private ManifestEntry countedIfLengthChanged(ManifestEntry entry, FileStatus readAs) {
    if (entry.length() != readAs.getLen()) {
      context.getCounter(BackupCounters.FILES_CHANGED_WHILE_READ).increment(1);
    }
    return entry;
  }

  /** Whether the file that {@link #readWhole} read last changed since its status was taken (SourceFiles.changedSince). */
  private boolean changedWhileRead;

  /**
   * Reads, chunks and stores the file once. {@code checksum} was taken before reading; it is kept
   * only if the file read as long as listed, so that it describes the bytes stored.
   */
  private ManifestEntry readWhole(ListingKey key, FileStatus status, SourceChecksum checksum)
      throws IOException, InterruptedException {
    Hasher fileHash = Hashing.sha256().newHasher();
    List<ChunkRef> chunks = new ArrayList<>();
    long length;
    try (InputStream in = source.open(status)) {
      length = store.read(SourceReadFailure.tagged(in), fileHash, chunks);
      // Asked before the stream is closed: a file deleted since is still known by its descriptor.
      changedWhileRead = source.changedSince(status);
    }
    if (length != status.getLen()) {
      checksum = null;
    }
    return metadata(key, EntryType.FILE, status).length(length)
        .fileHash(ContentId.wrap(fileHash.hash().asBytes())).chunks(chunks).sourceChecksum(checksum).build();
  }

  /**
   * Reads one range of a file at its fixed offset: the chunker starts afresh at the range's first
   * byte and cuts at its last, so ranges that did not change give the same chunks as before (an
   * append changes only the last range). Returns the range's record: an entry of the range alone,
   * with the file's metadata, and the version of the file it was read from, where the source
   * names versions ({@link SourceFiles#openRange}).
   */
  private byte[] backUpRange(ListingKey key, int index, FileStatus status, SourceChecksum checksum)
      throws IOException, InterruptedException {
    long start = index * key.rangeSize();
    long length = Math.max(0, Math.min(key.rangeSize(), status.getLen() - start));
    Hasher rangeHash = Hashing.sha256().newHasher();
    List<ChunkRef> chunks = new ArrayList<>();
    long read = 0;
    String version = "";
    if (length > 0) {
      try (SourceFiles.RangeInput in = source.openRange(status.getPath())) {
        in.stream().seek(start);
        read = store.read(SourceReadFailure.tagged(ByteStreams.limit(in.stream(), length)), rangeHash, chunks);
        version = in.version();
        if (in.length() >= 0 && in.length() != status.getLen()) {
          // Written again since it was listed, before any range was read: every range then names
          // the same version, cut to the listed length. Only lengths are compared: a listing's
          // and a HEAD's times differ in precision on some stores.
          emitRecord(key.path(), ShuffleRecord.note(ShuffleRecord.CHANGING, "it was written again since it was"
              + " listed (" + in.length() + " bytes now, " + status.getLen() + " listed); the point holds its ranges up"
              + " to the listed length"));
        }
      }
    }
    ManifestEntry range = metadata(key, EntryType.FILE, status).length(read)
        .fileHash(ContentId.wrap(rangeHash.hash().asBytes())).chunks(chunks).sourceChecksum(checksum).build();
    return ShuffleRecord.range(index, key.rangeCount(), key.rangeSize(), range, version);
  }

  /**
   * Reads every range of a file in this task and joins them as the reducer would. Only when the
   * base names chunks the repository lost: range 0 alone decides for the whole file, so it reads
   * the others too rather than leave them to tasks that already chose to carry the file over.
   */
  private ManifestEntry backUpAllRanges(ListingKey key, FileStatus status, SourceChecksum checksum)
      throws IOException, InterruptedException {
    List<ShuffleRecord> ranges = new ArrayList<>(key.rangeCount());
    for (int i = 0; i < key.rangeCount(); i++) {
      byte[] record = backUpRange(key, i, status, i == 0 ? checksum : null);
      ranges.add(ShuffleRecord.decode(record, record.length));
      context.getCounter(BackupCounters.RANGES).increment(1);
    }
    FileRanges.Joined joined = FileRanges.join(key.path(), ranges);
    if (!joined.complete) {
      context.getCounter(BackupCounters.FILES_CHANGED_WHILE_READ).increment(1);
    }
    if (joined.versionsDiffer) {
      emitRecord(key.path(), ShuffleRecord.note(ShuffleRecord.CHANGING, FileRanges.VERSIONS_DIFFER));
    } else {
      noteIfRangesChanged(key, status);
    }
    return joined.entry;
  }

  /**
   * After a range is read: a file whose length or time are no longer the listed ones (local), or
   * that is another file now (HDFS: another inode), may have changed between the tasks that read
   * its ranges, so that the point would join bytes of two versions (each range is read up to the
   * listed length). Named in the report; the reducer counts it.
   */
  private void noteIfRangesChanged(ListingKey key, FileStatus listed) throws IOException, InterruptedException {
    if (source.changedSince(listed) || source.replacedSince(listed)) {
      emitRecord(key.path(), ShuffleRecord.note(ShuffleRecord.CHANGING, "it changed while its ranges were read;"
          + " the point joins ranges that may have been read from different versions of it"));
    }
  }

  private ManifestEntry.Builder metadata(ListingKey key, EntryType type, FileStatus status) throws IOException {
    return source.metadata(type, key.path(), status, key.setIdBits());
  }

  private void fileDone() {
    context.getCounter(BackupCounters.FILES).increment(1);
    filesDone++;
  }

  /** Emits an entry of the new point, and for a renamed one the mark under its old path. */
  private void emitEntry(ListingKey key, ManifestEntry entry, boolean renamed) throws IOException, InterruptedException {
    emitRecord(key.path(), ShuffleRecord.entry(entry, renamed ? key.basePath() : null));
    if (renamed) {
      // Under the old path too, so that the reducer knows the base entry there moved, not vanished.
      emitRecord(key.basePath(), ShuffleRecord.movedAway(key.path()));
    }
  }

  private void emitRecord(String path, byte[] record) throws IOException, InterruptedException {
    emit(BackupKey.MANIFEST, path.getBytes(StandardCharsets.UTF_8), record);
  }

  private void emitIndexRow(IndexEntry row) throws IOException, InterruptedException {
    emit(BackupKey.INDEX, row.chunkId().bytes(), row.toBytes());
  }

  /** The one place the mapper writes: a manifest record under its path, or an index row under its chunk id. */
  private void emit(byte kind, byte[] key, byte[] value) throws IOException, InterruptedException {
    outKey.set(kind, key);
    outValue.set(value, 0, value.length);
    context.write(outKey, outValue);
  }

  /** Failures injected by tests, after the task's first file. */
  private void testHooksAfterRecord() throws IOException {
    if (filesDone != 1) {
      return;
    }
    CrashPoints.reached(context.getConfiguration(), "backup.map");
    if (context.getTaskAttemptID().getTaskID().getId() == failAfterFirstFileTask) {
      throw new IOException("injected failure (" + BackupConfigKeys.TEST_FAIL_MAP_TASK_ONCE + ") in "
          + context.getTaskAttemptID());
    }
  }

  @Override
  protected void cleanup(Context context) throws IOException {
    store.close();
    if (settings.basePoint() != null) {
      context.getCounter(BackupCounters.BASE_SEGMENTS_READ).increment(carryOver.segmentsRead());
      context.getCounter(BackupCounters.FILES_RECENT_IN_BASE).increment(carryOver.recentInBase());
    }
    carryOver.close();
    source.close();
  }
}
