package org.hbackup.backup;

import java.io.FileNotFoundException;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

import org.apache.hadoop.fs.FileStatus;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.apache.hadoop.fs.RemoteIterator;
import org.apache.hadoop.hdfs.DistributedFileSystem;
import org.apache.hadoop.hdfs.protocol.SnapshotDiffReportListing;
import org.apache.hadoop.hdfs.protocol.SnapshotDiffReportListing.DiffReportListingEntry;
import org.apache.hadoop.hdfs.protocol.HdfsConstants;
import org.hbackup.common.HbackupException;
import org.hbackup.common.id.PointId;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The HDFS snapshots hbackup keeps of a snapshottable source: one per point, named
 * {@code hbackup-<point id>}, read by that point's backup and kept as long as a later backup may
 * compare with it. Only snapshots with that prefix are ever deleted.
 */
final class SourceSnapshots {
  private static final Logger LOG = LoggerFactory.getLogger(SourceSnapshots.class);
  static final String PREFIX = "hbackup-";

  private final DistributedFileSystem dfs;
  private final Path source;

  private SourceSnapshots(DistributedFileSystem dfs, Path source) {
    this.dfs = dfs;
    this.source = source;
  }

  /**
   * The snapshots of {@code source}, or null when it cannot have any: not on HDFS, or not
   * snapshottable and {@code allow} is false. With {@code allow}, makes the directory
   * snapshottable, which needs HDFS superuser rights.
   */
  static SourceSnapshots of(FileSystem fs, FileStatus source, boolean allow) throws IOException {
    if (!(fs instanceof DistributedFileSystem)) {
      if (allow) {
        throw new HbackupException("--snapshot needs an HDFS source; " + source.getPath() + " is not on HDFS");
      }
      return null;
    }
    DistributedFileSystem dfs = (DistributedFileSystem) fs;
    if (!source.isSnapshotEnabled()) {
      if (!allow) {
        return null;
      }
      try {
        dfs.allowSnapshot(source.getPath());
      } catch (org.apache.hadoop.security.AccessControlException e) {
        throw new HbackupException("cannot make " + source.getPath() + " snapshottable (HDFS superuser only): "
            + firstLine(e.getMessage()), e);
      }
      LOG.info("Made {} snapshottable", source.getPath());
    }
    return new SourceSnapshots(dfs, source.getPath());
  }

  static String nameOf(PointId point) {
    return PREFIX + point;
  }

  /** Creates the snapshot for {@code point} and returns the directory to read it from. */
  Path create(PointId point) throws IOException {
    return dfs.createSnapshot(source, nameOf(point));
  }

  boolean exists(String name) throws IOException {
    return dfs.exists(root(name));
  }

  Path root(String name) {
    return new Path(source, HdfsConstants.DOT_SNAPSHOT_DIR + Path.SEPARATOR + name);
  }

  /**
   * Renames between two snapshots, from the paged diff report listing: each page is one RPC, so a
   * report of millions of entries never has to fit into one NameNode response or one heap; only
   * the renames are kept, up to {@code limit}.
   */
  SnapshotRenames renames(String from, String to, int limit) throws IOException {
    SnapshotRenames renames = new SnapshotRenames(limit);
    long created = 0;
    long deleted = 0;
    long modified = 0;
    RemoteIterator<SnapshotDiffReportListing> pages = dfs.snapshotDiffReportListingRemoteIterator(source, from, to);
    while (pages.hasNext()) {
      SnapshotDiffReportListing page = pages.next();
      if (!page.getIsFromEarlier()) {
        throw new HbackupException("snapshot " + from + " of " + source + " is not earlier than " + to);
      }
      created += page.getCreateList().size();
      modified += page.getModifyList().size();
      // A rename is an entry of the deleted list that names where it went (HDFS-12594).
      for (DiffReportListingEntry e : page.getDeleteList()) {
        if (e.getTargetPath() == null) {
          deleted++;
        } else {
          renames.add(join(e.getSourcePath()), join(e.getTargetPath()));
        }
      }
    }
    LOG.info("Snapshot diff {} -> {} of {}: {} created, {} deleted, {} modified, {} renamed{}", from, to, source,
        created, deleted, modified, renames.size() + renames.dropped(),
        renames.dropped() > 0 ? " (" + renames.dropped() + " renames past the limit are read again)" : "");
    return renames;
  }

  /** A diff report path, its components relative to the snapshot root, as a manifest path. */
  private static String join(byte[][] components) {
    StringBuilder path = new StringBuilder();
    for (byte[] c : components) {
      if (c == null || c.length == 0) {
        continue;
      }
      if (path.length() > 0) {
        path.append('/');
      }
      path.append(new String(c, StandardCharsets.UTF_8));
    }
    return path.toString();
  }

  void delete(String name) throws IOException {
    dfs.deleteSnapshot(source, name);
    LOG.info("Deleted snapshot {} of {}", name, source);
  }

  /** Deletes hbackup's snapshots of the source that are not in {@code needed}; returns their names. */
  List<String> deleteAllBut(Set<String> needed) throws IOException {
    List<String> deleted = new ArrayList<>();
    FileStatus[] snapshots;
    try {
      snapshots = dfs.listStatus(new Path(source, HdfsConstants.DOT_SNAPSHOT_DIR));
    } catch (FileNotFoundException e) {
      return deleted;
    }
    for (FileStatus s : snapshots) {
      String name = s.getPath().getName();
      if (name.startsWith(PREFIX) && !needed.contains(name)) {
        delete(name);
        deleted.add(name);
      }
    }
    return deleted;
  }

  private static String firstLine(String message) {
    if (message == null) {
      return "permission denied";
    }
    int newline = message.indexOf('\n');
    return newline < 0 ? message : message.substring(0, newline);
  }
}
