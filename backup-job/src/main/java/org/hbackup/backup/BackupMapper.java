package org.hbackup.backup;

import java.io.FileNotFoundException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

import com.google.common.hash.Hasher;
import com.google.common.io.ByteStreams;
import com.google.common.hash.Hashing;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FSDataInputStream;
import org.apache.hadoop.fs.FileChecksum;
import org.apache.hadoop.fs.FileStatus;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.apache.hadoop.io.BytesWritable;
import org.apache.hadoop.mapreduce.lib.output.FileOutputFormat;
import org.apache.hadoop.security.AccessControlException;
import org.hbackup.common.CrashPoints;
import org.hbackup.common.OneLine;
import org.hbackup.common.chunk.ChunkingReader;
import org.hbackup.common.chunk.GearChunker;
import org.hbackup.common.compress.BlobCodec;
import org.hbackup.common.id.ContentId;
import org.hbackup.common.id.PointId;
import org.hbackup.common.index.ChunkIndex;
import org.hbackup.common.index.IndexEntry;
import org.hbackup.common.io.FileSystems;
import org.hbackup.common.io.PosixFiles;
import org.hbackup.common.manifest.ChunkRef;
import org.hbackup.common.manifest.EntryAttributes;
import org.hbackup.common.manifest.EntryType;
import org.hbackup.common.manifest.ManifestEntry;
import org.hbackup.common.manifest.SourceChecksum;
import org.hbackup.common.pack.TaskPacks;
import org.hbackup.common.repo.Repository;
import org.hbackup.common.repo.RepositoryConfig;
import org.hbackup.common.repo.ReusablePacks;
import org.hbackup.common.repo.StagingLayout;
import org.hbackup.job.RecordingMapper;

/**
 * Backs up the entries of one listing split: reads each file once, cuts it into chunks, hashes
 * them, stores the chunks the repository does not hold yet into this attempt's packs, and emits
 * the file's manifest entry and an index row per stored chunk.
 *
 * <p>Memory: the chunking buffer (4 × the maximum chunk), the repository's Bloom filters
 * (~1.2 bytes per stored chunk), the ids of chunks this task stored, and the chunk list of the
 * file being read.
 */
