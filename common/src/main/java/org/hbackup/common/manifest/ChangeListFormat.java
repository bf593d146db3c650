package org.hbackup.common.manifest;

import org.hbackup.common.io.FormatChecks;

/** Constants of the change list format, version 1 (docs/FORMAT.md, "Change lists"). */
final class ChangeListFormat {
  static final byte[] MAGIC = FormatChecks.magic("HBCH");
  static final int VERSION = 1;
  static final int MIN_VERSION = 1;
  static final int ZSTD_LEVEL = 3;

  private ChangeListFormat() {
  }
}
