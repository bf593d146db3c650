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

  public static EntryType ofCode(int code) {
    for (EntryType t : values()) {
      if (t.code == code) {
        return t;
      }
    }
    return null;
  }
}
