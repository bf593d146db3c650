package org.hbackup.common.id;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.List;

/**
 * A file entry's whole-file hash (docs/FORMAT.md, "Entry encoding"). For a file backed up whole
 * ({@code rangeSize} 0) it is the SHA-256 of the content. A file longer than the range size is
 * backed up in ranges of that many bytes by different map tasks, none of which sees the whole
 * content, so its hash is the SHA-256 of a domain string, the range size and the SHA-256 of each
 * range in order: the same strength, computable range by range.
 */
public final class FileHasher {
  static final byte[] DOMAIN = "hbackup-ranges-v1".getBytes(StandardCharsets.US_ASCII);

  private final long rangeSize;
  private final MessageDigest range = sha256();
  private final MessageDigest ranges;
  private long inRange;

  /** Hashes content streamed through {@link #update}; {@code rangeSize} 0 for a plain SHA-256. */
  public FileHasher(long rangeSize) {
    if (rangeSize < 0) {
      throw new IllegalArgumentException("negative range size");
    }
    this.rangeSize = rangeSize;
    this.ranges = rangeSize == 0 ? null : rangesDigest(rangeSize);
  }

  public void update(byte[] bytes, int offset, int length) {
    if (ranges == null) {
      range.update(bytes, offset, length);
      return;
    }
    while (length > 0) {
      int n = (int) Math.min(length, rangeSize - inRange);
      range.update(bytes, offset, n);
      inRange += n;
      offset += n;
      length -= n;
      if (inRange == rangeSize) {
        ranges.update(range.digest());
        inRange = 0;
      }
    }
  }

  public ContentId finish() {
    if (ranges == null) {
      return ContentId.wrap(range.digest());
    }
    if (inRange > 0) {
      ranges.update(range.digest());
    }
    return ContentId.wrap(ranges.digest());
  }

  /** The hash of a file backed up in ranges of {@code rangeSize} bytes, from each range's SHA-256. */
  public static ContentId combine(long rangeSize, List<ContentId> rangeHashes) {
    MessageDigest d = rangesDigest(rangeSize);
    for (ContentId h : rangeHashes) {
      d.update(h.bytes());
    }
    return ContentId.wrap(d.digest());
  }

  /** The digest of a ranged file's hash, fed with everything that comes before the range hashes. */
  private static MessageDigest rangesDigest(long rangeSize) {
    MessageDigest d = sha256();
    d.update(DOMAIN);
    d.update(ByteBuffer.allocate(Long.BYTES).putLong(rangeSize).array());
    return d;
  }

  private static MessageDigest sha256() {
    try {
      return MessageDigest.getInstance("SHA-256");
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("the JDK has no SHA-256", e);
    }
  }
}
