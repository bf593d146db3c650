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
import org.apache.hadoop.io.Text;
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

  public Totals list(FileSystem sourceFs, Path root, Path listing) throws IOException {
    Totals totals = new Totals();
    FileStatus rootStatus = PosixFiles.complete(sourceFs, sourceFs.getFileStatus(root));
    Path qualifiedRoot = rootStatus.getPath();
    try (SequenceFile.Writer writer = SequenceFile.createWriter(conf,
        SequenceFile.Writer.file(listing),
        SequenceFile.Writer.keyClass(Text.class),
        SequenceFile.Writer.valueClass(FileStatus.class),
        SequenceFile.Writer.compression(SequenceFile.CompressionType.NONE))) {
      append(writer, RelativePaths.ROOT, rootStatus, totals);
      Deque<Path> pending = new ArrayDeque<>();
      pending.push(qualifiedRoot);
      while (!pending.isEmpty()) {
        RemoteIterator<FileStatus> children = sourceFs.listStatusIterator(pending.pop());
        while (children.hasNext()) {
          FileStatus child = PosixFiles.complete(sourceFs, children.next());
          append(writer, RelativePaths.relativize(qualifiedRoot, child.getPath()), child, totals);
          if (child.isDirectory()) {
            pending.push(child.getPath());
          }
        }
      }
    }
    return totals;
  }

  private void append(SequenceFile.Writer writer, String path, FileStatus status, Totals totals)
      throws IOException {
    writer.sync();
    // Plain FileStatus: file systems return subclasses (HdfsLocatedFileStatus) the listing's
    // value class does not accept, and block locations are not needed.
    writer.append(new Text(path), status.getClass() == FileStatus.class ? status : new FileStatus(status));
    totals.entries++;
    if (status.isFile()) {
      totals.files++;
      totals.bytes += status.getLen();
    }
    totals.weight += weight(status, fileWeight);
  }
}
