package org.hbackup.common.repo;

import java.io.Closeable;
import java.io.IOException;
import java.util.HashMap;
import java.util.Map;

import com.google.common.cache.Cache;
import com.google.common.cache.CacheBuilder;

import org.apache.hadoop.conf.Configuration;
import org.hbackup.common.ChunkMismatchException;
import org.hbackup.common.UnsupportedFormatVersionException;
import org.hbackup.common.ChunkNotFoundException;
import org.hbackup.common.DamageException;
import org.hbackup.common.io.ReadFailures;
import org.hbackup.common.chunk.ChunkerParameters;
import org.hbackup.common.id.ContentId;
import org.hbackup.common.id.PackId;
import org.hbackup.common.index.ChunkIndex;
import org.hbackup.common.index.IndexEntry;
import org.hbackup.common.compress.BlobCodec;
import org.hbackup.common.pack.PackReader;

/**
 * Reads chunks by id: index lookup, positional read from the pack, decode, and a SHA-256 check
 * against the id. Keeps a few packs open (least recently used closed first), because a restore
 * reads chunks of the same pack in runs. When the copy the index names first is missing or
 * damaged, every other copy the index knows is tried (a backup after the damage stores the chunk
 * again, in a newer pack); a pack found damaged is remembered and not opened again. Not
 * thread-safe.
 */
public final class ChunkReader implements Closeable {
  private static final int OPEN_PACKS = 16;

  private final Repository repository;
  private final ChunkIndex index;
  private final BlobCodec codec;
  /**
   * The stored bytes of the blob being read, kept from one chunk to the next: an array per chunk
   * was as many bytes as the restore read (0.7 GB of 1 GB restored, measured with JFR).
   */
  private byte[] blob = new byte[64 * 1024];
  /** Recently used packs, kept open: a restore reads chunks of the same pack in runs. */
  private final Cache<PackId, PackReader> open = CacheBuilder.newBuilder().maximumSize(OPEN_PACKS)
      .<PackId, PackReader>removalListener(n -> closeQuietly(n.getValue())).build();
  /** Packs found missing or damaged in this task: one per pack lost, so a handful. */
  private final Map<PackId, DamageException> damagedPacks = new HashMap<>();

  public ChunkReader(Repository repository, Configuration conf) throws IOException {
    this(repository, repository.openChunkIndex(), conf);
  }

  private ChunkReader(Repository repository, ChunkIndex index, Configuration conf) {
    this.repository = repository;
    this.index = index;
    this.codec = new BlobCodec(repository.config().compression(), repository.config().compressionLevel(), conf);
  }

  /**
   * A reader for {@link #readAt} alone, which opens no index file: a caller that knows where each
   * chunk lies ({@code repair index}) does not hold the index's Bloom filters and streams.
   */
  public static ChunkReader withoutIndex(Repository repository, Configuration conf, boolean recordDamage) {
    ChunkReader reader = new ChunkReader(repository, null, conf);
    reader.recordDamage = recordDamage;
    return reader;
  }

  /** Whether damage found is recorded in {@code damage/} (not by a dry run, which changes nothing). */
  private boolean recordDamage = true;

  /** Returns the chunk's plaintext, verified against its id. */
  public byte[] read(ContentId chunk, int expectedLength) throws IOException {
    if (index == null) {
      throw new IllegalStateException("a reader opened without an index reads only by place (readAt)");
    }
    IndexEntry first = index.lookup(chunk);
    if (first == null) {
      throw new ChunkNotFoundException("chunk " + chunk + " is not in the repository index"
          + (index.unreadable().isEmpty() ? "" : " (" + index.unreadable().size() + " index file(s) are damaged: "
          + index.unreadable().get(0) + ")"));
    }
    try {
      return readAt(chunk, first, expectedLength);
    } catch (DamageException damage) {
      for (IndexEntry other : index.locations(chunk)) {
        if (other.packId().equals(first.packId()) && other.offset() == first.offset()) {
          continue;
        }
        try {
          return readAt(chunk, other, expectedLength);
        } catch (DamageException alsoDamaged) {
          damage.addSuppressed(alsoDamaged);
        }
      }
      throw damage;
    }
  }

  /**
   * Reads the chunk an index row names at exactly that place, verified as {@link #read} verifies
   * it (for {@code repair index}, which salvages rows of packs whose trailer is lost but whose
   * blobs a restore can still read).
   */
  public byte[] readAt(IndexEntry entry) throws IOException {
    return readAt(entry.chunkId(), entry, entry.rawLength());
  }

