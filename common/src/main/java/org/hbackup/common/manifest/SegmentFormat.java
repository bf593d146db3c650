package org.hbackup.common.manifest;

import org.hbackup.common.io.FormatChecks;

/** Constants of the manifest segment format, versions 1 to 4 (docs/FORMAT.md, "Manifest segments"). */
final class SegmentFormat {
  static final byte[] MAGIC = FormatChecks.magic("HBMS");
  /** Version 2 adds the source checksum to file entries. */
  static final int VERSION = ManifestEntryCodec.CURRENT;
  static final int MIN_VERSION = 1;
  static final int BODY_RAW = 0;
  static final int BODY_ZSTD = 1;
  /** Largest segment file a reader accepts: far above what writers produce (see ManifestWriter). */
  static final long MAX_FILE_BYTES = 512L * 1024 * 1024;
  /**
   * How much larger than its stored body a zstd body may decode to: entries are mostly chunk ids,
   * which do not compress, so real segments stay far below; a bomb does not.
   */
  static final long MAX_RATIO = 16;
  /** A body of any stored size may decode to this much (small segments of long, repetitive paths). */
  static final long MAX_RAW_FOR_ANY_BODY = 64L * 1024 * 1024;

  private SegmentFormat() {
  }
}
