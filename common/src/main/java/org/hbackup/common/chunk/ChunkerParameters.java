package org.hbackup.common.chunk;

/**
 * Sizes that drive content-defined chunking. They are part of a repository's configuration:
 * two backups share chunks only when they cut with the same parameters.
 */
public final class ChunkerParameters {
  /**
   * 512 KiB, as restic: the chunker skips the first half of each average chunk, which lifts
   * chunking plus SHA-256 from 0.73 to 0.88 GB/s per core here (docs/BENCHMARKS.md); an edit
   * still stores about one chunk.
   */
  public static final int DEFAULT_MIN = 512 * 1024;
  /** 1 MiB average, as DESIGN.md §3 asks: about one index entry per MiB of data. */
  public static final int DEFAULT_AVERAGE = 1024 * 1024;
  /** 4 MiB: bounds the memory a chunk needs and the cost of an unlucky long chunk. */
  public static final int DEFAULT_MAX = 4 * 1024 * 1024;
  /** 64 MiB: the largest chunk a reader must be ready to hold. */
  public static final int LIMIT_MAX = 64 * 1024 * 1024;

  /**
   * Whether a blob of these lengths is longer than any writer of the format makes (the largest
   * chunk plus its method byte). Readers bound their buffers by the format's limit, not by
   * {@code config.json}'s {@code maxSize}: a damaged config must not make healthy chunks look
   * damaged, and the repository's chunker may have been changed since older chunks were cut.
   */
  public static boolean exceedsAnyChunk(long rawLength, long storedLength) {
    return rawLength > LIMIT_MAX || storedLength > LIMIT_MAX + 1L;
  }

  private final int min;
  private final int average;
  private final int max;

  public ChunkerParameters(int min, int average, int max) {
    // FORMAT.md §4's rule, no stricter: a repository another writer made within it must open.
    // (64 <= min < average makes the smallest average 128, whose masks test 9 and 5 bits.)
    if (Integer.bitCount(average) != 1) {
      throw new IllegalArgumentException("average chunk size must be a power of two: " + average);
    }
    if (min < 64 || min >= average || average >= max || max > LIMIT_MAX) {
      throw new IllegalArgumentException("chunk sizes must satisfy 64 <= min < average < max <= "
          + LIMIT_MAX + ": " + min + ", " + average + ", " + max);
    }
    this.min = min;
    this.average = average;
    this.max = max;
  }

  public static ChunkerParameters defaults() {
    return new ChunkerParameters(DEFAULT_MIN, DEFAULT_AVERAGE, DEFAULT_MAX);
  }

  public int min() {
    return min;
  }

  public int average() {
    return average;
  }

  public int max() {
    return max;
  }

  @Override
  public boolean equals(Object o) {
    if (!(o instanceof ChunkerParameters)) {
      return false;
    }
    ChunkerParameters p = (ChunkerParameters) o;
    return min == p.min && average == p.average && max == p.max;
  }

  @Override
  public int hashCode() {
    return (min * 31 + average) * 31 + max;
  }

  @Override
  public String toString() {
    return "min=" + min + " average=" + average + " max=" + max;
  }
}
