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
import org.hbackup.common.OneLine;
import org.hbackup.common.id.PointId;
import org.hbackup.common.point.PointRecord;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The HDFS snapshots hbackup keeps of a snapshottable source, and their whole life in one place:
 * {@link #begin} creates the snapshot a backup reads, {@link #commit} (once the point is
 * published) deletes the ones no later backup can compare with, {@link #abort} deletes the one a
 * failed backup made. Snapshots are named {@code hbackup-<repository id>-<point id>}, so that two
 * repositories backing up the same directory never delete each other's: only this repository's
 * are ever deleted (and those named {@code hbackup-<point id>} by earlier versions, when that
 * point is this repository's).
 */
final class SourceSnapshots {
  private static final Logger LOG = LoggerFactory.getLogger(SourceSnapshots.class);
  static final String PREFIX = "hbackup-";

  private final DistributedFileSystem dfs;
  private final Path source;
  private final String repositoryId;
  /** The snapshot {@link #begin} made, until commit or abort. */
  private String taken;

  private SourceSnapshots(DistributedFileSystem dfs, Path source, String repositoryId) {
    this.dfs = dfs;
    this.source = source;
    this.repositoryId = repositoryId;
  }

  /**
   * The snapshots of {@code source}, or null when it cannot have any: not on HDFS, or not
   * snapshottable and {@code allow} is false. With {@code allow}, makes the directory
   * snapshottable, which needs HDFS superuser rights. Call {@link #forRepository} before use.
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
            + OneLine.of(e), e);
      }
      LOG.info("Made {} snapshottable", source.getPath());
    }
    return new SourceSnapshots(dfs, source.getPath(), null);
  }

  /** These snapshots as one repository names and deletes them. */
  SourceSnapshots forRepository(String id) {
    return new SourceSnapshots(dfs, source, id);
  }

  String nameOf(PointId point) {
    return PREFIX + repositoryId + "-" + point;
  }

  /** Creates the snapshot for {@code point}; returns the directory to read it from. */
  Path begin(PointId point) throws IOException {
    Path root = dfs.createSnapshot(source, nameOf(point));
    taken = nameOf(point);
    return root;
  }

  /** The name of the snapshot {@link #begin} made. */
  String taken() {
    return taken;
  }

  /**
   * The renames since {@code base}'s snapshot, or none when it has no snapshot any more (the
   * backup then compares with its manifest alone).
   */
  SnapshotRenames renamesSince(PointRecord base, int limit) throws IOException {
    if (base == null || base.snapshot() == null || !exists(base.snapshot())) {
      if (base != null) {
        LOG.info("The base point's snapshot is gone: changes come from comparing with its manifest only");
      }
      return SnapshotRenames.NONE;
    }
    return renames(base.snapshot(), taken, limit);
  }

  /**
   * After the point is published: deletes this repository's snapshots of the source except
   * those in {@code needed} (the bases of the next incremental and differential backups).
   * {@code points} are this repository's points, by which earlier versions' snapshot names are
   * recognized. Returns the names deleted.
   */
  List<String> commit(Set<String> needed, Set<String> points) throws IOException {
    taken = null;
    List<String> deleted = new ArrayList<>();
    FileStatus[] snapshots;
    try {
      snapshots = dfs.listStatus(new Path(source, HdfsConstants.DOT_SNAPSHOT_DIR));
    } catch (FileNotFoundException e) {
      return deleted;
    }
    String own = PREFIX + repositoryId + "-";
    for (FileStatus s : snapshots) {
      String name = s.getPath().getName();
      boolean ours = (name.startsWith(own) && PointId.isPointId(name.substring(own.length())))
          || (name.startsWith(PREFIX) && points.contains(name.substring(PREFIX.length())));
      if (ours && !needed.contains(name)) {
        delete(name);
        deleted.add(name);
      }
    }
    return deleted;
  }

  /** After a failed backup: deletes the snapshot it made, which no point refers to. */
  void abort() {
    if (taken == null) {
      return;
    }
    try {
      delete(taken);
    } catch (IOException e) {
      // A failure here must not hide the backup's own error.
      LOG.warn("Could not delete snapshot {} of {}: {}", taken, source, e.getMessage());
    }
    taken = null;
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

  private void delete(String name) throws IOException {
    dfs.deleteSnapshot(source, name);
    LOG.info("Deleted snapshot {} of {}", name, source);
  }

}
