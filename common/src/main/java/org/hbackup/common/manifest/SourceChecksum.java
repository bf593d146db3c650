package org.hbackup.common.manifest;

import java.util.Arrays;
import java.util.Objects;

import com.google.common.io.BaseEncoding;

/**
 * A file checksum the source file system computed without hbackup reading the file (on HDFS,
 * {@code COMPOSITE-CRC32C}: block-size independent, unlike the default MD5-of-MD5-of-CRC). Kept
 * in the manifest so that the next backup can confirm "same length and time" without reading;
 * only the same algorithm with the same bytes counts as equal.
 */
public final class SourceChecksum {
  /** Longer than any checksum Hadoop's file systems return. */
  public static final int MAX_BYTES = 1024;

  private final String algorithm;
  private final byte[] bytes;

  public SourceChecksum(String algorithm, byte[] bytes) {
    if (algorithm == null || algorithm.isEmpty()) {
      throw new IllegalArgumentException("a checksum needs an algorithm name");
    }
    if (bytes.length > MAX_BYTES) {
      throw new IllegalArgumentException("checksum of " + bytes.length + " bytes is too long");
    }
    this.algorithm = algorithm;
    this.bytes = bytes.clone();
  }

  public String algorithm() {
    return algorithm;
  }

  public byte[] bytes() {
    return bytes.clone();
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof SourceChecksum && algorithm.equals(((SourceChecksum) o).algorithm)
        && Arrays.equals(bytes, ((SourceChecksum) o).bytes);
  }

  @Override
  public int hashCode() {
    return Objects.hash(algorithm, Arrays.hashCode(bytes));
  }

  @Override
  public String toString() {
    return algorithm + ":" + BaseEncoding.base16().lowerCase().encode(bytes);
  }
}
