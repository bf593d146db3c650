package org.hbackup.common.manifest;

/** The kind of a manifest entry; the code is its first byte in a segment. */
public enum EntryType {
  FILE(1),
  DIRECTORY(2),
  SYMLINK(3);

  private final int code;

  EntryType(int code) {
    this.code = code;
  }

  public int code() {
    return code;
  }

  /** The type of a code, or null. Without values(), which copies its array on every call (per entry decoded). */
  public static EntryType ofCode(int code) {
    switch (code) {
      case 1:
        return FILE;
      case 2:
        return DIRECTORY;
      case 3:
        return SYMLINK;
      default:
        return null;
    }
  }
}
