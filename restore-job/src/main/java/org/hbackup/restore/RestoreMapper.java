package org.hbackup.restore;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Paths;

import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FSDataOutputStream;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.apache.hadoop.io.BytesWritable;
import org.apache.hadoop.io.Text;
import org.apache.hadoop.mapreduce.Mapper;
import org.hbackup.common.ChunkMismatchException;
import org.hbackup.common.DamageException;
import org.hbackup.common.HbackupException;
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

/**
 * Restores the entries of one manifest split. Each file is written aside, every chunk checked
 * against its id and the whole file against its SHA-256, and only then renamed into place, so a
 * file appears at its final path complete or not at all. Damage fails that file alone: it is
 * counted and reported by name, and the task goes on. Directories are created here and handed to
 * the reducer, which applies their metadata after their contents.
 *
 * <p>Memory: one chunk at a time, the open-pack cache, and the repository's Bloom filters.
 */
public class RestoreMapper extends Mapper<Text, ManifestEntryWritable, RestoreKey, BytesWritable> {
  private Path target;
  private FileSystem fs;
  private ChunkReader chunks;
  private PathSelection selection;
  private boolean overwrite;
  private String tmpSuffix;
  private final RestoreKey outKey = new RestoreKey();
  private final BytesWritable outValue = new BytesWritable();

  @Override
  protected void setup(Context context) throws IOException {
    Configuration conf = context.getConfiguration();
    RestoreOptions options = RestoreOptions.readFrom(conf);
    target = options.target();
    fs = FileSystems.raw(target, conf);
    chunks = new ChunkReader(Repository.open(options.repository(), conf), conf);
    selection = new PathSelection(options.paths());
    overwrite = options.overwrite();
    // Per task, not per attempt: a retried attempt overwrites what a failed one left aside.
    tmpSuffix = ".hbackup-" + context.getTaskAttemptID().getTaskID() + ".tmp";
  }

  @Override
  protected void map(Text key, ManifestEntryWritable value, Context context)
      throws IOException, InterruptedException {
    ManifestEntry e = value.get();
    if (!selection.selects(e.path())) {
      return;
    }
    Path dest = RelativePaths.resolve(target, e.path());
    switch (e.type()) {
      case DIRECTORY:
        fs.mkdirs(dest);
        emit(RestoreKey.DIRECTORY, e.path(), ManifestEntryCodec.toBytes(e), context);
        break;
      case FILE:
        try {
          restoreFile(e, dest, context);
          context.getCounter(RestoreCounters.FILES).increment(1);
        } catch (DamageException ex) {
          context.getCounter(RestoreCounters.FILES_FAILED).increment(1);
          emit(RestoreKey.FAILURE, e.path(), ex.getMessage().getBytes(StandardCharsets.UTF_8), context);
        }
        break;
      case SYMLINK:
        restoreSymlink(e, dest);
        if (!EntryMetadata.applyToLink(fs, dest, e)) {
          context.getCounter(RestoreCounters.OWNERSHIP_NOT_APPLIED).increment(1);
        }
        context.getCounter(RestoreCounters.SYMLINKS).increment(1);
        break;
      default:
        throw new IllegalStateException(e.type().toString());
    }
  }

  private void restoreFile(ManifestEntry e, Path dest, Context context) throws IOException {
    Path parent = dest.getParent();
    fs.mkdirs(parent);
    Path aside = RelativePaths.resolve(parent, "." + dest.getName() + tmpSuffix);
    short replication = e.replication() > 0 ? e.replication() : fs.getDefaultReplication(dest);
    long blockSize = e.blockSize() > 0 && e.blockSize() % 512 == 0 ? e.blockSize() : fs.getDefaultBlockSize(dest);
    try {
      FileHasher whole = new FileHasher(e.rangeSize());
      try (FSDataOutputStream out = PosixFiles.create(fs, aside, 128 * 1024, replication, blockSize, context)) {
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
          context.progress();
        }
      }
      ContentId actual = whole.finish();
      if (!actual.equals(e.fileHash())) {
        throw new ChunkMismatchException(e.path() + ": restored content has " + (e.rangeSize() > 0
            ? "range hash" : "SHA-256") + " " + actual
            + ", the manifest says " + e.fileHash());
      }
      moveIntoPlace(aside, dest, e.path());
    } catch (IOException | RuntimeException ex) {
      fs.delete(aside, false);
      throw ex;
    }
    if (!EntryMetadata.apply(fs, dest, e)) {
      context.getCounter(RestoreCounters.OWNERSHIP_NOT_APPLIED).increment(1);
    }
  }

  private void moveIntoPlace(Path aside, Path dest, String path) throws IOException {
    if (fs.exists(dest)) {
      if (!overwrite || fs.getFileStatus(dest).isDirectory()) {
        throw new HbackupException("refusing to replace existing " + dest + " (" + path + ")"
            + (overwrite ? ": it is a directory" : "; use --overwrite"));
      }
      fs.delete(dest, false);
    }
    if (!fs.rename(aside, dest)) {
      throw new HbackupException("could not rename " + aside + " to " + dest);
    }
  }

  private void restoreSymlink(ManifestEntry e, Path dest) throws IOException {
    fs.mkdirs(dest.getParent());
    if (overwrite && fs.exists(dest) && !fs.getFileStatus(dest).isDirectory()) {
      fs.delete(dest, false);
    }
    if (PosixFiles.isLocal(fs)) {
      Files.createSymbolicLink(PosixFiles.local(dest), Paths.get(e.symlinkTarget()));
    } else {
      fs.createSymlink(new Path(e.symlinkTarget()), dest, false);
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
