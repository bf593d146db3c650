package org.hbackup.common.repo;

import java.io.FileNotFoundException;
import java.io.IOException;
import java.io.InputStream;

import org.apache.hadoop.fs.FileStatus;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.hbackup.common.HbackupException;
import org.hbackup.common.id.ContentId;
import org.hbackup.common.id.PackId;
import org.hbackup.common.manifest.ManifestList;
import org.hbackup.common.io.FileSystems;
import org.hbackup.common.point.PointRecord;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Publishes a staged point into the repository in the order that keeps a crash harmless:
 * packs, then index files, then manifest segments, then the change list and the manifest list, and last the point
 * record, in one rename. Each step only adds files that nothing published yet refers to until the
 * step after it, so a crash at any moment leaves unreferenced files (which prune removes), never
 * a point that names something missing.
 */
public final class PointPublisher {
  private static final Logger LOG = LoggerFactory.getLogger(PointPublisher.class);

  private final Repository repository;

  public PointPublisher(Repository repository) {
    this.repository = repository;
  }

  /** Reads the manifest list the job staged, so the driver can fill in the point record. */
  public ManifestList stagedManifest(StagingLayout staging) throws IOException {
    try (InputStream in = repository.fileSystem().open(staging.manifest())) {
      return ManifestList.fromJson(in, staging.manifest().toString());
    } catch (FileNotFoundException e) {
      throw new HbackupException("the backup job staged no manifest at " + staging.manifest(), e);
    }
  }

  /** Publishes everything but the point: data, index, segments. */
  public void publishData(StagingLayout staging) throws IOException {
    FileSystem fs = repository.fileSystem();
    RepositoryLayout layout = repository.layout();
    int packs = 0;
    for (FileStatus s : list(fs, staging.packsDir(), RepositoryLayout.PACK_SUFFIX)) {
      PackId id = PackId.parse(stem(s.getPath(), RepositoryLayout.PACK_SUFFIX));
      FileSystems.renameNew(fs, s.getPath(), layout.pack(id));
      packs++;
    }
    int indexes = 0;
    for (FileStatus s : list(fs, staging.indexDir(), RepositoryLayout.INDEX_SUFFIX)) {
      ContentId id = ContentId.parse(stem(s.getPath(), RepositoryLayout.INDEX_SUFFIX));
      FileSystems.renameNew(fs, s.getPath(), layout.index(id));
      indexes++;
    }
    int segmentsNew = 0;
    int segmentsShared = 0;
    for (FileStatus s : list(fs, staging.segmentsDir(), RepositoryLayout.SEGMENT_SUFFIX)) {
      ContentId id = ContentId.parse(stem(s.getPath(), RepositoryLayout.SEGMENT_SUFFIX));
      Path target = layout.segment(id);
      if (fs.exists(target)) {
        // Same name, same bytes: an earlier point already published this path range.
        fs.delete(s.getPath(), false);
        segmentsShared++;
      } else {
        FileSystems.renameNew(fs, s.getPath(), target);
        segmentsNew++;
      }
    }
    LOG.info("Published {} packs, {} index files, {} new and {} shared manifest segments",
        packs, indexes, segmentsNew, segmentsShared);
  }

  /**
   * Publishes the manifest list, then the point record: the one rename that makes the point
   * exist. Call only after {@link #publishData}.
   */
  public void publishPoint(StagingLayout staging, PointRecord record) throws IOException {
    FileSystem fs = repository.fileSystem();
    RepositoryLayout layout = repository.layout();
    if (record.hasChangeList()) {
      FileSystems.renameNew(fs, staging.changes(), layout.changeList(record.id()));
    }
    FileSystems.renameNew(fs, staging.manifest(), layout.manifest(record.id()));
    FileSystems.writeAtomically(fs, layout.point(record.id()), record.toJson(), layout.tmpDir());
    LOG.info("Published point {}", record.id());
  }

  private static FileStatus[] list(FileSystem fs, Path dir, String suffix) throws IOException {
    try {
      return fs.listStatus(dir, p -> p.getName().endsWith(suffix));
    } catch (FileNotFoundException e) {
      return new FileStatus[0];
    }
  }

  private static String stem(Path p, String suffix) {
    String name = p.getName();
    return name.substring(0, name.length() - suffix.length());
  }
}
