package org.hbackup.common.index;

import java.io.ByteArrayInputStream;
import java.io.DataInputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.Arrays;

import com.google.common.hash.BloomFilter;
import com.google.common.hash.Funnels;
import org.apache.hadoop.fs.FSDataInputStream;
import org.hbackup.common.FormatException;
import org.hbackup.common.id.ContentId;
import org.hbackup.common.io.FormatChecks;

/**
 * Looks chunk ids up in one index file without loading its entries: the Bloom filter answers most
 * misses from memory, and a hit is a binary search with positional reads inside the fanout
 * bucket. Memory: the fanout table (2 KiB) and the Bloom filter (~1.2 bytes per entry).
 */
public final class IndexFileReader implements AutoCloseable {
  private final FSDataInputStream in;
  private final String name;
  private final long entries;
  private final long[] fanout = new long[256];
  private final BloomFilter<byte[]> bloom;
  private final IndexBlockCache cache;
  private final String identity;

  public IndexFileReader(FSDataInputStream in, long length, String name) throws IOException {
    this(in, length, name, new IndexBlockCache(4 * IndexBlockCache.ROWS_PER_BLOCK * IndexEntry.LENGTH), name);
  }

  /** A reader whose blocks are kept in {@code cache} under {@code identity} (the file's, see IndexBlockCache). */
  IndexFileReader(FSDataInputStream in, long length, String name, IndexBlockCache cache, String identity)
      throws IOException {
    this.in = in;
    this.name = name;
    this.cache = cache;
    this.identity = identity;
    if (length < IndexFormat.HEADER_LENGTH + IndexFormat.FANOUT_LENGTH + IndexFormat.FOOTER_LENGTH) {
      throw new FormatException(name, "too short to be an index file");
    }
    byte[] header = new byte[IndexFormat.HEADER_LENGTH];
    in.readFully(0, header);
    DataInputStream headerIn = new DataInputStream(new ByteArrayInputStream(header));
    FormatChecks.readHeader(headerIn, IndexFormat.MAGIC, "index file", name, IndexFormat.MIN_VERSION,
        IndexFormat.VERSION);
    if (headerIn.readUnsignedShort() != 0) {
      throw new FormatException(name, "index header's reserved field is not 0");
    }
    byte[] footer = new byte[IndexFormat.FOOTER_LENGTH];
    in.readFully(length - IndexFormat.FOOTER_LENGTH, footer);
    ByteBuffer f = ByteBuffer.wrap(footer);
    this.entries = f.getLong();
    long fanoutOffset = f.getLong();
    long bloomOffset = f.getLong();
    long bloomLength = f.getLong();
    byte[] magic = new byte[4];
    f.get(magic);
    // Bounded by the file's length before any arithmetic: a flipped high bit must not wrap around.
    long maxEntries = (length - IndexFormat.HEADER_LENGTH - IndexFormat.FANOUT_LENGTH - IndexFormat.FOOTER_LENGTH)
        / IndexEntry.LENGTH;
    if (entries < 0 || entries > maxEntries || bloomLength < 0 || bloomLength > Integer.MAX_VALUE) {
      throw new FormatException(name, "index footer is damaged (counts do not fit the file)");
    }
    if (!Arrays.equals(magic, IndexFormat.MAGIC)
        || fanoutOffset != IndexFormat.HEADER_LENGTH + entries * IndexEntry.LENGTH
        || bloomOffset != fanoutOffset + IndexFormat.FANOUT_LENGTH
        || bloomOffset + bloomLength != length - IndexFormat.FOOTER_LENGTH) {
      throw new FormatException(name, "index footer is damaged");
    }
    byte[] table = new byte[IndexFormat.FANOUT_LENGTH];
    in.readFully(fanoutOffset, table);
    ByteBuffer t = ByteBuffer.wrap(table);
    long previous = 0;
    for (int i = 0; i < 256; i++) {
      fanout[i] = t.getLong();
      if (fanout[i] < previous) {
        throw new FormatException(name, "index fanout table is not monotonic");
      }
      previous = fanout[i];
    }
    if (fanout[255] != entries) {
      throw new FormatException(name, "index fanout table does not add up to its entry count");
    }
    byte[] bloomBytes = new byte[(int) bloomLength];
    in.readFully(bloomOffset, bloomBytes);
    checkBloomSize(bloomBytes, name);
    try {
      this.bloom = BloomFilter.readFrom(new ByteArrayInputStream(bloomBytes), Funnels.byteArrayFunnel());
    } catch (IOException | RuntimeException e) {
      throw new FormatException(name, "index Bloom filter is damaged: " + e.getMessage(), e);
    }
  }

