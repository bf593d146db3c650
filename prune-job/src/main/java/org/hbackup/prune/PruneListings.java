package org.hbackup.prune;

import java.io.FileNotFoundException;
import java.io.IOException;
import java.util.List;

import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileStatus;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.apache.hadoop.fs.RemoteIterator;
import org.apache.hadoop.io.BytesWritable;
import org.apache.hadoop.io.SequenceFile;
import org.apache.hadoop.io.Text;
import org.apache.hadoop.io.Writable;
import org.apache.hadoop.mapreduce.InputSplit;
import org.apache.hadoop.mapreduce.JobContext;
import org.apache.hadoop.mapreduce.lib.input.FileInputFormat;
import org.hbackup.common.DamageException;
import org.hbackup.common.id.ContentId;
import org.hbackup.common.io.PosixFiles;
import org.hbackup.common.repo.RepositoryLayout;
import org.hbackup.job.WeightedInputFormat;
import org.hbackup.job.WeightedSplits;
import org.hbackup.verify.VerifyKey;

/**
 * The listings the prune driver streams into its work directory, and the input formats that cut
 * them into splits of about equal work. Each listing is written as the repository is listed, a
 * record at a time: the driver never holds a directory's worth of names.
 */
final class PruneListings {
  private PruneListings() {
  }

  /** Sum of lengths and count of the files listed. */
  record Totals(long files, long bytes) {
  }

  static SequenceFile.Writer writer(Configuration conf, Path file, Class<? extends Writable> key,
      Class<? extends Writable> value) throws IOException {
    return SequenceFile.createWriter(conf, SequenceFile.Writer.file(file), SequenceFile.Writer.keyClass(key),
        SequenceFile.Writer.valueClass(value), SequenceFile.Writer.compression(SequenceFile.CompressionType.NONE));
  }

  /**
   * Packs (in their fan-out directories) as (path, FILE record), a sync mark before each so that
   * a split can start at any pack.
   */
  static Totals listPacks(FileSystem fs, RepositoryLayout layout, SequenceFile.Writer out) throws IOException {
    return walkFanOut(fs, layout.packsDir(), RepositoryLayout.PACK_SUFFIX, (s, name) -> {
      if (RepositoryLayout.packAt(s.getPath()) == null) {
        return false; // not a pack's name, or not in its fan-out directory: not ours to delete
      }
      out.sync();
      out.append(new Text(s.getPath().toString()),
          new BytesWritable(PruneRecord.file(s.getLen(), s.getModificationTime())));
      return true;
    });
  }

  /** Segment files as (segment key, FILE record), to meet the points that name them. */
  static Totals listSegments(FileSystem fs, RepositoryLayout layout, SequenceFile.Writer out) throws IOException {
    return walkFanOut(fs, layout.segmentsDir(), RepositoryLayout.SEGMENT_SUFFIX, (s, name) -> {
      ContentId id = RepositoryLayout.segmentAt(s.getPath());
      if (id == null) {
        return false; // not a segment's name, or not in its fan-out directory: not ours to delete
      }
      out.append(new VerifyKey(VerifyKey.SEGMENT, id.bytes(), (byte) 1),
          new BytesWritable(PruneRecord.file(s.getLen(), s.getModificationTime())));
      return true;
    });
  }

  /** Takes one file of a fan-out walk; returns whether it counts. */
  private interface FanOutVisitor {
    boolean visit(FileStatus file, String name) throws IOException;
  }

  /**
   * Visits the files named {@code *suffix} in the fan-out directories under {@code root} (packs
   * and segments both live one directory down), streaming: one directory listing at a time.
   */
  private static Totals walkFanOut(FileSystem fs, Path root, String suffix, FanOutVisitor visitor)
      throws IOException {
    long files = 0;
    long bytes = 0;
    boolean local = PosixFiles.isLocal(fs);
    for (RemoteIterator<FileStatus> dirs = iterate(fs, root); dirs.hasNext();) {
      FileStatus dir = dirs.next();
      if (!dir.isDirectory()) {
        continue;
      }
      // Hadoop's local listing follows links: a fan-out directory that is one led prune out of
      // the repository, where it deleted a file named like a damaged pack (found by a probe).
      if (local && dir.getPath().getName().matches("[0-9a-f]{2}")
          && PosixFiles.kindOf(fs, dir.getPath()) == PosixFiles.Kind.SYMLINK) {
        throw new DamageException(dir.getPath() + " is a symbolic link: hbackup never follows a link out of a"
            + " repository, and does not use this one");
      }
      if (!dir.getPath().getName().matches("[0-9a-f]{2}")) {
        continue; // not a fan-out directory: nothing in it is a pack or segment a reader opens
      }
      for (RemoteIterator<FileStatus> it = iterate(fs, dir.getPath()); it.hasNext();) {
        FileStatus s = it.next();
        String name = s.getPath().getName();
        if (s.isFile() && name.endsWith(suffix) && visitor.visit(s, name)) {
          files++;
          bytes += s.getLen();
        }
      }
    }
    return new Totals(files, bytes);
  }

