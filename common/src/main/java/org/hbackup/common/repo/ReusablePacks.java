package org.hbackup.common.repo;

import java.io.IOException;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

import com.google.common.cache.Cache;
import com.google.common.cache.CacheBuilder;
import org.hbackup.common.ChunkNotFoundException;
import org.hbackup.common.DamageException;
import org.hbackup.common.io.ReadFailures;
import org.hbackup.common.id.PackId;
import org.hbackup.common.index.IndexEntry;
import org.hbackup.common.pack.PackEntry;
import org.hbackup.common.pack.PackReader;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Decides whether a backup may reuse a chunk where the index says it is, instead of storing it
 * again: only if that pack exists, is not recorded as damaged ({@link DamageRecords}), its header
 * names it, its trailer matches the trailer's checksum, and the trailer lists the chunk at the
 * index's offset and length. Dedup that trusted
 * the index alone made one lost pack into every later point being unrestorable; with this check a
 * lost or damaged pack's chunks are stored again from the source, into new packs that a new
 * index file names. Each pack is checked once per task (its trailer kept while there is room),
 * not once per chunk. Blob bytes are not read: a flipped bit inside a blob is found by a restore
 * or {@code verify --read-data}, which record the pack as damaged.
 *
 * <p>Memory: the trailers of recently checked packs, at most {@value #MAX_ROWS} rows of 44 bytes,
 * and the ids of the damaged packs (16 bytes each).
 */
public final class ReusablePacks {
  private static final Logger LOG = LoggerFactory.getLogger(ReusablePacks.class);
  static final int MAX_ROWS = 256 * 1024;

  private final Repository repository;
  private long packsChecked;
  private final Cache<PackId, Trailer> trailers = CacheBuilder.newBuilder().maximumWeight(MAX_ROWS)
      .<PackId, Trailer>weigher((id, t) -> Math.max(1, t.size())).build();
  /** Packs recorded as damaged, and those found missing or damaged here: never forgotten. */
  private final Set<PackId> damaged = new HashSet<>();

  public ReusablePacks(Repository repository) throws IOException {
    this.repository = repository;
    damaged.addAll(DamageRecords.load(repository));
  }

  /** Whether the blob the index row names can be delivered, as far as the pack's trailer says. */
  public boolean canDeliver(IndexEntry row) throws IOException {
    if (damaged.contains(row.packId())) {
      return false;
    }
    Trailer trailer = trailers.getIfPresent(row.packId());
    if (trailer == null) {
      trailer = load(row.packId());
      if (trailer == null) {
        return false;
      }
      trailers.put(row.packId(), trailer);
    }
    return trailer.lists(row);
  }

  /** Packs whose header and trailer this task read and checked. */
  public long packsChecked() {
    return packsChecked;
  }

  /** Packs found missing or damaged, or recorded as damaged. */
  public int packsDamaged() {
    return damaged.size();
  }

  /** The pack's trailer, checked; null when the pack is missing or damaged. */
  private Trailer load(PackId id) throws IOException {
    packsChecked++;
    try (PackReader reader = PackFiles.open(repository, id)) {
      try {
        return new Trailer(reader.entries());
      } catch (IOException e) {
        throw ReadFailures.classify(e, repository.layout().pack(id).toString());
      }
    } catch (ChunkNotFoundException e) {
      return markDamaged(id, e.getMessage(), false);
    } catch (DamageException e) {
      return markDamaged(id, e.getMessage(), true);
    }
  }

  private Trailer markDamaged(PackId id, String why, boolean record) {
    LOG.warn("Not reusing chunks of pack {}, they are stored again: {}", id, why);
    damaged.add(id);
    if (record) {
      DamageRecords.record(repository, id, null, why);
    }
    return null;
  }

  /** A pack's trailer rows in file order, which is offset order. */
  private static final class Trailer {
    private final long[] offsets;
    private final int[] storedLengths;
    private final byte[] ids;

    Trailer(List<PackEntry> entries) {
      offsets = new long[entries.size()];
      storedLengths = new int[entries.size()];
      ids = new byte[entries.size() * 32];
      for (int i = 0; i < entries.size(); i++) {
        PackEntry e = entries.get(i);
        offsets[i] = e.offset();
        storedLengths[i] = e.storedLength();
        System.arraycopy(e.chunkId().bytes(), 0, ids, i * 32, 32);
      }
    }

    int size() {
      return offsets.length;
    }

    boolean lists(IndexEntry row) {
      int i = Arrays.binarySearch(offsets, row.offset());
      return i >= 0 && storedLengths[i] == row.storedLength()
          && Arrays.equals(ids, i * 32, i * 32 + 32, row.chunkId().bytes(), 0, 32);
    }
  }
}