  /**
   * Guava's serialized Bloom filter is a strategy byte, a hash count byte, an int count of longs,
   * then the longs; it allocates that count before it reads them. The count must be what the
   * bytes hold, or one flipped bit asks for gigabytes.
   */
  private static void checkBloomSize(byte[] bloom, String name) throws FormatException {
    if (bloom.length < BLOOM_HEADER_LENGTH
        || ByteBuffer.wrap(bloom, 2, 4).getInt() != (long) (bloom.length - BLOOM_HEADER_LENGTH) / Long.BYTES
        || (bloom.length - BLOOM_HEADER_LENGTH) % Long.BYTES != 0) {
      throw new FormatException(name, "index Bloom filter is damaged (its size does not match its length)");
    }
  }

  private static final int BLOOM_HEADER_LENGTH = 6;

  /** The file's name, as given. */
  public String name() {
    return name;
  }

  public long entries() {
    return entries;
  }

  /**
   * Whether the file's Bloom filter lets a lookup of {@code chunk} go on to the rows: a row whose
   * id it turns away is one no reader finds (verify checks every row).
   */
  public boolean filterAdmits(ContentId chunk) {
    return bloom.mightContain(chunk.bytes());
  }

  /** Finds a chunk's entry, or null when this file does not hold it. */
  public IndexEntry lookup(ContentId chunk) throws IOException {
    if (!bloom.mightContain(chunk.bytes())) {
      return null;
    }
    int bucket = chunk.firstByte();
    long low = bucket == 0 ? 0 : fanout[bucket - 1];
    long high = fanout[bucket] - 1;
    byte[] key = chunk.bytes();
    // The steps of one search mostly fall in one block of rows: it is asked of the cache once
    // (a cache lookup per step was half of what a carried file's deliverability check cost).
    long inBlock = -1;
    byte[] rows = null;
    while (low <= high) {
      long middle = (low + high) >>> 1;
      if (middle / IndexBlockCache.ROWS_PER_BLOCK != inBlock) {
        inBlock = middle / IndexBlockCache.ROWS_PER_BLOCK;
        rows = block(middle);
      }
      int at = rowOffset(middle);
      int c = Arrays.compareUnsigned(rows, at, at + ContentId.LENGTH, key, 0, ContentId.LENGTH);
      if (c < 0) {
        low = middle + 1;
      } else if (c > 0) {
        high = middle - 1;
      } else {
        return IndexEntry.fromBytes(rows, at);
      }
    }
    return null;
  }

  /** The i-th entry in chunk-id order, for streaming the whole file (verify, prune, merges). */
  public IndexEntry entry(long i) throws IOException {
    if (i < 0 || i >= entries) {
      throw new IndexOutOfBoundsException(name + ": entry " + i + " of " + entries);
    }
    return IndexEntry.fromBytes(block(i), rowOffset(i));
  }

  private byte[] block(long row) throws IOException {
    return cache.get(identity, row / IndexBlockCache.ROWS_PER_BLOCK, this::readBlock);
  }

  private static int rowOffset(long row) {
    return (int) (row % IndexBlockCache.ROWS_PER_BLOCK) * IndexEntry.LENGTH;
  }

  private byte[] readBlock(long block) throws IOException {
    long first = block * IndexBlockCache.ROWS_PER_BLOCK;
    int rows = (int) Math.min(IndexBlockCache.ROWS_PER_BLOCK, entries - first);
    byte[] bytes = new byte[rows * IndexEntry.LENGTH];
    synchronized (in) {
      in.readFully(IndexFormat.HEADER_LENGTH + first * IndexEntry.LENGTH, bytes);
    }
    return bytes;
  }

  @Override
  public void close() throws IOException {
    in.close();
  }
}