public class BackupMapper extends RecordingMapper<ListingKey, FileStatus, BackupKey, BytesWritable> {
  private GearChunker chunker;
  /** Made for the first file read: a task that only carries files over needs no 16 MiB buffer. */
  private ChunkingReader reader;
  private BlobCodec codec;
  private ChunkIndex index;
  /** The source's file system (a snapshot of it lies in the same one), looked up once. */
  private FileSystem sourceFs;
  private ReusablePacks reusable;
  /** The base point's entries; null for a full backup. */
  private BaseManifest base;
  /** Whether the source file system's checksum is asked for, kept, and required for a carry-over. */
  private boolean sourceChecksums;
  /**
   * The source file system as the checksums are asked of: an instance of its own, since a cached
   * one may have been made with another checksum combine mode (HDFS reads the mode once, when
   * its client is created).
   */
  private FileSystem checksumFs;
  /** Whether the source is read from a snapshot, where a file cannot change between tasks. */
  private boolean readsSnapshot;
  /** Whether entries take the source's access times as they are now (--atime); see BackupOptions. */
  private boolean accessTimes;
  /** What to do with a file open for write (--open-files). */
  private BackupOptions.OpenFiles openFiles;
  /** The source as HDFS, which alone has files open for write; null on other file systems. */
  private org.apache.hadoop.hdfs.DistributedFileSystem dfs;
  /** The setuid and setgid bits of the record being mapped (the listing reads them; a FileStatus cannot hold them). */
  private short setIdBits;
  /** Whether extended attributes are read (HDFS); turned off when the NameNode has them disabled. */
  private boolean readXattrs;
  private StoragePolicies storagePolicies;
  private Context context;
  /** Set by {@link #sourceChecksum} when the file turned out to be open for write. */
  private boolean checksumFoundOpenFile;
  private TaskPacks packs;
  /** The bytes read from the source are paid for here (--bandwidth). */
  private org.hbackup.job.Throttle throttle;
  private final Set<ContentId> storedByTask = new HashSet<>();
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
    Configuration conf = context.getConfiguration();
    Repository repository = Repository.open(new Path(conf.get(BackupConfigKeys.REPOSITORY)), conf);
    RepositoryConfig config = repository.config();
    chunker = new GearChunker(config.chunker());
    codec = new BlobCodec(config.compression(), config.compressionLevel(), conf);
    index = repository.openChunkIndex();
    reusable = new ReusablePacks(repository);
    if (context.getTaskAttemptID().getTaskID().getId() == 0) {
      // Every task opens the same index files; the first one counts those it left out.
      context.getCounter(BackupCounters.INDEX_FILES_UNREADABLE).increment(index.unreadable().size());
    }
    sourceChecksums = usesSourceChecksums(conf);
    sourceFs = FileSystems.raw(new Path(conf.get(BackupConfigKeys.SOURCE)), conf);
    dfs = sourceFs instanceof org.apache.hadoop.hdfs.DistributedFileSystem
        ? (org.apache.hadoop.hdfs.DistributedFileSystem) sourceFs : null;
    readXattrs = dfs != null && conf.getBoolean(BackupConfigKeys.XATTRS, true);
    storagePolicies = new StoragePolicies(dfs, new Path(conf.get(BackupConfigKeys.SOURCE)),
        conf.getBoolean(BackupConfigKeys.STORAGE_POLICIES, true));
    this.context = context;
    readsSnapshot = conf.get(BackupConfigKeys.SNAPSHOT_NAME) != null;
    BackupOptions options = BackupOptions.readFrom(conf);
    accessTimes = options.accessTimes();
    openFiles = options.openFiles();
    throttle = org.hbackup.job.Throttle.of(conf.getFloat(BackupConfigKeys.BANDWIDTH_MIB, 0));
    context.getCounter(BackupCounters.MAP_TASKS).increment(1);
    if (sourceChecksums) {
      Configuration checksumConf = new Configuration(conf);
      checksumConf.set(BackupJob.CHECKSUM_COMBINE_MODE, BackupJob.COMPOSITE_CRC);
      checksumFs = FileSystem.newInstance(new Path(conf.get(BackupConfigKeys.SOURCE)).toUri(), checksumConf);
    }
    String basePoint = conf.get(BackupConfigKeys.BASE_POINT);
    if (basePoint != null) {
      base = new BaseManifest(repository, PointId.parse(basePoint), conf.getInt(
          BackupConfigKeys.BASE_SEGMENT_CACHE, BackupConfigKeys.DEFAULT_BASE_SEGMENT_CACHE));
    }
    Path work = workPath(context);
    Path packDir = new StagingLayout(work).packsDir();
    packs = new TaskPacks(FileSystems.raw(packDir, conf), packDir, config.packSize());
    if (context.getTaskAttemptID().getId() == 0) {
      failAfterFirstFileTask = conf.getInt(BackupConfigKeys.TEST_FAIL_MAP_TASK_ONCE, -1);
    }
  }

  /**
   * Source checksums are asked for where the file system computes them without reading the data
   * for us: HDFS (the DataNodes combine the CRCs they keep), unless configured otherwise.
   */
  static boolean usesSourceChecksums(Configuration conf) {
    String setting = conf.get(BackupConfigKeys.SOURCE_CHECKSUM, "auto");
    if ("auto".equals(setting)) {
      String scheme = new Path(conf.get(BackupConfigKeys.SOURCE)).toUri().getScheme();
      return "hdfs".equals(scheme);
    }
    return Boolean.parseBoolean(setting);
  }

  @Override
  protected void map(ListingKey key, FileStatus status, Context context) throws IOException, InterruptedException {
    setIdBits = key.setIdBits();
    if (key.problem() == ListingKey.SPECIAL) {
      context.getCounter(BackupCounters.SPECIAL_FILES_SKIPPED).increment(1);
      emit(key.path(), ShuffleRecord.skipped(ShuffleRecord.SPECIAL, key.problemReason()), context);
      return;
    }
    if (key.problem() == ListingKey.UNLISTABLE) {
      // The directory's own record came earlier in the listing, from its parent's listing.
      context.getCounter(BackupCounters.ENTRIES_UNREADABLE).increment(1);
      emit(key.path(), ShuffleRecord.skipped(ShuffleRecord.UNREADABLE, key.problemReason()), context);
      return;
    }
    if (status.isDirectory()) {
      emitEntry(key, keepBaseAccessTime(key, metadata(EntryType.DIRECTORY, key.path(), status).build()),
          renamedInBase(key), context);
      context.getCounter(BackupCounters.DIRECTORIES).increment(1);
    } else if (status.isSymlink()) {
      emitEntry(key, keepBaseAccessTime(key, metadata(EntryType.SYMLINK, key.path(), status)
          .symlinkTarget(status.getSymlink().toString()).build()), renamedInBase(key), context);
      context.getCounter(BackupCounters.SYMLINKS).increment(1);
    } else {
      try {
        backUpFileRecord(key, status, context);
      } catch (SourceVanished e) {
        vanished(key, status, e, context);
      } catch (SourceUnreadable e) {
        context.getCounter(BackupCounters.ENTRIES_UNREADABLE).increment(1);
        emit(key.path(), ShuffleRecord.skipped(ShuffleRecord.UNREADABLE, e.getMessage()), context);
      }
    }
    if (filesDone == 1) {
      CrashPoints.reached(context.getConfiguration(), "backup.map");
    }
    if (filesDone == 1 && context.getTaskAttemptID().getTaskID().getId() == failAfterFirstFileTask) {
      throw new IOException("injected failure (" + BackupConfigKeys.TEST_FAIL_MAP_TASK_ONCE + ") in "
          + context.getTaskAttemptID());
    }
  }

  /**
   * The entry with its base entry's access time when only reading can have moved it: same type,
   * same modification time (and for a symlink, same target). Listing a directory or reading a
   * file moves its access time, and the previous backup did both; without this, every point of
   * an unchanged tree would store all of its metadata again (DESIGN.md §2). Unless --atime.
   */
  private ManifestEntry keepBaseAccessTime(ListingKey key, ManifestEntry entry) throws IOException {
    if (accessTimes || base == null) {
      return entry;
    }
    ManifestEntry previous = base.find(key.basePath());
    if (previous == null || previous.type() != entry.type()
        || previous.modificationTime() != entry.modificationTime()
        || !java.util.Objects.equals(previous.symlinkTarget(), entry.symlinkTarget())
        || previous.accessTime() == entry.accessTime()) {
      return entry;
    }
    return entry.toBuilder(entry.type(), entry.path()).accessTime(previous.accessTime()).build();
  }

  private boolean renamedInBase(ListingKey key) throws IOException {
    return key.renamed() && base != null && base.find(key.basePath()) != null;
  }

  /**
   * One listing record of a file: carried over from the base point unread, read whole, or one of
   * its ranges read. Range 0 of a file read in ranges decides for the whole file whether it is
   * carried over; every range finds the same base entry and checksum.
   */
  private void backUpFileRecord(ListingKey key, FileStatus status, Context context)
      throws IOException, InterruptedException {
    // Looked up outside the source reads: a segment missing from the repository is damage, not
    // a file that vanished from the source.
    ManifestEntry previous = base == null ? null : base.sameFile(key.basePath(), status);
    boolean first = key.rangeIndex() == 0;
    // A checksum describes the bytes of every range only if the file cannot change between the
    // tasks that read them: when read from a snapshot.
    boolean keepsChecksum = !key.isRange() || (first && readsSnapshot);
    checksumFoundOpenFile = false;
    boolean asked = previous != null || keepsChecksum;
    SourceChecksum checksum = asked ? sourceChecksum(status, context) : null;
    ManifestEntry carried = previous == null ? null : carryOver(previous, key.path(), status, checksum);
    // Whether the file is open for write. A live file's checksum is refused while it is; a
    // snapshot's copy gives one, so a file about to be read from a snapshot is asked about (one
    // NameNode call beside reading it whole), as is range 0 of a live file read in ranges (which
    // asks no checksum). A live whole file that read longer than listed is asked after reading.
    boolean open = first && (checksumFoundOpenFile || (carried == null
        && (readsSnapshot || (key.isRange() && !asked)) && openForWrite(status)));
    if (open && !admitOpenFile(key, context)) {
      return;
    }
    FileSystem fs = sourceFs;
    if (carried != null) {
      if (!first) {
        return;
      }
      if (chunksDeliverable(previous)) {
        context.getCounter(BackupCounters.FILES_CARRIED_OVER).increment(1);
        if (key.renamed()) {
          context.getCounter(BackupCounters.FILES_RENAMED).increment(1);
        }
        fileDone(context);
        emitEntry(key, carried, key.renamed(), context);
        return;
      }
      // The base names chunks the repository cannot give back (their packs are missing or
      // damaged): read the file again, which stores them again, rather than build on the loss.
      context.getCounter(BackupCounters.FILES_READ_AGAIN).increment(1);
      ManifestEntry entry = key.isRange() ? backUpAllRanges(fs, key, status, checksum, context)
          : backUpFile(fs, key.path(), status, checksum, context);
      fileDone(context);
      emitEntry(key, entry, false, context);
      return;
    }
    if (key.isRange()) {
      ManifestEntry range = backUpRange(fs, key.path(), key.rangeIndex(), key.rangeSize(), status,
          keepsChecksum ? checksum : null, context);
      emit(key.path(), ShuffleRecord.range(key.rangeIndex(), key.rangeCount(), key.rangeSize(), range), context);
      if (first) {
        fileDone(context);
      }
      context.getCounter(BackupCounters.RANGES).increment(1);
      return;
    }
    ManifestEntry entry = backUpFile(fs, key.path(), status, checksum, context);
    if (!open && entry.length() != status.getLen() && openForWrite(status) && !admitOpenFile(key, context)) {
      return;
    }
    fileDone(context);
    emitEntry(key, entry, false, context);
  }

  /**
   * Whether an HDFS file is open for write (under construction), asked of the NameNode about the
   * live file (a snapshot's copy is frozen, but the file it was taken of may still be written).
   * Asked only where the file gave a sign: its checksum was refused, or it read longer than listed.
   */
  private boolean openForWrite(FileStatus status) throws IOException {
    if (dfs == null) {
      return false;
    }
    try {
      return !dfs.isFileClosed(livePath(status.getPath()));
    } catch (FileNotFoundException e) {
      return false;
    }
  }

  /** The live path of a path inside a snapshot ({@code dir/.snapshot/name/rest} is {@code dir/rest}). */
  static Path livePath(Path path) {
    String p = path.toUri().getPath();
    int at = p.indexOf("/" + org.apache.hadoop.hdfs.protocol.HdfsConstants.DOT_SNAPSHOT_DIR + "/");
    if (at < 0) {
      return path;
    }
    int nameEnd = p.indexOf('/', at + org.apache.hadoop.hdfs.protocol.HdfsConstants.DOT_SNAPSHOT_DIR.length() + 2);
    String live = p.substring(0, at) + (nameEnd < 0 ? "" : p.substring(nameEnd));
    return new Path(path.toUri().getScheme(), path.toUri().getAuthority(), live.isEmpty() ? "/" : live);
  }

  /**
   * Applies --open-files to a file found open for write; returns whether it is still backed up.
   * include: taken as read (as of its visible length; from a snapshot, the length it captured)
   * and noted; skip: left out and reported; fail: the task fails, naming it, and nothing is published.
   */
  private boolean admitOpenFile(ListingKey key, Context context) throws IOException, InterruptedException {
    context.getCounter(BackupCounters.FILES_OPEN_FOR_WRITE).increment(1);
    switch (openFiles) {
      case FAIL:
        throw new IOException("'" + key.path() + "' is open for write (--open-files fail)");
      case SKIP:
        emit(key.path(), ShuffleRecord.skipped(ShuffleRecord.OPEN_FOR_WRITE, "left out (--open-files skip)"),
            context);
        return false;
      default:
        emit(key.path(), ShuffleRecord.note(ShuffleRecord.OPEN_FOR_WRITE, SkippedReport.OPEN_TAKEN), context);
        return true;
    }
  }

  private void fileDone(Context context) {
    context.getCounter(BackupCounters.FILES).increment(1);
    filesDone++;
  }

  /**
   * Whether every chunk of a base entry can be delivered by the repository, so that carrying the
   * entry over makes a restorable point. One index lookup per chunk (index blocks are cached) and
   * one pack check per pack and task.
   */
  private boolean chunksDeliverable(ManifestEntry previous) throws IOException {
    for (ChunkRef c : previous.chunks()) {
      if (storedByTask.contains(c.id())) {
        continue;
      }
      IndexEntry row = index.lookup(c.id());
      if (row == null || !deliverable(c.id(), row)) {
        return false;
      }
    }
    return true;
  }

  /**
   * A file of a live source deleted since it was listed. A whole file is left out, as if it had
   * been listed a moment later. A range is sent empty: the file then ends before it, like one
   * that shrank while its ranges were read, and the reducer flags it. A snapshot loses no files,
   * so there the error stands.
   */
  private void vanished(ListingKey key, FileStatus status, SourceVanished e, Context context)
      throws IOException, InterruptedException {
    if (readsSnapshot) {
      throw e.notFound;
    }
    if (!key.isRange()) {
      context.getCounter(BackupCounters.FILES_VANISHED).increment(1);
      return;
    }
    ManifestEntry empty = metadata(EntryType.FILE, key.path(), status).length(0)
        .fileHash(ContentId.of(new byte[0])).chunks(List.of()).build();
    emit(key.path(), ShuffleRecord.range(key.rangeIndex(), key.rangeCount(), key.rangeSize(), empty), context);
    if (key.rangeIndex() == 0) {
      context.getCounter(BackupCounters.FILES).increment(1);
    }
    context.getCounter(BackupCounters.RANGES).increment(1);
  }

  /**
   * Thrown only where the source is read (open, checksum), so that a file missing from the
   * repository is never mistaken for one deleted from the source.
   */
  private static final class SourceVanished extends IOException {
    private static final long serialVersionUID = 1L;
    final FileNotFoundException notFound;

    SourceVanished(FileNotFoundException notFound) {
      super(notFound.getMessage(), notFound);
      this.notFound = notFound;
    }
  }

  /**
   * A source file that exists but may not be read by the backup's user: it is left out of the
   * point and reported, never silently dropped. Other read errors fail the task, and MapReduce
   * tries it again.
   */
  private static final class SourceUnreadable extends IOException {
    private static final long serialVersionUID = 1L;

    SourceUnreadable(String reason, Throwable cause) {
      super(reason, cause);
    }
  }

  /**
   * Opens a source file for reading. On the local file system a file that is not a regular file
   * any more (replaced by a FIFO since the listing, which would block the task) is never opened,
   * and Hadoop reports a file it may not read as not found: the two are told apart by looking.
   */
  private FSDataInputStream openSource(FileSystem fs, Path path) throws IOException {
    boolean local = PosixFiles.isLocal(fs);
    if (local) {
      PosixFiles.Kind kind = PosixFiles.kindOf(fs, path);
      if (kind == PosixFiles.Kind.MISSING || kind == PosixFiles.Kind.DIRECTORY) {
        throw new SourceVanished(new FileNotFoundException(path + " is no longer a file"));
      }
      if (kind != PosixFiles.Kind.FILE) {
        throw new SourceUnreadable("no longer a regular file (a " + kind.name().toLowerCase(java.util.Locale.ROOT)
            + " since it was listed): not read", null);
      }
    }
    try {
      return PosixFiles.openNoFollow(fs, path);
    } catch (AccessControlException | java.nio.file.AccessDeniedException e) {
      throw new SourceUnreadable("cannot be read: " + OneLine.of(e), e);
    } catch (FileNotFoundException | java.nio.file.NoSuchFileException e) {
      if (local && PosixFiles.kindOf(fs, path) == PosixFiles.Kind.FILE) {
        throw new SourceUnreadable("cannot be read: " + OneLine.of(e), e);
      }
      throw new SourceVanished(new FileNotFoundException(OneLine.of(e)));
    } catch (java.nio.file.FileSystemException e) {
      // ELOOP: it became a symlink since its kind was looked at; never read through it.
      throw new SourceUnreadable("not read, it is no longer a regular file: " + OneLine.of(e), e);
    }
  }

  /** Emits an entry of the new point, and for a renamed one the mark under its old path. */
  private void emitEntry(ListingKey key, ManifestEntry entry, boolean renamed, Context context)
      throws IOException, InterruptedException {
    emit(key.path(), ShuffleRecord.entry(entry, renamed ? key.basePath() : null), context);
    if (renamed) {
      // Under the old path too, so that the reducer knows the base entry there moved, not vanished.
      emit(key.basePath(), ShuffleRecord.movedAway(key.path()), context);
    }
  }

  private void emit(String path, byte[] record, Context context) throws IOException, InterruptedException {
    outKey.set(BackupKey.MANIFEST, path.getBytes(StandardCharsets.UTF_8));
    outValue.set(record, 0, record.length);
    context.write(outKey, outValue);
  }

  /**
   * The file's entry built from the base point's entry without reading the file, or null when it
   * must be read: where source checksums are used, only the same checksum confirms the content
   * (an unavailable one never does). The metadata comes from the source as it is now.
   */
  private ManifestEntry carryOver(ManifestEntry previous, String relative, FileStatus status, SourceChecksum checksum)
      throws IOException {
    if (sourceChecksums && (checksum == null || !checksum.equals(previous.sourceChecksum()))) {
      return null;
    }
    ManifestEntry.Builder entry = metadata(EntryType.FILE, relative, status).fileHash(previous.fileHash())
        .chunks(previous.chunks()).rangeSize(previous.rangeSize()).sourceChecksum(checksum);
    if (!accessTimes) {
      // Same content and modification time: reading it (the previous backup did) moved only
      // its access time, which must not make the point store new metadata.
      entry.accessTime(previous.accessTime());
    }
    return entry.build();
  }

  /** The source file system's checksum of the file, or null when it has none (or is not asked). */
  private SourceChecksum sourceChecksum(FileStatus status, Context context) throws IOException {
    if (!sourceChecksums) {
      return null;
    }
    context.getCounter(BackupCounters.SOURCE_CHECKSUMS).increment(1);
    FileChecksum checksum;
    try {
      checksum = checksumFs.getFileChecksum(status.getPath());
    } catch (FileNotFoundException e) {
      throw new SourceVanished(e);
    } catch (AccessControlException e) {
      throw new SourceUnreadable("cannot be read: " + OneLine.of(e), e);
    } catch (IOException e) {
      // HDFS refuses the checksum of a file under construction ("... is under construction"; of
      // its snapshot copy, some other error): the file is then read, as of its visible length.
      if (openForWrite(status)) {
        checksumFoundOpenFile = true;
        return null;
      }
      throw e;
    }
    if (checksum == null || checksum.getAlgorithmName() == null || checksum.getAlgorithmName().isEmpty()) {
      return null;
    }
    byte[] bytes = checksum.getBytes();
    return bytes == null || bytes.length == 0 || bytes.length > SourceChecksum.MAX_BYTES ? null
        : new SourceChecksum(checksum.getAlgorithmName(), bytes);
  }

  /**
   * Reads, chunks and stores the file. {@code checksum} was taken before reading; it is kept only
   * if the file read as long as listed, so that it describes the bytes stored.
   */
  private ManifestEntry backUpFile(FileSystem fs, String relative, FileStatus status, SourceChecksum checksum,
      Context context) throws IOException, InterruptedException {
    Hasher fileHash = Hashing.sha256().newHasher();
    List<ChunkRef> chunks = new ArrayList<>();
    long length;
    try (InputStream in = openSource(fs, status.getPath())) {
      length = readChunks(in, fileHash, chunks, context);
    }
    if (length != status.getLen()) {
      context.getCounter(BackupCounters.FILES_CHANGED_WHILE_READ).increment(1);
      checksum = null;
    }
    return metadata(EntryType.FILE, relative, status).length(length)
        .fileHash(ContentId.wrap(fileHash.hash().asBytes())).chunks(chunks).sourceChecksum(checksum).build();
  }

  /**
   * Reads one range of a file at its fixed offset: the chunker starts afresh at the range's first
   * byte and cuts at its last, so ranges that did not change give the same chunks as before (an
   * append changes only the last range). Returns an entry of the range alone, with the file's
   * metadata.
   */
  private ManifestEntry backUpRange(FileSystem fs, String path, int index, long rangeSize, FileStatus status,
      SourceChecksum checksum, Context context) throws IOException, InterruptedException {
    long start = index * rangeSize;
    long length = Math.max(0, Math.min(rangeSize, status.getLen() - start));
    Hasher rangeHash = Hashing.sha256().newHasher();
    List<ChunkRef> chunks = new ArrayList<>();
    long read = 0;
    if (length > 0) {
      try (FSDataInputStream in = openSource(fs, status.getPath())) {
        in.seek(start);
        read = readChunks(ByteStreams.limit(in, length), rangeHash, chunks, context);
      }
    }
    return metadata(EntryType.FILE, path, status).length(read)
        .fileHash(ContentId.wrap(rangeHash.hash().asBytes())).chunks(chunks).sourceChecksum(checksum).build();
  }

  /**
   * Reads every range of a file in this task and joins them as the reducer would. Only when the
   * base names chunks the repository lost: range 0 alone decides for the whole file, so it reads
   * the others too rather than leave them to tasks that already chose to carry the file over.
   */
  private ManifestEntry backUpAllRanges(FileSystem fs, ListingKey key, FileStatus status, SourceChecksum checksum,
      Context context) throws IOException, InterruptedException {
    List<ShuffleRecord> ranges = new ArrayList<>(key.rangeCount());
    for (int i = 0; i < key.rangeCount(); i++) {
      ManifestEntry range = backUpRange(fs, key.path(), i, key.rangeSize(), status, i == 0 ? checksum : null, context);
      byte[] record = ShuffleRecord.range(i, key.rangeCount(), key.rangeSize(), range);
      ranges.add(ShuffleRecord.decode(record, record.length));
      context.getCounter(BackupCounters.RANGES).increment(1);
    }
    FileRanges.Joined joined = FileRanges.join(key.path(), ranges);
    if (!joined.complete) {
      context.getCounter(BackupCounters.FILES_CHANGED_WHILE_READ).increment(1);
    }
    return joined.entry;
  }

  /** Chunks, hashes and stores what {@code in} holds; returns how many bytes it read. */
  private long readChunks(InputStream in, Hasher hash, List<ChunkRef> chunks, Context context)
      throws IOException, InterruptedException {
    long length = 0;
    if (reader == null) {
      reader = new ChunkingReader(chunker);
    }
    reader.reset(in);
    while (reader.next()) {
      byte[] buffer = reader.buffer();
      int offset = reader.chunkOffset();
      int chunkLength = reader.chunkLength();
      hash.putBytes(buffer, offset, chunkLength);
      ContentId id = ContentId.of(buffer, offset, chunkLength);
      storeIfNew(id, buffer, offset, chunkLength, context);
      chunks.add(new ChunkRef(id, chunkLength));
      length += chunkLength;
      context.getCounter(BackupCounters.BYTES_READ).increment(chunkLength);
      if (throttle.limits()) {
        context.getCounter(BackupCounters.THROTTLED_MS).increment(throttle.pay(chunkLength));
      }
      context.progress();
    }
    return length;
  }

  private void storeIfNew(ContentId id, byte[] buffer, int offset, int length, Context context)
      throws IOException, InterruptedException {
    if (storedByTask.contains(id)) {
      context.getCounter(BackupCounters.CHUNKS_REUSED).increment(1);
      return;
    }
    IndexEntry known = index.lookup(id);
    if (known != null) {
      if (deliverable(id, known)) {
        context.getCounter(BackupCounters.CHUNKS_REUSED).increment(1);
        return;
      }
      context.getCounter(BackupCounters.CHUNKS_STORED_AGAIN).increment(1);
    }
    byte[] blob = codec.encode(buffer, offset, length);
    int blobLength = codec.encodedLength();
    TaskPacks.PackedBlob packed = packs.add(id, blob, blobLength, length);
    storedByTask.add(id);
    IndexEntry row = new IndexEntry(id, packed.pack, packed.entry.offset(), blobLength, length);
    outKey.set(BackupKey.INDEX, id.bytes());
    byte[] encoded = row.toBytes();
    outValue.set(encoded, 0, encoded.length);
    context.write(outKey, outValue);
    context.getCounter(BackupCounters.CHUNKS_NEW).increment(1);
    context.getCounter(BackupCounters.BYTES_NEW).increment(length);
    context.getCounter(BackupCounters.BYTES_STORED).increment(blobLength);
  }

  /**
   * Whether some copy of a chunk the index knows can be delivered: the repository must never gain
   * a point that names data it cannot give back, so a copy in a missing or damaged pack does not
   * count, and the chunk is stored again from the source.
   */
  private boolean deliverable(ContentId id, IndexEntry first) throws IOException {
    if (reusable.canDeliver(first)) {
      return true;
    }
    for (IndexEntry other : index.locations(id)) {
      if (reusable.canDeliver(other)) {
        return true;
      }
    }
    return false;
  }

  /**
   * The entry's metadata as the source reports it: with the listing's setuid and setgid bits, and
   * on HDFS its ACL entries and extended attributes.
   */
  private ManifestEntry.Builder metadata(EntryType type, String relative, FileStatus status) throws IOException {
    return ManifestEntry.builder(type, relative)
        .attributes(attributes(type, status, relative.isEmpty()))
        .length(status.isFile() ? status.getLen() : 0)
        .permission((short) ((status.getPermission().toShort() & 01777) | setIdBits))
        .owner(status.getOwner())
        .group(status.getGroup())
        .modificationTime(status.getModificationTime())
        .accessTime(status.getAccessTime())
        .replication(status.getReplication())
        .blockSize(status.getBlockSize());
  }

  /**
   * ACL entries beyond the mode bits (asked only of entries HDFS flags as having them), extended
   * attributes (one call per entry; a symlink's would be its target's) and the storage policy set
   * on the entry. On other file systems, none: Hadoop's local file system has none of them.
   */
  private EntryAttributes attributes(EntryType type, FileStatus status, boolean root) throws IOException {
    if (dfs == null || type == EntryType.SYMLINK) {
      return EntryAttributes.NONE;
    }
    Path path = status.getPath();
    try {
      java.util.List<String> acl = java.util.List.of();
      if (status.hasAcl()) {
        acl = dfs.getAclStatus(path).getEntries().stream().map(org.apache.hadoop.fs.permission.AclEntry::toStringStable)
            .toList();
      }
      java.util.Map<String, byte[]> xattrs = java.util.Map.of();
      if (readXattrs) {
        try {
          xattrs = dfs.getXAttrs(path);
        } catch (org.apache.hadoop.ipc.RemoteException e) {
          if (!String.valueOf(e.getMessage()).contains("XAttr")) {
            throw e;
          }
          // The NameNode has extended attributes disabled: there are none to keep.
          readXattrs = false;
        }
      }
      EntryAttributes a = EntryAttributes.of(acl, xattrs, storagePolicies.setOn(path, root, type == EntryType.DIRECTORY));
      if (!a.isEmpty()) {
        context.getCounter(BackupCounters.ENTRIES_WITH_ATTRIBUTES).increment(1);
      }
      return a;
    } catch (FileNotFoundException e) {
      // Gone since it was listed: reading it will say so.
      return EntryAttributes.NONE;
    } catch (AccessControlException e) {
      // Extended attributes need read permission on the entry (a directory the backup's user may
      // not list): the entry is kept without them, and counted; its contents are reported apart.
      context.getCounter(BackupCounters.ATTRIBUTES_UNREADABLE).increment(1);
      return EntryAttributes.NONE;
    }
  }

  @Override
  protected void cleanup(Context context) throws IOException {
    packs.close();
    context.getCounter(BackupCounters.PACKS_WRITTEN).increment(packs.packsWritten());
    context.getCounter(BackupCounters.PACKS_CHECKED).increment(reusable.packsChecked());
    index.close();
    codec.close();
    if (base != null) {
      context.getCounter(BackupCounters.BASE_SEGMENTS_READ).increment(base.segmentsRead());
      base.close();
    }
    if (checksumFs != null) {
      checksumFs.close();
    }
  }
}
