package org.hbackup.common.compress;

import java.util.Locale;

/**
 * How a blob's payload is stored. The code is the first byte of every blob (docs/FORMAT.md,
 * "Blobs"); codes are never reused for another method.
 */
public enum Compression {
  /** Stored as is: chosen per blob whenever compressing would not make it smaller. */
  NONE(0),
  /** A Zstandard frame (zstd-jni): the fastest good ratio measured here. */
  ZSTD(1),
  /** Hadoop's {@code Lz4Codec} block stream; needs no native library since Hadoop 3.3. */
  LZ4(2),
  /** Hadoop's {@code SnappyCodec} block stream; needs no native library since Hadoop 3.3. */
  SNAPPY(3);

  private final int code;

  Compression(int code) {
    this.code = code;
  }

  public int code() {
    return code;
  }

  public String configName() {
    return name().toLowerCase(Locale.ROOT);
  }

  public static Compression ofCode(int code) {
    for (Compression c : values()) {
      if (c.code == code) {
        return c;
      }
    }
    throw new IllegalArgumentException("unknown compression code " + code);
  }

  public static Compression parse(String name) {
    for (Compression c : values()) {
      if (c.configName().equals(name)) {
        return c;
      }
    }
    throw new IllegalArgumentException("unknown compression '" + name + "' (zstd, lz4, snappy, none)");
  }
}
