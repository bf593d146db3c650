package org.hbackup.common.repo;

import java.io.Closeable;
import java.io.FileNotFoundException;
import java.io.IOException;
import java.util.LinkedHashMap;
import java.util.Map;

import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FSDataInputStream;
import org.apache.hadoop.fs.FileStatus;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.hbackup.common.ChunkMismatchException;
import org.hbackup.common.ChunkNotFoundException;
import org.hbackup.common.DamageException;
import org.hbackup.common.FormatException;
import org.hbackup.common.UnsupportedFormatVersionException;
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
  private static final int REMEMBERED_DAMAGED_PACKS = 1024;

  private final Repository repository;
  private final ChunkIndex index;
  private final BlobCodec codec;
  private final Map<PackId, PackReader> open = new LinkedHashMap<>(OPEN_PACKS, 0.75f, true);
  private final Map<PackId, DamageException> damagedPacks = new LinkedHashMap<>(16, 0.75f, true) {
    private static final long serialVersionUID = 1L;

    @Override
    protected boolean removeEldestEntry(Map.Entry<PackId, DamageException> eldest) {
      return size() > REMEMBERED_DAMAGED_PACKS;
    }
  };

  public ChunkReader(Repository repository, Configuration conf) throws IOException {
    this.repository = repository;
    this.index = repository.openChunkIndex();
    this.codec = new BlobCodec(repository.config().compression(), repository.config().compressionLevel(), conf);
  }

  /** Returns the chunk's plaintext, verified against its id. */
  public byte[] read(ContentId chunk, int expectedLength) throws IOException {
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

  private byte[] readAt(ContentId chunk, IndexEntry entry, int expectedLength) throws IOException {
    if (entry.rawLength() != expectedLength) {
      throw new ChunkMismatchException("chunk " + chunk + " has " + entry.rawLength()
          + " bytes in the index but " + expectedLength + " in the manifest");
    }
    PackReader pack = pack(entry.packId());
    byte[] data;
    try {
      byte[] blob = pack.readBlob(entry.offset(), entry.storedLength());
      data = codec.decode(blob, 0, blob.length, entry.rawLength());
    } catch (DamageException e) {
      throw damaged(entry, e);
    } catch (IOException | RuntimeException e) {
      // A decoder that chokes on flipped bits is damage, not an I/O failure of this run.
      throw damaged(entry, new ChunkMismatchException("chunk " + chunk + " in pack " + entry.packId()
          + " cannot be decoded: " + e.getMessage()));
    }
    ContentId actual = ContentId.of(data);
    if (!actual.equals(chunk)) {
      throw damaged(entry, new ChunkMismatchException("chunk " + chunk + " in pack " + entry.packId()
          + " reads back as " + actual));
    }
    return data;
  }

  /** Records the pack as damaged, so that no backup reuses its chunks; returns {@code e}. */
  private DamageException damaged(IndexEntry entry, DamageException e) {
    DamageRecords.record(repository, entry.packId(), entry.chunkId(), e.getMessage());
    return e;
  }

  /**
   * Opens a pack, checking its header names it. A pack that is missing, too short, or whose
   * header is damaged (a flipped version byte reads as a newer format) is damage to every chunk
   * in it, and is remembered as such.
   */
  private PackReader pack(PackId id) throws IOException {
    PackReader reader = open.get(id);
    if (reader != null) {
      return reader;
    }
    DamageException known = damagedPacks.get(id);
    if (known != null) {
      throw known;
    }
    FileSystem fs = repository.fileSystem();
    Path path = repository.layout().pack(id);
    try {
      FileStatus status = fs.getFileStatus(path);
      FSDataInputStream in = fs.open(path);
      try {
        reader = new PackReader(in, status.getLen(), path.toString());
      } catch (IOException | RuntimeException e) {
        in.close();
        throw e;
      }
      if (!reader.id().equals(id)) {
        reader.close();
        throw new FormatException(path.toString(), "the pack's header names pack " + reader.id());
      }
    } catch (FileNotFoundException e) {
      throw remember(id, new ChunkNotFoundException("pack " + id + " named by the index is missing: " + path));
    } catch (DamageException e) {
      DamageRecords.record(repository, id, ContentId.of(new byte[0]), e.getMessage());
      throw remember(id, e);
    } catch (UnsupportedFormatVersionException e) {
      DamageRecords.record(repository, id, ContentId.of(new byte[0]), e.getMessage());
      throw remember(id, new DamageException("pack " + path + " cannot be read: " + e.getMessage(), e));
    }
    if (open.size() >= OPEN_PACKS) {
      PackReader eldest = open.values().iterator().next();
      open.values().remove(eldest);
      eldest.close();
    }
    open.put(id, reader);
    return reader;
  }

  private DamageException remember(PackId id, DamageException e) {
    damagedPacks.put(id, e);
    return e;
  }

  @Override
  public void close() throws IOException {
    for (PackReader r : open.values()) {
      r.close();
    }
    open.clear();
    index.close();
    codec.close();
  }
}
