package org.hbackup.prune;

import java.io.IOException;

import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.apache.hadoop.hdfs.DistributedFileSystem;
import org.apache.hadoop.hdfs.protocol.HdfsConstants;
import org.hbackup.common.OneLine;
import org.hbackup.common.point.PointRecord;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Deletes the HDFS snapshot a forgotten point was read from, when it is still there: only
 * hbackup's own snapshots of this repository ({@code hbackup-<repository id>-<point id>}, or
 * {@code hbackup-<point id>} as earlier versions named them), never another tool's or another
 * repository's. A snapshot that cannot be deleted (the source is gone, no permission) is reported,
 * never a reason to keep the point.
 */
final class SourceSnapshotCleanup {
  private static final Logger LOG = LoggerFactory.getLogger(SourceSnapshotCleanup.class);

  /** What happened to one forgotten point's snapshot. */
  enum Outcome { NONE, DELETED, FAILED }

  private SourceSnapshotCleanup() {
  }

  static Outcome deleteFor(PointRecord point, String repositoryId, Configuration conf) {
    String name = point.snapshot();
    if (name == null || !(name.equals("hbackup-" + repositoryId + "-" + point.id())
        || name.equals("hbackup-" + point.id()))) {
      return Outcome.NONE;
    }
    Path source = new Path(point.source());
    try {
      FileSystem fs = source.getFileSystem(conf);
      if (!(fs instanceof DistributedFileSystem)) {
        return Outcome.NONE;
      }
      if (!fs.exists(new Path(source, HdfsConstants.DOT_SNAPSHOT_DIR + Path.SEPARATOR + name))) {
        return Outcome.NONE;
      }
      ((DistributedFileSystem) fs).deleteSnapshot(source, name);
      LOG.info("Deleted snapshot {} of {}, which only forgotten point {} needed", name, source, point.id());
      return Outcome.DELETED;
    } catch (IOException | RuntimeException e) {
      LOG.warn("Could not delete snapshot {} of {} (of forgotten point {}): {}", name, source, point.id(),
          OneLine.of(e));
      return Outcome.FAILED;
    }
  }
}
