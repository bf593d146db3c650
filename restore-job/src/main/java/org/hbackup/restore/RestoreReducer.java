package org.hbackup.restore;

import java.io.IOException;
import java.nio.charset.StandardCharsets;

import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.apache.hadoop.io.BytesWritable;
import org.apache.hadoop.io.Text;
import org.hbackup.common.CrashPoints;
import org.hbackup.common.OneLine;
import org.hbackup.common.io.FileSystems;
import org.hbackup.common.io.PosixFiles;
import org.hbackup.common.manifest.ManifestEntry;
import org.hbackup.common.manifest.ManifestEntryCodec;
import org.hbackup.common.manifest.RelativePaths;
import org.hbackup.job.RecordingReducer;

/**
 * Finishes a restore once every map task is done (the shuffle delivers nothing before): writes
 * the report of failed and refused entries, creates the symlinks (only now, so that no task could
 * have written through one; each made aside and renamed into place), then applies directory
 * metadata deepest first, after all contents. Memory: one entry at a time.
 */
public class RestoreReducer extends RecordingReducer<RestoreKey, BytesWritable, Text, Text> {
  private RestoreTarget target;
  /** Whether restored entries may carry ACL entries or xattrs that are not theirs (see EntryMetadata). */
  private boolean foreignAttributes;
  private FileSystem fs;
  private Path staging;
  private boolean stagingRemoved;
  private long linksMade;
  private final Text outPath = new Text();
  private final Text outReason = new Text();

  @Override
  protected void setup(Context context) throws IOException {
    Configuration conf = context.getConfiguration();
    RestoreOptions options = RestoreOptions.readFrom(conf);
    fs = FileSystems.raw(options.target(), conf);
    target = new RestoreTarget(fs, options.target(), options.overwrite() || context.getTaskAttemptID().getId() > 0);
    foreignAttributes = EntryMetadata.foreignAttributes(fs, options.target(),
        options.overwrite() || context.getTaskAttemptID().getId() > 0);
    // The staging directory holds only what failed attempts and damaged files left: emptied now
    // (never removed: it is what tells a later restore that this one did not finish), then used
    // for symlinks made aside, and removed just before the target root's metadata is applied
    // (removing it changes the root's modification time), or at the end.
    String name = conf.get(RestoreConfigKeys.STAGING);
    staging = name == null ? null : new Path(name);
    if (staging != null) {
      TargetStaging.empty(fs, staging, options.point().toString());
    }
    CrashPoints.reached(conf, "restore.reduce");
  }

  @Override
  protected void reduce(RestoreKey key, Iterable<BytesWritable> values, Context context)
      throws IOException, InterruptedException {
    for (BytesWritable value : values) {
      if (key.kind() == RestoreKey.FAILURE) {
        report(key.path(), new String(value.getBytes(), 0, value.getLength(), StandardCharsets.UTF_8), context);
        continue;
      }
      ManifestEntry e = ManifestEntryCodec.fromBytes(value.getBytes(), 0, value.getLength(), "shuffle");
      try {
        if (key.kind() == RestoreKey.SYMLINK) {
          restoreSymlink(e, context);
        } else {
          if (e.path().isEmpty()) {
            // Last of all: until now a killed restore leaves its staging directory, so a restore
            // into this target again is told it did not finish (it was removed before the first
            // directory, and a kill then left a target without its links and times that looked whole).
            removeStaging();
          }
          finishDirectory(e, context);
          if (!directoriesStarted) {
            directoriesStarted = true;
            CrashPoints.reached(context.getConfiguration(), "restore.directories");
          }
        }
      } catch (UnsafeTargetException ex) {
        context.getCounter(RestoreCounters.ENTRIES_REFUSED).increment(1);
        report(e.path(), ex.getMessage(), context);
      } catch (java.nio.file.FileSystemException ex) {
        context.getCounter(RestoreCounters.ENTRIES_REFUSED).increment(1);
        report(e.path(), (e.path().isEmpty() ? "." : e.path()) + ": " + OneLine.of(ex), context);
      }
    }
  }

  /** Creates the link aside, then renames it into place: it replaces a file or link there at once. */
  private void restoreSymlink(ManifestEntry e, Context context) throws IOException {
    target.ensureDirectory(RelativePaths.parent(e.path()));
    Path aside = new Path(staging, "r" + context.getTaskAttemptID().getId() + "-" + linksMade++);
    target.createSymlink(e.symlinkTarget(), aside, e.path());
    EntryMetadata.applyToLink(fs, aside, e, context);
    try {
      target.place(aside, e.path());
    } catch (IOException | RuntimeException ex) {
      PosixFiles.deleteEntry(fs, aside);
      throw ex;
    }
    context.getCounter(RestoreCounters.SYMLINKS).increment(1);
  }

  /** Applies a directory's metadata, after checking it is still a directory and not a link. */
  private void finishDirectory(ManifestEntry e, Context context) throws IOException {
    if (!target.isDirectory(e.path())) {
      throw new UnsafeTargetException(e.path(), "is no longer a directory in the target; its metadata is not applied");
    }
    EntryMetadata.apply(fs, target.pathOf(e.path()), e, context, foreignAttributes);
    context.getCounter(RestoreCounters.DIRECTORIES).increment(1);
  }

  /** Whether a directory's metadata, after every symlink, has been applied (a crash point's step). */
  private boolean directoriesStarted;

  private void removeStaging() throws IOException {
    if (!stagingRemoved && staging != null) {
      fs.delete(staging, true);
    }
    stagingRemoved = true;
  }

  @Override
  protected void cleanup(Context context) throws IOException {
    removeStaging();
  }

  private void report(String path, String reason, Context context) throws IOException, InterruptedException {
    outPath.set(path);
    outReason.set(reason);
    context.write(outPath, outReason);
  }
}
