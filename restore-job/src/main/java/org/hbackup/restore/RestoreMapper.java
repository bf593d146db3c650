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
  private RestoreTarget target;
  /** Whether restored entries may carry ACL entries or xattrs that are not theirs (see EntryMetadata). */
  private boolean foreignAttributes;
  private FileSystem fs;
  private Path staging;
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
          context.getCounter(RestoreCounters.FILES).increment(1);
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

  private void restoreFile(ManifestEntry e, Context context) throws IOException {
    Path aside = new Path(staging, asidePrefix + asideCount++);
    Path dest = target.pathOf(e.path());
    short replication = e.replication() > 0 ? e.replication() : fs.getDefaultReplication(dest);
    long blockSize = e.blockSize() > 0 && e.blockSize() % 512 == 0 ? e.blockSize() : fs.getDefaultBlockSize(dest);
    boolean placed = false;
    try {
      FileHasher whole = new FileHasher(e.rangeSize());
      try (FSDataOutputStream out = PosixFiles.createNew(fs, aside, 128 * 1024, replication, blockSize, context)) {
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
      }
      ContentId actual = whole.finish();
      if (!actual.equals(e.fileHash())) {
        throw new ChunkMismatchException(e.path() + ": restored content has " + (e.rangeSize() > 0
            ? "range hash" : "SHA-256") + " " + actual + ", the manifest says " + e.fileHash());
      }
      // Mode, owner and times before the file is visible: it never shows with a wider mode.
      EntryMetadata.apply(fs, aside, e, context, foreignAttributes);
      target.place(aside, e.path());
      placed = true;
    } finally {
      if (!placed) {
        fs.delete(aside, false);
      }
    }
  }

  private void emit(byte kind, String path, byte[] bytes, Context context) throws IOException, InterruptedException {
    outKey.set(kind, path);
    outValue.set(bytes, 0, bytes.length);
    context.write(outKey, outValue);
  }

  @Override
  protected void cleanup(Context context) throws IOException {
    chunks.close();
  }
}