  static RemoteIterator<FileStatus> iterate(FileSystem fs, Path dir) throws IOException {
    try {
      return fs.listStatusIterator(dir);
    } catch (FileNotFoundException e) {
      return org.apache.hadoop.util.functional.RemoteIterators.remoteIteratorFromIterable(List.<FileStatus>of());
    }
  }

  /** The largest split: the whole over the most map tasks, but not below the minimum split. */
  static long target(Configuration conf, long total) {
    int maps = Math.max(1, conf.getInt(PruneConfigKeys.MAX_MAPS, PruneConfigKeys.DEFAULT_MAX_MAPS));
    return Math.max(conf.getLong(PruneConfigKeys.MIN_SPLIT_BYTES, PruneConfigKeys.DEFAULT_MIN_SPLIT_BYTES),
        (total + maps - 1) / maps);
  }

  /** Cost of reading a pack's header and trailer, as split weight: a small read, not the pack. */
  static final long TRAILER_WEIGHT = 1024L * 1024;

  /** The pack listing: a pack weighs its trailer read. */
  public static final class Packs extends WeightedInputFormat<Text, BytesWritable> {
    @Override
    public List<InputSplit> getSplits(JobContext job) throws IOException {
      Configuration conf = job.getConfiguration();
      return WeightedSplits.<Text, BytesWritable>of(conf, FileInputFormat.getInputPaths(job)[0],
          target(conf, conf.getLong(PruneConfigKeys.PACK_LISTING_WEIGHT, 0)), (k, v) -> TRAILER_WEIGHT);
    }
  }

  /**
   * Copies (pack path, used blobs) records from the packs job's outputs into one listing with a
   * sync mark before each, so that splits can start at any pack; returns the bytes to copy.
   */
  static long relist(Configuration conf, FileSystem fs, Path outputs, SequenceFile.Writer out) throws IOException {
    long bytes = 0;
    Text key = new Text();
    BytesWritable value = new BytesWritable();
    for (RemoteIterator<FileStatus> it = iterate(fs, outputs); it.hasNext();) {
      FileStatus s = it.next();
      if (!s.isFile() || s.getPath().getName().startsWith("_") || s.getPath().getName().startsWith(".")) {
        continue;
      }
      try (SequenceFile.Reader in = new SequenceFile.Reader(conf, SequenceFile.Reader.file(s.getPath()))) {
        while (in.next(key, value)) {
          out.sync();
          out.append(key, value);
          for (PruneRecord.Blob b : PruneRecord.readBlobs(value.getBytes(), value.getLength())) {
            bytes += b.storedLength();
          }
        }
      }
    }
    return bytes;
  }

  /** The repack listing, (pack path, used blobs): a pack weighs the bytes to copy out of it. */
  public static final class Repack extends WeightedInputFormat<Text, BytesWritable> {
    @Override
    public List<InputSplit> getSplits(JobContext job) throws IOException {
      Configuration conf = job.getConfiguration();
      return WeightedSplits.<Text, BytesWritable>of(conf, FileInputFormat.getInputPaths(job)[0],
          target(conf, conf.getLong(PruneConfigKeys.REPACK_LISTING_WEIGHT, 0)), (k, v) -> {
            try {
              long bytes = 0;
              for (PruneRecord.Blob b : PruneRecord.readBlobs(v.getBytes(), v.getLength())) {
                bytes += b.storedLength();
              }
              return bytes;
            } catch (IOException e) {
              throw new java.io.UncheckedIOException(e);
            }
          });
    }
  }
}
