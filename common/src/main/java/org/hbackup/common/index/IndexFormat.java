package org.hbackup.common.index;

import org.hbackup.common.io.FormatChecks;

/** Constants of the index file format, version 1 (docs/FORMAT.md, "Index files"). */
final class IndexFormat {
  static final byte[] MAGIC = FormatChecks.magic("HBIX");
  static final int VERSION = 1;
  static final int MIN_VERSION = 1;
  static final int HEADER_LENGTH = 4 + 2 + 2;
  static final int FANOUT_LENGTH = 256 * 8;
  /** u64 entry count, u64 fanout offset, u64 bloom offset, u64 bloom length, magic. */
  static final int FOOTER_LENGTH = 8 * 4 + 4;
  /** False-positive rate of the advisory Bloom filter: 1% costs ~1.2 bytes per chunk. */
  static final double BLOOM_FPP = 0.01;

  private IndexFormat() {
  }
}