  private byte[] readAt(ContentId chunk, IndexEntry entry, int expectedLength) throws IOException {
    if (entry.rawLength() != expectedLength) {
      throw new ChunkMismatchException("chunk " + chunk + " has " + entry.rawLength()
          + " bytes in the index but " + expectedLength + " in the manifest");
    }
    int storedLength = entry.storedLength();
    if (ChunkerParameters.exceedsAnyChunk(entry.rawLength(), storedLength)) {
      // Such a row is damaged, and is not trusted with the size of a buffer.
      throw new ChunkMismatchException("chunk " + chunk + " has " + storedLength + " stored and "
          + entry.rawLength() + " raw bytes in the index, more than the largest chunk a writer makes ("
          + ChunkerParameters.LIMIT_MAX + ")");
    }
    PackReader pack = pack(entry.packId());
    if (blob.length < storedLength) {
      blob = new byte[Math.min(ChunkerParameters.LIMIT_MAX + 1, Math.max(storedLength, 2 * blob.length))];
    }
    try {
      pack.readBlob(entry.offset(), storedLength, blob);
    } catch (IOException e) {
      DamageException damage = ReadFailures.asDamage(e, repository.layout().pack(entry.packId()).toString());
      if (damage == null) {
        throw e; // this run's failure, not the pack's
      }
      throw recordedIfThePacks(pack, entry, damage);
    }
    byte[] data;
    try {
      data = codec.decode(blob, 0, storedLength, entry.rawLength());
    } catch (IOException | RuntimeException e) {
      // The bytes were read: a decoder that chokes on them means they are not what was written.
      throw recordedIfThePacks(pack, entry, new ChunkMismatchException("chunk " + chunk + " in pack "
          + entry.packId() + " cannot be decoded: " + e.getMessage()));
    }
    ContentId actual = ContentId.of(data);
    if (!actual.equals(chunk)) {
      throw recordedIfThePacks(pack, entry, new ChunkMismatchException("chunk " + chunk + " in pack "
          + entry.packId() + " reads back as " + actual));
    }
    return data;
  }

  /**
   * Records the pack as damaged when its trailer lists the blob that failed (or cannot be read
   * itself); returns the damage to throw. A row the trailer does not list is the index's damage
   * (a flipped offset), not the pack's: recording a healthy pack would make every later backup
   * store its chunks again. Reads the trailer only on this failure path.
   */
  private DamageException recordedIfThePacks(PackReader pack, IndexEntry entry, DamageException damage)
      throws IOException {
    try {
      for (org.hbackup.common.pack.PackEntry listed : pack.entries()) {
        if (listed.offset() == entry.offset() && listed.storedLength() == entry.storedLength()
            && listed.chunkId().equals(entry.chunkId())) {
          return recorded(entry.packId(), entry.chunkId(), damage);
        }
      }
    } catch (DamageException | UnsupportedFormatVersionException trailerDamaged) {
      return recorded(entry.packId(), entry.chunkId(), damage);
    } catch (IOException e) {
      if (!ReadFailures.isDamage(e)) {
        throw e; // this run's failure: nothing is decided on it
      }
      return recorded(entry.packId(), entry.chunkId(), damage);
    }
    DamageException rowDamage = new ChunkMismatchException("the index row of chunk " + entry.chunkId() + " names pack "
        + entry.packId() + " at offset " + entry.offset() + ", where the pack's trailer lists no such blob (the index"
        + " row is damaged, not the pack): " + damage.getMessage());
    rowDamage.addSuppressed(damage);
    return rowDamage;
  }

  /**
   * Records a pack whose bytes are damaged (not a missing one, which backups see for themselves),
   * so that no backup reuses its chunks; returns {@code e}.
   */
  private DamageException recorded(PackId pack, ContentId chunk, DamageException e) {
    if (recordDamage) {
      DamageRecords.record(repository, pack, chunk, e.getMessage());
    }
    return e;
  }

  /** The open pack, opening it once; a missing or damaged pack is remembered as such. */
  private PackReader pack(PackId id) throws IOException {
    PackReader reader = open.getIfPresent(id);
    if (reader != null) {
      return reader;
    }
    DamageException known = damagedPacks.get(id);
    if (known != null) {
      throw known;
    }
    try {
      reader = PackFiles.open(repository, id);
    } catch (ChunkNotFoundException e) {
      damagedPacks.put(id, e);
      throw e;
    } catch (DamageException e) {
      damagedPacks.put(id, e);
      throw recorded(id, null, e);
    }
    open.put(id, reader);
    return reader;
  }

  private static void closeQuietly(PackReader reader) {
    try {
      reader.close();
    } catch (IOException e) {
      // A reader's stream; nothing was written through it.
    }
  }

  @Override
  public void close() throws IOException {
    open.invalidateAll();
    if (index != null) {
      index.close();
    }
    codec.close();
  }
}
