package org.hbackup.backup;

import java.io.Closeable;
import java.io.IOException;
import java.util.Objects;

import org.apache.hadoop.fs.FileStatus;
import org.hbackup.common.io.ChangeStamp;
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
  /**
   * Base entries whose last change is at or after this time (milliseconds since the epoch), on a
   * source whose times are whole seconds, do not prove a file unchanged: the base point's start
   * less the coarsest timestamp resolution allowed for (BackupConfigKeys.RECENT_MS).
   */
  private final long trustedBefore;
  private long recentInBase;

  CarryOver(BaseManifest base, BackupSettings settings) {
    this(base, settings.basePoint(), settings);
  }

  /** With the base point named, where the settings do not name it yet (the driver's listing). */
  CarryOver(BaseManifest base, org.hbackup.common.id.PointId basePoint, BackupSettings settings) {
    this.base = base;
    this.accessTimes = settings.options().accessTimes();
    this.sourceChecksums = settings.sourceChecksums();
    this.trustedBefore = basePoint == null ? Long.MIN_VALUE
        : basePoint.created().toEpochMilli() - settings.recentMillis();
  }

  /**
   * The base entry of a file whose listing says it is unchanged (same type, length and
   * modification time), or null. Looked up before the source is read: a segment missing from the
   * repository is damage, not a file that vanished from the source.
   *
   * <p>Null also for a base entry whose time is whole seconds (S3, ext3, HFS+, FAT) and too
   * close to the base point's start ("racily clean", as git calls it), unless a content checksum
   * confirms it: the base point may have read the file in the same second as a write that came
   * after the read and left length and times as the point recorded them. Taken as unchanged, the
   * stale content would be carried from point to point until the file changed again. Where times
   * have a finer grain (ext4, XFS, tmpfs: the kernel's tick, at most 10 ms), a status listed by
   * the driver and read by a task much later than a tick cannot share its tick with a write after
   * the read. Reading costs only the files changed in the seconds before and during the base backup.
   */
  ManifestEntry unchangedFile(ListingKey key, FileStatus status) throws IOException {
    ManifestEntry previous = base == null ? null : base.sameFile(key.basePath(), status);
    if (previous != null && tooRecent(previous)) {
      if (key.rangeIndex() == 0) {
        recentInBase++;
      }
      return null;
    }
    return previous;
  }

  /**
   * Whether the base entry's file may have been written again in the second the base point read
   * it: its last change, as far as what confirms it unchanged can tell, is on a whole second and
   * not before {@link #trustedBefore}. Never for a content checksum (HDFS's), which must match;
   * for a local change stamp its ctime (a pinned modification time says nothing of when the file
   * was written); else its modification time.
   */
  private boolean tooRecent(ManifestEntry previous) {
    Long changed = ChangeStamp.changeNanos(previous.sourceChecksum());
    if (changed != null) {
      return changed == Long.MAX_VALUE
          || (changed % 1_000_000_000L == 0 && Math.floorDiv(changed, 1_000_000L) >= trustedBefore);
    }
    if (sourceChecksums && previous.sourceChecksum() != null) {
      return false;
    }
    return previous.modificationTime() % 1000 == 0 && previous.modificationTime() >= trustedBefore;
  }

  /**
   * The driver's guess, while listing, of whether a map task will carry the file over: the same
   * tests as the task's, but for a content checksum, which only the task asks for. It weighs the
   * file's split (an unchanged file costs little), so a wrong "unchanged" put a whole tree's reads
   * into one task when every stamp had moved (the first backup with stamps, a chmod -R).
   */
  boolean likelyUnchanged(String basePath, FileStatus status) throws IOException {
    ManifestEntry previous = base == null ? null : base.sameFile(basePath, status);
    if (previous == null || tooRecent(previous)) {
      return false;
    }
    ChangeStamp stamp = ChangeStamp.of(status);
    return stamp == null || !sourceChecksums || stamp.asChecksum().equals(previous.sourceChecksum());
  }

  /** Files whose base entry matched but was too recent to trust (FILES_RECENT_IN_BASE). */
  long recentInBase() {
    return recentInBase;
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
        || !Objects.equals(previous.fileHash(), entry.fileHash())
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
