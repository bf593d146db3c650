package org.hbackup.common.repo;

import java.io.FileNotFoundException;
import java.io.IOException;
import java.io.InputStream;
import java.util.ArrayList;
import java.util.List;

import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileStatus;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.hbackup.common.CrashPoints;
import org.hbackup.common.DamageException;
import org.hbackup.common.FormatException;
import org.hbackup.common.HbackupException;
import org.hbackup.common.NotARepositoryException;
import org.hbackup.common.UnsupportedFormatVersionException;
import org.hbackup.common.io.ReadFailures;
import org.hbackup.common.id.ContentId;
import org.hbackup.common.id.PointId;
import org.hbackup.common.index.ChunkIndex;
import org.hbackup.common.io.FileSystems;
import org.hbackup.common.io.PosixFiles;
import org.hbackup.common.manifest.ManifestList;
import org.hbackup.common.manifest.SegmentReader;
import org.hbackup.common.manifest.SegmentRef;
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
    try (InputStream in = org.hbackup.common.io.RegularFiles.open(fs, layout.config())) {
      return new Repository(fs, layout, RepositoryConfig.fromJson(in, layout.config().toString()));
    }
  }

  /**
   * Refuses a repository one of whose own directories is a symbolic link or not a directory:
   * commands remove files in {@code locks/}, {@code tmp/} and {@code damage/} (and prune in the
   * others), and must never follow a link out of the repository and remove files there. The
   * root itself may be a link (an operator's choice of path). Called before the first removal.
   */
  public void checkOwnDirectories() throws IOException {
    Path[] dirs = {layout.packsDir(), layout.indexDir(), layout.manifestsDir(), layout.segmentsDir(),
        layout.manifestListsDir(), layout.pointsDir(), layout.tmpDir(), new Path(layout.root(), "locks"),
        new Path(layout.root(), "damage")};
    for (Path dir : dirs) {
      PosixFiles.Kind kind = PosixFiles.kindOf(fs, dir);
      if (kind != PosixFiles.Kind.DIRECTORY && kind != PosixFiles.Kind.MISSING) {
        throw new DamageException(dir + " is " + (kind == PosixFiles.Kind.SYMLINK ? "a symbolic link" : "not a directory")
            + ": hbackup never follows a link out of a repository, and does not use this one");
      }
    }
  }

  /** True when {@code root} holds a repository configuration. */
  public static boolean exists(Path root, Configuration conf) throws IOException {
    FileSystem fs = FileSystems.raw(root, conf);
    return fs.exists(new RepositoryLayout(fs.makeQualified(root)).config());
  }

  /**
   * Creates a repository at {@code root}, which must not exist, be an empty directory, or hold
   * only what a creation killed before its end left ({@link #isUnfinished}). The configuration is
   * the last file written, so a crash leaves no half-made repository that {@link #open} would
   * accept. The repository's directories are searchable by their owner only, and its files
   * readable by their owner only: packs hold the source's bytes, whatever the source's modes.
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
      if (fs.listStatus(qualified).length > 0 && !isUnfinished(qualified, conf)) {
        throw new NotARepositoryException(qualified + " exists, is not empty and is not an hbackup repository");
      }
    }
    FileSystems.mkdirsOwnerOnly(fs, qualified);
    PosixFiles.setPermission(fs, qualified, PosixFiles.OWNER_ONLY_DIRECTORY);
    // Parents first: mkdirs gives the permission only to the last directory it makes.
    for (Path dir : new Path[] {layout.packsDir(), layout.indexDir(), layout.manifestsDir(), layout.segmentsDir(),
        layout.manifestListsDir(),
        layout.pointsDir(), layout.tmpDir()}) {
      FileSystems.mkdirsOwnerOnly(fs, dir);
    }
    CrashPoints.reached(conf, "init.config");
    FileSystems.writeAtomically(fs, layout.config(), config.toJson(), layout.tmpDir());
    return new Repository(fs, layout, config);
  }

  /**
   * Whether {@code root} holds only what a creation killed before it wrote {@code config.json}
   * left: the layout's directories, empty, and in {@code tmp/} at most the configuration's own
   * scratch file. {@link #init}, and a backup into a new repository, take such a directory over.
   */
  public static boolean isUnfinished(Path root, Configuration conf) throws IOException {
    FileSystem fs = FileSystems.raw(root, conf);
    RepositoryLayout layout = new RepositoryLayout(fs.makeQualified(root));
    if (!fs.exists(layout.root()) || fs.exists(layout.config())) {
      return false;
    }
    java.util.Set<String> layoutDirs = java.util.Set.of(RepositoryLayout.PACKS, RepositoryLayout.INDEX,
        RepositoryLayout.MANIFESTS, RepositoryLayout.POINTS, RepositoryLayout.TMP);
    FileStatus[] children = fs.listStatus(layout.root());
    if (children.length == 0) {
      return false;
    }
    for (FileStatus child : children) {
      String name = child.getPath().getName();
      if (!child.isDirectory() || !layoutDirs.contains(name)) {
        return false;
      }
      for (FileStatus inside : fs.listStatus(child.getPath())) {
        String n = inside.getPath().getName();
        boolean emptyManifestDir = name.equals(RepositoryLayout.MANIFESTS)
            && (n.equals(RepositoryLayout.SEGMENTS) || n.equals(RepositoryLayout.LISTS))
            && inside.isDirectory() && fs.listStatus(inside.getPath()).length == 0;
        boolean configScratch = name.equals(RepositoryLayout.TMP) && n.startsWith("." + RepositoryLayout.CONFIG + ".");
        if (!emptyManifestDir && !configScratch) {
          return false;
        }
      }
    }
    return true;
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

  /**
   * Every published point, oldest first, and the records that could not be read. A damaged record
   * is reported, never a reason the rest of the repository cannot be used. Memory: one record per
   * point.
   */
  public PointScan scanPoints() throws IOException {
    List<PointRecord> points = new ArrayList<>();
    List<PointScan.Unreadable> unreadable = new ArrayList<>();
    FileStatus[] statuses;
    try {
      statuses = fs.listStatus(layout.pointsDir());
    } catch (FileNotFoundException e) {
      return new PointScan(points, unreadable);
    }
    for (FileStatus s : statuses) {
      String name = s.getPath().getName();
      if (!name.endsWith(RepositoryLayout.JSON_SUFFIX)) {
        continue;
      }
      String id = name.substring(0, name.length() - RepositoryLayout.JSON_SUFFIX.length());
      if (PointId.isPointId(id)) {
        try {
          points.add(readPoint(PointId.parse(id)));
        } catch (DamageException | UnsupportedFormatVersionException e) {
          unreadable.add(new PointScan.Unreadable(s.getPath().toString(), e.getMessage()));
        }
      }
    }
    points.sort(PointRecord.OLDEST_FIRST);
    return new PointScan(points, unreadable);
  }

  /** Every readable point, oldest first (see {@link #scanPoints()}). */
  public List<PointRecord> listPoints() throws IOException {
    return scanPoints().points();
  }

  /** The newest readable point, or null when there is none. */
  public PointRecord latestPoint() throws IOException {
    return scanPoints().latest();
  }

  /**
   * Reads a point record, checking that it names the point its file name says: a record copied
   * under another name would otherwise make one point restore another's manifest.
   */
  public PointRecord readPoint(PointId id) throws IOException {
    Path path = layout.point(id);
    PointRecord record;
    try (InputStream in = org.hbackup.common.io.RegularFiles.open(fs, path)) {
      record = PointRecord.fromJson(in, path.toString());
    } catch (FileNotFoundException e) {
      throw new HbackupException("no point " + id + " in " + layout.root(), e);
    } catch (IOException e) {
      throw ReadFailures.classify(e, path.toString());
    }
    if (!record.id().equals(id)) {
      throw new FormatException(path.toString(), "the record names point " + record.id() + ", not " + id);
    }
    return record;
  }

  /** Reads a point's manifest list (its record first; see {@link #readManifest(PointRecord)}). */
  public ManifestList readManifest(PointId id) throws IOException {
    return readManifest(readPoint(id));
  }

  /**
   * Reads the manifest list a point record names, checking that it is that point's: a
   * content-addressed list must hash to its name and name no point (version 3), and a point's
   * own list (versions 1 and 2, written before format version 6) must name the point. A list
   * copied or edited under another point's name is refused either way.
   */
  public ManifestList readManifest(PointRecord record) throws IOException {
    Path path = layout.manifestOf(record);
    byte[] bytes;
    try (InputStream in = org.hbackup.common.io.RegularFiles.open(fs, path)) {
      bytes = com.google.common.io.ByteStreams.toByteArray(
          com.google.common.io.ByteStreams.limit(in, ManifestList.MAX_BYTES + 1L));
    } catch (FileNotFoundException e) {
      throw new DamageException("the manifest list of point " + record.id() + " is missing: " + path, e);
    } catch (IOException e) {
      throw ReadFailures.classify(e, path.toString());
    }
    if (bytes.length > ManifestList.MAX_BYTES) {
      throw new FormatException(path.toString(), "a manifest list larger than " + ManifestList.MAX_BYTES + " bytes");
    }
    if (record.manifestList() != null) {
      ContentId actual = ContentId.of(bytes);
      if (!actual.equals(record.manifestList())) {
        throw new DamageException(path + ": manifest list content does not match its name (SHA-256 " + actual + ")");
      }
    }
    ManifestList list = ManifestList.fromJson(bytes, path.toString());
    PointId named = list.point();
    if (record.manifestList() == null && !record.id().equals(named)) {
      throw new FormatException(path.toString(), "the manifest list names point " + named + ", not " + record.id());
    }
    if (record.manifestList() != null && named != null) {
      // Only version 3 lists (bound to no point) are named by their content.
      throw new FormatException(path.toString(), "a manifest list named by its content names point " + named);
    }
    return list;
  }

  /** Opens a point's change list; the caller checks {@link PointRecord#hasChangeList()} first. */
  public org.hbackup.common.manifest.ChangeListReader openChangeList(PointRecord record) throws IOException {
    PointId id = record.id();
    Path path = layout.changeList(id);
    InputStream in;
    try {
      in = org.hbackup.common.io.RegularFiles.open(fs, path);
    } catch (FileNotFoundException e) {
      throw new DamageException("the change list of point " + id + " is missing: " + path, e);
    } catch (IOException e) {
      throw ReadFailures.classify(e, path.toString());
    }
    org.hbackup.common.manifest.ChangeListReader reader =
        new org.hbackup.common.manifest.ChangeListReader(new java.io.BufferedInputStream(in), path.toString());
    return record.changes() == null ? reader : reader.expecting(record.changes());
  }

  /** Opens a segment that a manifest list names, checked against the list's row for it. */
  public SegmentReader openSegment(SegmentRef ref) throws IOException {
    return openSegment(ref.id()).expecting(ref);
  }

  public SegmentReader openSegment(ContentId id) throws IOException {
    Path path = layout.segment(id);
    try (InputStream in = org.hbackup.common.io.RegularFiles.open(fs, path)) {
      return SegmentReader.open(id, in, path.toString());
    } catch (FileNotFoundException e) {
      throw new DamageException("manifest segment " + id + " is missing: " + path, e);
    } catch (IOException e) {
      throw ReadFailures.classify(e, path.toString());
    }
  }

  /** Opens every published index file for lookups. */
  public ChunkIndex openChunkIndex() throws IOException {
    return ChunkIndex.open(fs, layout.indexDir());
  }
}
