package org.hbackup.common.id;

import java.security.SecureRandom;
import java.util.Arrays;
import java.util.Locale;

import com.google.common.io.BaseEncoding;

/**
 * The name of a pack file: 16 random bytes. Packs are not named by a digest of their bytes because
 * that would cost a second SHA-256 pass over all stored data on the backup's hot path; each blob
 * in a pack is already verifiable through its chunk ID.
 */
public final class PackId {
  public static final int LENGTH = 16;
  private static final BaseEncoding HEX = BaseEncoding.base16().lowerCase();
  private static final SecureRandom RANDOM = new SecureRandom();

  private final byte[] bytes;

  private PackId(byte[] bytes) {
    this.bytes = bytes;
  }

  public static PackId random() {
    byte[] b = new byte[LENGTH];
    RANDOM.nextBytes(b);
    return new PackId(b);
  }

  public static PackId copyOf(byte[] buffer, int offset) {
    return new PackId(Arrays.copyOfRange(buffer, offset, offset + LENGTH));
  }

  public static PackId parse(String hex) {
    if (hex == null || hex.length() != 2 * LENGTH) {
      throw new IllegalArgumentException("not a pack id (32 hex digits): " + hex);
    }
    try {
      return new PackId(HEX.decode(hex.toLowerCase(Locale.ROOT)));
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException("not a pack id (32 hex digits): " + hex, e);
    }
  }

  public byte[] bytes() {
    return bytes;
  }

  public String toHex() {
    return HEX.encode(bytes);
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof PackId && Arrays.equals(bytes, ((PackId) o).bytes);
  }

  @Override
  public int hashCode() {
    return Arrays.hashCode(bytes);
  }

  @Override
  public String toString() {
    return toHex();
  }
}
