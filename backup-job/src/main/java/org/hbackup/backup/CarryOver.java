package org.hbackup.backup;

import java.io.Closeable;
import java.io.IOException;
import java.util.Objects;

import org.apache.hadoop.fs.FileStatus;
import org.hbackup.common.manifest.ManifestEntry;
import org.hbackup.common.manifest.SourceChecksum;

/**
 * What a backup takes over from its base point without reading the source: a file's chunk list
 * when the file is unchanged, and an entry's access time when only reading can have moved it.
 * A full backup has no base, and takes nothing over.
 */
final class CarryOver implements Closeable {
  /** The base point's entries; null for a full backup. */
  private final BaseManifest base;
  private final boolean accessTimes;
  private final boolean sourceChecksums;

  CarryOver(BaseManifest base, BackupSettings settings) {
    this.base = base;
    this.accessTimes = settings.options().accessTimes();
    this.sourceChecksums = settings.sourceChecksums();
  }

  /**
   * The base entry of a file whose listing says it is unchanged (same type, length and
   * modification time), or null. Looked up before the source is read: a segment missing from the
   * repository is damage, not a file that vanished from the source.
   */
  ManifestEntry unchangedFile(ListingKey key, FileStatus status) throws IOException {
    return base == null ? null : base.sameFile(key.basePath(), status);
  }

  /** Whether a renamed entry (HDFS snapshot diff) is found in the base under its old path. */
  boolean renamedInBase(ListingKey key) throws IOException {
    return key.renamed() && base != null && base.find(key.basePath()) != null;
  }

  /**
   * The file's entry built from its base entry without reading the file, or null when it must be
   * read: where source checksums are used, only the same checksum confirms the content (an
   * unavailable one never does). The metadata is the source's as it is now.
   */
  ManifestEntry file(ManifestEntry previous, ManifestEntry.Builder metadata, SourceChecksum checksum) {
    if (sourceChecksums && (checksum == null || !checksum.equals(previous.sourceChecksum()))) {
      return null;
    }
    metadata.fileHash(previous.fileHash()).chunks(previous.chunks()).rangeSize(previous.rangeSize())
        .sourceChecksum(checksum);
    if (!accessTimes) {
      // Same content and modification time: reading it (the previous backup did) moved only
      // its access time, which must not make the point store new metadata.
      metadata.accessTime(previous.accessTime());
    }
    return metadata.build();
  }

  /**
   * The entry with its base entry's access time when only reading can have moved it: same type,
   * same modification time (and for a symlink, same target). Listing a directory or reading a
   * file moves its access time, and the previous backup did both; without this, every point of
   * an unchanged tree would store all of its metadata again (DESIGN.md §2). Unless --atime.
   */
  ManifestEntry keepAccessTime(ListingKey key, ManifestEntry entry) throws IOException {
    if (accessTimes || base == null) {
      return entry;
    }
    ManifestEntry previous = base.find(key.basePath());
    if (previous == null || previous.type() != entry.type()
        || previous.modificationTime() != entry.modificationTime()
        || !Objects.equals(previous.symlinkTarget(), entry.symlinkTarget())
        || previous.accessTime() == entry.accessTime()) {
      return entry;
    }
    return entry.toBuilder(entry.type(), entry.path()).accessTime(previous.accessTime()).build();
  }

  /** Segments of the base point decoded so far. */
  long segmentsRead() {
    return base == null ? 0 : base.segmentsRead();
  }

  @Override
  public void close() {
    if (base != null) {
      base.close();
    }
  }
}
