package org.hbackup.common.index;

import java.io.Closeable;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.OutputStream;

import com.google.common.hash.BloomFilter;
import com.google.common.hash.Funnels;
import com.google.common.hash.Hashing;
import com.google.common.hash.HashingOutputStream;
import org.hbackup.common.id.ContentId;

/**
 * Writes one index file from entries given in strictly increasing chunk-id order (the order the
 * backup's shuffle delivers them in). Memory: the Bloom filter, ~1.2 bytes per expected entry.
 * The file's name is the SHA-256 of its bytes, returned by {@link #finish()}.
 */
public final class IndexWriter implements Closeable {
  private final HashingOutputStream hashing;
  private final DataOutputStream out;
  private final BloomFilter<byte[]> bloom;
  private final long[] counts = new long[256];
  private ContentId last;
  private long entries;
  private long position;
  private ContentId name;

  public IndexWriter(OutputStream stream, long expectedEntries) throws IOException {
    this.hashing = new HashingOutputStream(Hashing.sha256(), stream);
    this.out = new DataOutputStream(hashing);
    this.bloom = BloomFilter.create(Funnels.byteArrayFunnel(), Math.max(1000, expectedEntries),
        IndexFormat.BLOOM_FPP);
    out.write(IndexFormat.MAGIC);
    out.writeShort(IndexFormat.VERSION);
    out.writeShort(0);
    position = IndexFormat.HEADER_LENGTH;
  }

  public void add(IndexEntry entry) throws IOException {
    if (last != null && last.compareTo(entry.chunkId()) >= 0) {
      throw new IllegalStateException("index entries out of order: " + last + " then " + entry.chunkId());
    }
    last = entry.chunkId();
    out.write(entry.toBytes());
    bloom.put(entry.chunkId().bytes());
    counts[entry.chunkId().firstByte()]++;
    entries++;
    position += IndexEntry.LENGTH;
  }

  public long entries() {
    return entries;
  }

  /** Writes fanout, Bloom filter and footer; returns the file's SHA-256, its name. */
  public ContentId finish() throws IOException {
    long fanoutOffset = position;
    long cumulative = 0;
    for (long c : counts) {
      cumulative += c;
      out.writeLong(cumulative);
    }
    long bloomOffset = fanoutOffset + IndexFormat.FANOUT_LENGTH;
    int before = out.size();
    bloom.writeTo(out);
    long bloomLength = out.size() - before;
    out.writeLong(entries);
    out.writeLong(fanoutOffset);
    out.writeLong(bloomOffset);
    out.writeLong(bloomLength);
    out.write(IndexFormat.MAGIC);
    out.flush();
    name = ContentId.wrap(hashing.hash().asBytes());
    return name;
  }

  @Override
  public void close() throws IOException {
    out.close();
  }
}
