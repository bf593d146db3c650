package org.hbackup.restore;

import java.io.IOException;
import java.nio.charset.StandardCharsets;

import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FSDataOutputStream;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.apache.hadoop.io.BytesWritable;
import org.apache.hadoop.io.Text;
import org.hbackup.common.ChunkMismatchException;
import org.hbackup.common.CrashPoints;
import org.hbackup.common.DamageException;
import org.hbackup.common.OneLine;
import org.hbackup.common.id.ContentId;
import org.hbackup.common.id.FileHasher;
import org.hbackup.common.io.FileSystems;
import org.hbackup.common.io.PosixFiles;
import org.hbackup.common.manifest.ChunkRef;
import org.hbackup.common.manifest.ManifestEntry;
import org.hbackup.common.manifest.ManifestEntryCodec;
import org.hbackup.common.manifest.RelativePaths;
import org.hbackup.common.repo.ChunkReader;
import org.hbackup.common.repo.Repository;
import org.hbackup.job.RecordingMapper;

/**
 * Restores the files and directories of one manifest split. Each file is written in the
 * restore's staging directory (owner-only, under a short name, so that any name the source held
 * fits), every chunk checked against its id and the whole file against its hash, its metadata
 * applied, and only then renamed into place: a file appears at its final path complete, verified
 * and with its mode, or not at all. Directories are created here, never through a symlink, and
 * handed to the reducer, which applies their metadata after their contents; symlinks are handed
 * to the reducer too, which creates them after every task has finished writing.
 *
 * <p>Damage fails that file alone, and an entry the restore must not write (below a symlink of
 * the point, a conflict in the target, inside the repository) is refused alone: each is counted
 * and reported by name, and the task goes on.
 *
 * <p>Memory: one chunk at a time, the open-pack cache, the repository's Bloom filters, and the
 * directories already checked.
 */
public class RestoreMapper extends RecordingMapper<Text, ManifestEntryWritable, RestoreKey, BytesWritable> {
  private static final org.slf4j.Logger LOG = org.slf4j.LoggerFactory.getLogger(RestoreMapper.class);
  private static final int WRITE_BUFFER = 128 * 1024;
  private RestoreTarget target;
  /** Whether restored entries may carry ACL entries or xattrs that are not theirs (see EntryMetadata). */
  private boolean foreignAttributes;
  private FileSystem fs;
  private Path staging;
  /** What files created in the staging directory have from the start (HDFS). */
  private StagingDefaults created;
  /** Closes, finishes and places written files, a few at a time where closing waits (HDFS). */
  private FileFinisher finisher;
  private final java.util.concurrent.atomic.AtomicLong filesPlaced = new java.util.concurrent.atomic.AtomicLong();
  private ChunkReader chunks;
  private PathSelection selection;
  private String repositoryInTarget;
  private String asidePrefix;
  private long asideCount;
  /** The bytes written to the target are paid for here (--bandwidth). */
  private org.hbackup.job.Throttle throttle;
  private final RestoreKey outKey = new RestoreKey();
  private final BytesWritable outValue = new BytesWritable();

  @Override
  protected void setup(Context context) throws IOException {
    Configuration conf = context.getConfiguration();
    RestoreOptions options = RestoreOptions.readFrom(conf);
    fs = FileSystems.raw(options.target(), conf);
    // A retried attempt meets what its failed predecessor placed: it may replace it.
    target = new RestoreTarget(fs, options.target(), options.overwrite() || context.getTaskAttemptID().getId() > 0);
    foreignAttributes = EntryMetadata.foreignAttributes(fs, options.target(),
        options.overwrite() || context.getTaskAttemptID().getId() > 0);
    staging = new Path(conf.get(RestoreConfigKeys.STAGING));
    created = foreignAttributes ? StagingDefaults.UNKNOWN : StagingDefaults.of(fs, staging, conf);
    finisher = new FileFinisher(PosixFiles.isLocal(fs) ? 1
        : conf.getInt(RestoreConfigKeys.FILES_IN_FLIGHT, RestoreConfigKeys.DEFAULT_FILES_IN_FLIGHT));
    chunks = new ChunkReader(Repository.open(options.repository(), conf), conf);
    selection = new PathSelection(options.paths());
    throttle = org.hbackup.job.Throttle.of(conf.getFloat(RestoreConfigKeys.BANDWIDTH_MIB, 0));
    context.getCounter(RestoreCounters.MAP_TASKS).increment(1);
    repositoryInTarget = conf.get(RestoreConfigKeys.REPOSITORY_IN_TARGET);
    // Short and unique per attempt: a retried attempt never meets what a failed one left.
    asidePrefix = "m" + context.getTaskAttemptID().getTaskID().getId() + "a" + context.getTaskAttemptID().getId() + "-";
  }

