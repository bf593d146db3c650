package org.hbackup.common.pack;

import org.hbackup.common.io.FormatChecks;

/** Constants of the pack file format, version 1 (docs/FORMAT.md, "Pack files"). */
final class PackFormat {
  static final byte[] MAGIC = FormatChecks.magic("HBPK");
  static final int VERSION = 1;
  static final int MIN_VERSION = 1;
  /** magic, u16 version, u16 reserved, pack id. */
  static final int HEADER_LENGTH = 4 + 2 + 2 + 16;
  /** chunk id, u64 offset, u32 stored length, u32 raw length. */
  static final int TRAILER_ROW_LENGTH = 32 + 8 + 4 + 4;
  /** u32 blob count, u64 trailer offset, SHA-256 of the trailer rows, magic. */
  static final int FOOTER_LENGTH = 4 + 8 + 32 + 4;

  private PackFormat() {
  }
}
