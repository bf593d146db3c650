package org.hbackup.backup;

import java.io.IOException;
import java.util.ArrayDeque;
import java.util.Deque;

import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileStatus;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.apache.hadoop.fs.RemoteIterator;
import org.apache.hadoop.io.SequenceFile;
import org.hbackup.common.io.PosixFiles;
import org.hbackup.common.manifest.RelativePaths;

/**
 * Walks the source tree and streams every entry into a listing file, so the driver never holds
 * the namespace (DistCp's client runs out of memory near a million paths because it does).
 * Memory: the directories not yet listed. Each record is preceded by a sync mark, so that any
 * record boundary can start a split and splits can be balanced exactly by bytes.
 */
public final class SourceLister {
  /** What the walk found. */
  public static final class Totals {
    private long entries;
    private long files;
    private long bytes;
    private long weight;

    public long entries() {
      return entries;
    }

    public long files() {
      return files;
    }

    public long bytes() {
      return bytes;
    }

    /** Sum of split weights: file bytes plus a per-entry cost. */
    public long weight() {
      return weight;
    }
  }

  private final Configuration conf;
  private final long fileWeight;

  public SourceLister(Configuration conf) {
    this.conf = conf;
    this.fileWeight = conf.getLong(BackupConfigKeys.FILE_WEIGHT_BYTES, BackupConfigKeys.DEFAULT_FILE_WEIGHT_BYTES);
  }

  /** The split weight of one entry: what reading it costs, in bytes. */
  public static long weight(FileStatus status, long fileWeight) {
    return status.isFile() ? status.getLen() + fileWeight : fileWeight / 16;
  }

  /** A directory still to list: where it is, and its path in the base point if it was renamed. */
  private static final class PendingDirectory {
    final Path path;
    final String basePath;

    PendingDirectory(Path path, String basePath) {
      this.path = path;
      this.basePath = basePath;
    }
  }

  /** Lists the source directory {@code root}, read live. */
  public Totals list(FileSystem sourceFs, Path root, Path listing) throws IOException {
    return list(sourceFs, root, null, listing, SnapshotRenames.NONE);
  }

  /**
   * Lists {@code root}, the source or a snapshot of it. {@code rootMetadata}, when given, is the
   * source directory's own status, taken as the root entry's metadata: a snapshot's root reports
   * the snapshot's creation time instead. {@code renames} gives, for paths renamed since the base
   * point, the path they had there; an entry under a renamed directory inherits its old path.
   */
  public Totals list(FileSystem sourceFs, Path root, FileStatus rootMetadata, Path listing, SnapshotRenames renames)
      throws IOException {
    Totals totals = new Totals();
    Path qualifiedRoot = sourceFs.getFileStatus(root).getPath();
    FileStatus rootStatus = PosixFiles.complete(sourceFs,
        rootMetadata != null ? rootMetadata : sourceFs.getFileStatus(root));
    ListingKey key = new ListingKey();
    try (SequenceFile.Writer writer = SequenceFile.createWriter(conf,
        SequenceFile.Writer.file(listing),
        SequenceFile.Writer.keyClass(ListingKey.class),
        SequenceFile.Writer.valueClass(FileStatus.class),
        SequenceFile.Writer.compression(SequenceFile.CompressionType.NONE))) {
      key.set(RelativePaths.ROOT, null);
      append(writer, key, rootStatus, totals);
      Deque<PendingDirectory> pending = new ArrayDeque<>();
      pending.push(new PendingDirectory(qualifiedRoot, null));
      while (!pending.isEmpty()) {
        PendingDirectory dir = pending.pop();
        RemoteIterator<FileStatus> children = sourceFs.listStatusIterator(dir.path);
        while (children.hasNext()) {
          FileStatus child = PosixFiles.complete(sourceFs, children.next());
          String relative = RelativePaths.relativize(qualifiedRoot, child.getPath());
          String basePath = renames.sourceOf(relative);
          if (basePath == null && dir.basePath != null) {
            basePath = RelativePaths.child(dir.basePath, child.getPath().getName());
          }
          key.set(relative, basePath);
          append(writer, key, child, totals);
          if (child.isDirectory()) {
            pending.push(new PendingDirectory(child.getPath(), basePath));
          }
        }
      }
    }
    return totals;
  }

  private void append(SequenceFile.Writer writer, ListingKey key, FileStatus status, Totals totals)
      throws IOException {
    writer.sync();
    // Plain FileStatus: file systems return subclasses (HdfsLocatedFileStatus) the listing's
    // value class does not accept, and block locations are not needed.
    writer.append(key, status.getClass() == FileStatus.class ? status : new FileStatus(status));
    totals.entries++;
    if (status.isFile()) {
      totals.files++;
      totals.bytes += status.getLen();
    }
    totals.weight += weight(status, fileWeight);
  }
}