  @Override
  protected void map(Text key, ManifestEntryWritable value, Context context)
      throws IOException, InterruptedException {
    ManifestEntry e = value.get();
    if (!selection.selects(e.path())) {
      return;
    }
    String refusal = value.refusal() != null ? value.refusal() : repositoryConflict(e.path());
    if (refusal != null) {
      refuse(e.path(), refusal, context);
      return;
    }
    try {
      switch (e.type()) {
        case DIRECTORY:
          target.ensureDirectory(e.path());
          emit(RestoreKey.DIRECTORY, e.path(), ManifestEntryCodec.toBytes(e), context);
          break;
        case FILE:
          target.ensureDirectory(RelativePaths.parent(e.path()));
          restoreFile(e, context);
          CrashPoints.reached(context.getConfiguration(), "restore.map");
          break;
        case SYMLINK:
          emit(RestoreKey.SYMLINK, e.path(), ManifestEntryCodec.toBytes(e), context);
          break;
        default:
          throw new IllegalStateException(e.type().toString());
      }
    } catch (DamageException ex) {
      context.getCounter(RestoreCounters.FILES_FAILED).increment(1);
      emit(RestoreKey.FAILURE, e.path(), ex.getMessage().getBytes(StandardCharsets.UTF_8), context);
    } catch (UnsafeTargetException ex) {
      refuse(e.path(), ex.getMessage(), context);
    } catch (java.nio.file.FileSystemException ex) {
      // This entry cannot exist in the target (a name too long, a part of it not a directory).
      refuse(e.path(), OneLine.of(ex), context);
    }
  }

  /** Why an entry would overwrite the repository, which lies inside the target; or null. */
  private String repositoryConflict(String path) {
    if (repositoryInTarget == null) {
      return null;
    }
    if (RelativePaths.isAtOrUnder(path, repositoryInTarget)) {
      return "it would overwrite the repository, which lies at '" + repositoryInTarget + "' in the target";
    }
    return null;
  }

  private void refuse(String path, String reason, Context context) throws IOException, InterruptedException {
    context.getCounter(RestoreCounters.ENTRIES_REFUSED).increment(1);
    String message = reason.startsWith(path + ": ") ? reason : (path.isEmpty() ? "." : path) + ": " + reason;
    emit(RestoreKey.FAILURE, path, message.getBytes(StandardCharsets.UTF_8), context);
  }

  /**
   * Writes one file aside, checking every chunk and then the whole file against the manifest,
   * and hands it to the finisher, which closes it, applies its metadata and renames it into
   * place. A file that fails its check is removed and never placed.
   */
  private void restoreFile(ManifestEntry e, Context context) throws IOException, InterruptedException {
    Path aside = new Path(staging, asidePrefix + asideCount++);
    Path dest = target.pathOf(e.path());
    short replication = e.replication() > 0 ? e.replication() : fs.getDefaultReplication(dest);
    long blockSize = e.blockSize() > 0 && e.blockSize() % 512 == 0 ? e.blockSize() : fs.getDefaultBlockSize(dest);
    short createMode = created.createMode(e);
    FSDataOutputStream out = createAside(aside, dest, e, replication, blockSize,
        createMode >= 0 ? createMode : PosixFiles.OWNER_ONLY_FILE, context);
    boolean handedOver = false;
    try {
      FileHasher whole = new FileHasher(e.rangeSize());
      for (ChunkRef ref : e.chunks()) {
        byte[] data;
        try {
          data = chunks.read(ref.id(), ref.length());
        } catch (DamageException ex) {
          throw new DamageException(e.path() + ": " + ex.getMessage(), ex);
        }
        out.write(data);
        whole.update(data, 0, data.length);
        context.getCounter(RestoreCounters.CHUNKS_READ).increment(1);
        context.getCounter(RestoreCounters.BYTES_WRITTEN).increment(data.length);
        if (throttle.limits()) {
          context.getCounter(RestoreCounters.THROTTLED_MS).increment(throttle.pay(data.length));
        }
        context.progress();
      }
      ContentId actual = whole.finish();
      if (!actual.equals(e.fileHash())) {
        throw new ChunkMismatchException(e.path() + ": restored content has " + (e.rangeSize() > 0
            ? "range hash" : "SHA-256") + " " + actual + ", the manifest says " + e.fileHash());
      }
      boolean ownerAsIs = created.owns(e);
      handedOver = true;
      finisher.submit(e.path(), () -> finish(out, aside, e, ownerAsIs, createMode >= 0));
    } finally {
      if (!handedOver) {
        abandon(out, aside);
      }
    }
    report(context);
  }

