package org.hbackup.common.id;

import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Arrays;
import java.util.Objects;

import com.google.common.io.BaseEncoding;
import com.google.common.primitives.UnsignedBytes;

/**
 * A SHA-256 digest that names content: a chunk (of its plaintext), a manifest segment or an index
 * file (of the file's bytes). Ordered as unsigned bytes, the order of index files.
 */
public final class ContentId implements Comparable<ContentId> {
  public static final int LENGTH = 32;
  private static final BaseEncoding HEX = BaseEncoding.base16().lowerCase();

  /**
   * One digest per thread, reused: Guava's hashBytes clones a MessageDigest per call, which costs
   * a few percent at one call per chunk on the backup's hot path (measured with JMH).
   */
  private static final ThreadLocal<MessageDigest> SHA256 = ThreadLocal.withInitial(() -> {
    try {
      return MessageDigest.getInstance("SHA-256");
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("every Java platform has SHA-256", e);
    }
  });

  private final byte[] bytes;

  private ContentId(byte[] bytes) {
    this.bytes = bytes;
  }

  public static ContentId wrap(byte[] digest) {
    if (digest.length != LENGTH) {
      throw new IllegalArgumentException("a content id has 32 bytes, got " + digest.length);
    }
    return new ContentId(digest);
  }

  public static ContentId copyOf(byte[] buffer, int offset) {
    return new ContentId(Arrays.copyOfRange(buffer, offset, offset + LENGTH));
  }

  public static ContentId of(byte[] data) {
    return of(data, 0, data.length);
  }

  public static ContentId of(byte[] data, int offset, int length) {
    MessageDigest digest = SHA256.get();
    digest.update(data, offset, length);
    return new ContentId(digest.digest());
  }

  /**
   * Whether this is how a content-addressed file of the repository is named: exactly 64 lower-case
   * hex digits (FORMAT.md section 2); any other spelling of the same id is not one of its names.
   */
  public static boolean isName(String hex) {
    // HEX is lower-case: it cannot decode an upper-case digit.
    return hex != null && hex.length() == 2 * LENGTH && HEX.canDecode(hex);
  }

  /** Parses 64 lower- or upper-case hex digits. */
  public static ContentId parse(String hex) {
    Objects.requireNonNull(hex, "hex");
    if (hex.length() != 2 * LENGTH) {
      throw new IllegalArgumentException("not a SHA-256 id (64 hex digits): " + hex);
    }
    try {
      return new ContentId(HEX.decode(hex.toLowerCase(java.util.Locale.ROOT)));
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException("not a SHA-256 id (64 hex digits): " + hex, e);
    }
  }

  /** The digest; callers must not modify it. */
  public byte[] bytes() {
    return bytes;
  }

  public int firstByte() {
    return bytes[0] & 0xff;
  }

  public String toHex() {
    return HEX.encode(bytes);
  }

  @Override
  public int compareTo(ContentId other) {
    return UnsignedBytes.lexicographicalComparator().compare(bytes, other.bytes);
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof ContentId && Arrays.equals(bytes, ((ContentId) o).bytes);
  }

  @Override
  public int hashCode() {
    // The bytes are a cryptographic digest: any four of them are uniformly distributed.
    return (bytes[0] & 0xff) << 24 | (bytes[1] & 0xff) << 16 | (bytes[2] & 0xff) << 8 | (bytes[3] & 0xff);
  }

  @Override
  public String toString() {
    return toHex();
  }
}
