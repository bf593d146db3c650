package org.hbackup.common.repo;

import java.io.FileNotFoundException;
import java.io.IOException;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import org.apache.hadoop.fs.FSDataInputStream;
import org.apache.hadoop.fs.FileStatus;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.hbackup.common.DamageException;
import org.hbackup.common.UnsupportedFormatVersionException;
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
 * and the ids of up to {@value #MAX_DAMAGED} damaged packs.
 */
public final class ReusablePacks {
  private static final Logger LOG = LoggerFactory.getLogger(ReusablePacks.class);
  static final int MAX_ROWS = 256 * 1024;
  static final int MAX_DAMAGED = 10_000;

  private final FileSystem fs;
  private final RepositoryLayout layout;
  private long rows;
  private long packsChecked;
  private final LinkedHashMap<PackId, Trailer> trailers = new LinkedHashMap<>(64, 0.75f, true);
  private final Map<PackId, Boolean> damaged = new LinkedHashMap<>(16, 0.75f, true) {
    private static final long serialVersionUID = 1L;

    @Override
    protected boolean removeEldestEntry(Map.Entry<PackId, Boolean> eldest) {
      return size() > MAX_DAMAGED;
    }
  };

  public ReusablePacks(Repository repository) throws IOException {
    this.fs = repository.fileSystem();
    this.layout = repository.layout();
    for (PackId known : DamageRecords.load(repository)) {
      damaged.put(known, Boolean.TRUE);
    }
  }

  /** Whether the blob the index row names can be delivered, as far as the pack's trailer says. */
  public boolean canDeliver(IndexEntry row) throws IOException {
    if (damaged.containsKey(row.packId())) {
      return false;
    }
    Trailer trailer = trailers.get(row.packId());
    if (trailer == null) {
      trailer = load(row.packId());
      if (trailer == null) {
        return false;
      }
    }
    return trailer.lists(row);
  }

  /** Packs whose header and trailer this task read and checked. */
  public long packsChecked() {
    return packsChecked;
  }

  /** Packs found missing or damaged. */
  public int packsDamaged() {
    return damaged.size();
  }

  private Trailer load(PackId id) throws IOException {
    Path path = layout.pack(id);
    List<PackEntry> entries;
    packsChecked++;
    try {
      FileStatus status = fs.getFileStatus(path);
      try (FSDataInputStream in = fs.open(path); PackReader reader = new PackReader(in, status.getLen(), path.toString())) {
        if (!reader.id().equals(id)) {
          throw new DamageException(path + ": the pack's header names pack " + reader.id());
        }
        entries = reader.entries();
      }
    } catch (FileNotFoundException e) {
      return markDamaged(id, path + " is missing");
    } catch (DamageException | UnsupportedFormatVersionException e) {
      return markDamaged(id, e.getMessage());
    }
    Trailer trailer = new Trailer(entries);
    trailers.put(id, trailer);
    rows += entries.size();
    for (var it = trailers.entrySet().iterator(); rows > MAX_ROWS && trailers.size() > 1 && it.hasNext();) {
      Map.Entry<PackId, Trailer> eldest = it.next();
      rows -= eldest.getValue().size();
      it.remove();
    }
    return trailer;
  }

  private Trailer markDamaged(PackId id, String why) {
    LOG.warn("Not reusing chunks of pack {}, they are stored again: {}", id, why);
    damaged.put(id, Boolean.TRUE);
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