  /**
   * Creates the file a restored file is written to aside, with the entry's replication and block
   * size; one the target will not take (above its maximum, below its minimum block size: a
   * hostile manifest's) gets the target's defaults instead, and the file is still restored.
   */
  private FSDataOutputStream createAside(Path aside, Path dest, ManifestEntry e, short replication, long blockSize,
      short mode, Context context) throws IOException {
    try {
      return PosixFiles.createNew(fs, aside, writeBufferSize(e.length()), replication, blockSize, context, mode);
    } catch (java.nio.file.FileAlreadyExistsException | org.apache.hadoop.fs.FileAlreadyExistsException taken) {
      throw taken;
    } catch (IOException refused) {
      LOG.warn("{}: the target refused replication {} and block size {} ({}); restoring it with its defaults",
          e.path(), replication, blockSize, OneLine.of(refused));
      return PosixFiles.createNew(fs, aside, writeBufferSize(e.length()), fs.getDefaultReplication(dest),
          fs.getDefaultBlockSize(dest), context, mode);
    }
  }

  /**
   * The write buffer of one restored file: 128 KiB, or the file's size when it is smaller. Each
   * file gets a buffer of its own (it is closed later, on the finisher's thread), and a buffer of
   * 128 KiB for each of a tree's many small files was most of what a restore allocated (5.1 GB for
   * 1 GB of data, measured with JFR), which the collector then had to clear.
   */
  static int writeBufferSize(long fileLength) {
    return (int) Math.max(1, Math.min(WRITE_BUFFER, fileLength));
  }

  /**
   * Closes a written and checked file, applies its metadata (mode, owner and times before it is
   * visible: it never shows with a wider mode) and renames it into place; on the finisher's
   * thread. Returns why the target refused it, or null.
   */
  private String finish(FSDataOutputStream out, Path aside, ManifestEntry e, boolean ownerAsIs, boolean modeAsIs)
      throws IOException {
    boolean placed = false;
    try {
      out.close();
      finisher.notApplied(EntryMetadata.applyAll(fs, aside, e, foreignAttributes, ownerAsIs, modeAsIs));
      target.place(aside, e.path());
      placed = true;
      filesPlaced.incrementAndGet();
      return null;
    } catch (UnsafeTargetException ex) {
      return ex.getMessage();
    } catch (java.nio.file.FileSystemException ex) {
      return OneLine.of(ex);
    } finally {
      if (!placed) {
        fs.delete(aside, false);
      }
    }
  }

  /** Closes and removes a file that is not to be placed; what fails here changes nothing. */
  private void abandon(FSDataOutputStream out, Path aside) {
    try {
      out.close();
    } catch (IOException | RuntimeException ex) {
      // The file is removed below, or with the staging directory.
    }
    try {
      fs.delete(aside, false);
    } catch (IOException ex) {
      // Removed with the staging directory.
    }
  }

  /** Reports, on this thread, what the finisher did since the last call: files, refusals, counts. */
  private void report(Context context) throws IOException, InterruptedException {
    long placed = filesPlaced.getAndSet(0);
    if (placed > 0) {
      context.getCounter(RestoreCounters.FILES).increment(placed);
    }
    for (int bits : finisher.notAppliedBits()) {
      if ((bits & EntryMetadata.OWNERSHIP) != 0) {
        context.getCounter(RestoreCounters.OWNERSHIP_NOT_APPLIED).increment(1);
      }
      if ((bits & EntryMetadata.ATTRIBUTES) != 0) {
        context.getCounter(RestoreCounters.ATTRIBUTES_NOT_APPLIED).increment(1);
      }
    }
    for (FileFinisher.Refusal r : finisher.refusals()) {
      refuse(r.path(), r.reason(), context);
    }
  }

  private void emit(byte kind, String path, byte[] bytes, Context context) throws IOException, InterruptedException {
    outKey.set(kind, path);
    outValue.set(bytes, 0, bytes.length);
    context.write(outKey, outValue);
  }

  @Override
  protected void cleanup(Context context) throws IOException, InterruptedException {
    try {
      finisher.drain();
      report(context);
    } finally {
      finisher.close();
      chunks.close();
    }
  }
}
