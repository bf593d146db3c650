package org.hbackup.backup;

import java.io.IOException;
import java.io.InputStream;
import java.util.HashSet;
import java.util.Set;

import org.apache.hadoop.fs.FSDataOutputStream;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.hbackup.common.id.ContentId;
import org.hbackup.common.io.FileSystems;
import org.hbackup.common.manifest.ManifestList;
import org.hbackup.common.manifest.SegmentRef;
import org.hbackup.common.manifest.SegmentSink;
import org.hbackup.common.repo.Repository;
import org.hbackup.common.repo.RepositoryLayout;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Where the backup reducer puts each manifest segment it finishes: staged and synced for the
 * committer to publish, unless the base point already names a segment of the same content and the
 * repository's file of that name holds exactly these bytes. A range of paths that did not change
 * since the base gives a byte-identical segment (its name is its content's hash), so an
 * incremental backup of a mostly unchanged tree stages only the segments that changed: a backup of
 * 200,000 unchanged files wrote and synced 194 segments that the committer then found already
 * published and dropped (up to 0.5 s of a 2 s reduce when the disk was busy; docs/BENCHMARKS.md).
 *
 * <p>Safe because it only skips what is there now, compared byte for byte, and because the
 * committer checks every segment the manifest list names but the job did not stage, as it checks a
 * taken name, before it publishes the list (FORMAT.md, "Segments already there"); a segment damaged
 * or gone by then fails the backup, and the next run stages it again. Memory: the base point's
 * segment names (one per ~1,000 entries), which the reducer's base manifest list holds anyway.
 */
final class SegmentStager implements SegmentSink {
  private static final Logger LOG = LoggerFactory.getLogger(SegmentStager.class);

  private final FileSystem stagingFs;
  private final Path segmentsDir;
  private final Repository repository;
  private final Set<ContentId> baseSegments = new HashSet<>();
  private final byte[] compareBuffer = new byte[64 * 1024];
  private long staged;
  private long shared;

  /** {@code repository} and {@code base} are null for a full backup: every segment is staged. */
  SegmentStager(FileSystem stagingFs, Path segmentsDir, Repository repository, ManifestList base) {
    this.stagingFs = stagingFs;
    this.segmentsDir = segmentsDir;
    this.repository = repository;
    if (base != null) {
      for (SegmentRef segment : base.segments()) {
        baseSegments.add(segment.id());
      }
    }
  }

  @Override
  public void store(ContentId id, byte[] bytes, int length) throws IOException {
    if (baseSegments.contains(id) && repositoryHolds(id, bytes, length)) {
      shared++;
      return;
    }
    try (FSDataOutputStream out = FileSystems.createOwnerOnly(stagingFs,
        new Path(segmentsDir, id.toHex() + RepositoryLayout.SEGMENT_SUFFIX), true)) {
      out.write(bytes, 0, length);
      FileSystems.sync(out);
    }
    staged++;
  }

  /** Whether the repository's segment {@code id} is exactly {@code bytes[0..length)}. */
  private boolean repositoryHolds(ContentId id, byte[] bytes, int length) {
    Path file = repository.layout().segment(id);
    try (InputStream in = org.hbackup.common.io.RegularFiles.open(repository.fileSystem(), file)) {
      int compared = 0;
      for (int r; (r = in.read(compareBuffer)) > 0; compared += r) {
        if (compared + r > length
            || !java.util.Arrays.equals(compareBuffer, 0, r, bytes, compared, compared + r)) {
          return false;
        }
      }
      return compared == length;
    } catch (IOException e) {
      // Gone or unreadable: stage this copy, which the committer publishes in its place.
      LOG.warn("Manifest segment {} of the base point cannot be read ({}): writing it again", file, e.getMessage());
      return false;
    }
  }

  /** Segments staged for the committer. */
  long staged() {
    return staged;
  }

  /** Segments left to the base point's copy in the repository. */
  long shared() {
    return shared;
  }
}
