package org.hbackup.common.repo;

import java.io.FileNotFoundException;
import java.io.IOException;
import java.io.InputStream;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileStatus;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.hbackup.common.DamageException;
import org.hbackup.common.FormatException;
import org.hbackup.common.HbackupException;
import org.hbackup.common.NotARepositoryException;
import org.hbackup.common.id.ContentId;
import org.hbackup.common.id.PointId;
import org.hbackup.common.index.ChunkIndex;
import org.hbackup.common.io.FileSystems;
import org.hbackup.common.manifest.ManifestList;
import org.hbackup.common.manifest.SegmentReader;
import org.hbackup.common.point.PointRecord;

/**
 * An opened repository: its configuration, its layout and read access to what it has
 * published. The algorithms (backup, restore) see the repository only through this class and
 * the format readers and writers beside it.
 */
public final class Repository {
  private final FileSystem fs;
  private final RepositoryLayout layout;
  private final RepositoryConfig config;

  private Repository(FileSystem fs, RepositoryLayout layout, RepositoryConfig config) {
    this.fs = fs;
    this.layout = layout;
    this.config = config;
  }

  /** Opens the repository at {@code root}, checking its configuration's format version. */
  public static Repository open(Path root, Configuration conf) throws IOException {
    FileSystem fs = FileSystems.raw(root, conf);
    Path qualified = fs.makeQualified(root);
    RepositoryLayout layout = new RepositoryLayout(qualified);
    if (!fs.exists(layout.config())) {
      if (fs.exists(qualified)) {
        throw new NotARepositoryException(qualified + " is not an hbackup repository (no " + RepositoryLayout.CONFIG + ")");
      }
      throw new NotARepositoryException("no repository at " + qualified);
    }
    try (InputStream in = fs.open(layout.config())) {
      return new Repository(fs, layout, RepositoryConfig.fromJson(in, layout.config().toString()));
    }
  }

  /** True when {@code root} holds a repository configuration. */
  public static boolean exists(Path root, Configuration conf) throws IOException {
    FileSystem fs = FileSystems.raw(root, conf);
    return fs.exists(new RepositoryLayout(fs.makeQualified(root)).config());
  }

  /**
   * Creates a repository at {@code root}, which must not exist or be an empty directory. The
   * configuration is the last file written, so a crash leaves no half-made repository that
   * {@link #open} would accept.
   */
  public static Repository init(Path root, RepositoryConfig config, Configuration conf) throws IOException {
    FileSystem fs = FileSystems.raw(root, conf);
    Path qualified = fs.makeQualified(root);
    RepositoryLayout layout = new RepositoryLayout(qualified);
    if (fs.exists(qualified)) {
      FileStatus status = fs.getFileStatus(qualified);
      if (!status.isDirectory()) {
        throw new HbackupException("cannot create a repository at " + qualified + ": it is a file");
      }
      if (fs.exists(layout.config())) {
        throw new HbackupException("a repository already exists at " + qualified);
      }
      if (fs.listStatus(qualified).length > 0) {
        throw new NotARepositoryException(qualified + " exists, is not empty and is not an hbackup repository");
      }
    }
    for (Path dir : new Path[] {layout.packsDir(), layout.indexDir(), layout.segmentsDir(),
        layout.pointsDir(), layout.tmpDir()}) {
      fs.mkdirs(dir);
    }
    FileSystems.writeAtomically(fs, layout.config(), config.toJson(), layout.tmpDir());
    return new Repository(fs, layout, config);
  }

  public FileSystem fileSystem() {
    return fs;
  }

  public RepositoryLayout layout() {
    return layout;
  }

  public RepositoryConfig config() {
    return config;
  }

  /** Every published point, oldest first. Memory: one record per point. */
  public List<PointRecord> listPoints() throws IOException {
    List<PointRecord> points = new ArrayList<>();
    FileStatus[] statuses;
    try {
      statuses = fs.listStatus(layout.pointsDir());
    } catch (FileNotFoundException e) {
      return points;
    }
    for (FileStatus s : statuses) {
      String name = s.getPath().getName();
      if (!name.endsWith(RepositoryLayout.JSON_SUFFIX)) {
        continue;
      }
      String id = name.substring(0, name.length() - RepositoryLayout.JSON_SUFFIX.length());
      if (PointId.isPointId(id)) {
        points.add(readPoint(PointId.parse(id)));
      }
    }
    points.sort((a, b) -> a.id().compareTo(b.id()));
    return Collections.unmodifiableList(points);
  }

  /** The newest point, or null when there is none. Memory: one record per point. */
  public PointRecord latestPoint() throws IOException {
    List<PointRecord> points = listPoints();
    return points.isEmpty() ? null : points.get(points.size() - 1);
  }

  /**
   * Reads a point record, checking that it names the point its file name says: a record copied
   * under another name would otherwise make one point restore another's manifest.
   */
  public PointRecord readPoint(PointId id) throws IOException {
    Path path = layout.point(id);
    PointRecord record;
    try (InputStream in = fs.open(path)) {
      record = PointRecord.fromJson(in, path.toString());
    } catch (FileNotFoundException e) {
      throw new HbackupException("no point " + id + " in " + layout.root(), e);
    }
    if (!record.id().equals(id)) {
      throw new FormatException(path.toString(), "the record names point " + record.id() + ", not " + id);
    }
    return record;
  }

  /** Reads a point's manifest list, checking that it is that point's. */
  public ManifestList readManifest(PointId id) throws IOException {
    Path path = layout.manifest(id);
    ManifestList list;
    try (InputStream in = fs.open(path)) {
      list = ManifestList.fromJson(in, path.toString());
    } catch (FileNotFoundException e) {
      throw new DamageException("the manifest list of point " + id + " is missing: " + path, e);
    }
    if (!list.point().equals(id)) {
      throw new FormatException(path.toString(), "the manifest list names point " + list.point() + ", not " + id);
    }
    return list;
  }

  /** Opens a point's change list; the caller checks {@link PointRecord#hasChangeList()} first. */
  public org.hbackup.common.manifest.ChangeListReader openChangeList(PointId id) throws IOException {
    Path path = layout.changeList(id);
    return new org.hbackup.common.manifest.ChangeListReader(new java.io.BufferedInputStream(fs.open(path)),
        path.toString());
  }

  public SegmentReader openSegment(ContentId id) throws IOException {
    Path path = layout.segment(id);
    try (InputStream in = fs.open(path)) {
      return SegmentReader.open(id, in, path.toString());
    } catch (FileNotFoundException e) {
      throw new org.hbackup.common.DamageException("manifest segment " + id + " is missing: " + path, e);
    }
  }

  /** Opens every published index file for lookups. */
  public ChunkIndex openChunkIndex() throws IOException {
    return ChunkIndex.open(fs, layout.indexDir());
  }
}
