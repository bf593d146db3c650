package org.hbackup.common.repo;

import java.io.Closeable;
import java.io.FileNotFoundException;
import java.io.IOException;
import java.util.LinkedHashMap;
import java.util.Map;

import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileStatus;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.hbackup.common.ChunkMismatchException;
import org.hbackup.common.ChunkNotFoundException;
import org.hbackup.common.DamageException;
import org.hbackup.common.id.ContentId;
import org.hbackup.common.id.PackId;
import org.hbackup.common.index.ChunkIndex;
import org.hbackup.common.index.IndexEntry;
import org.hbackup.common.compress.BlobCodec;
import org.hbackup.common.pack.PackReader;

/**
 * Reads chunks by id: index lookup, positional read from the pack, decode, and a SHA-256 check
 * against the id. Keeps a few packs open (least recently used closed first), because a restore
 * reads chunks of the same pack in runs. Not thread-safe.
 */
public final class ChunkReader implements Closeable {
  private static final int OPEN_PACKS = 16;

  private final Repository repository;
  private final ChunkIndex index;
  private final BlobCodec codec;
  private final Map<PackId, PackReader> open = new LinkedHashMap<>(OPEN_PACKS, 0.75f, true);

  public ChunkReader(Repository repository, Configuration conf) throws IOException {
    this.repository = repository;
    this.index = repository.openChunkIndex();
    this.codec = new BlobCodec(repository.config().compression(), repository.config().compressionLevel(), conf);
  }

  /** Returns the chunk's plaintext, verified against its id. */
  public byte[] read(ContentId chunk, int expectedLength) throws IOException {
    IndexEntry entry = index.lookup(chunk);
    if (entry == null) {
      throw new ChunkNotFoundException("chunk " + chunk + " is not in the repository index");
    }
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
      throw e;
    } catch (IOException | RuntimeException e) {
      // A decoder that chokes on flipped bits is damage, not an I/O failure of this run.
      throw new ChunkMismatchException("chunk " + chunk + " in pack " + entry.packId()
          + " cannot be decoded: " + e.getMessage());
    }
    ContentId actual = ContentId.of(data);
    if (!actual.equals(chunk)) {
      throw new ChunkMismatchException("chunk " + chunk + " in pack " + entry.packId()
          + " reads back as " + actual);
    }
    return data;
  }

  private PackReader pack(PackId id) throws IOException {
    PackReader reader = open.get(id);
    if (reader != null) {
      return reader;
    }
    FileSystem fs = repository.fileSystem();
    Path path = repository.layout().pack(id);
    FileStatus status;
    try {
      status = fs.getFileStatus(path);
    } catch (FileNotFoundException e) {
      throw new ChunkNotFoundException("pack " + id + " named by the index is missing: " + path);
    }
    reader = new PackReader(fs.open(path), status.getLen(), path.toString());
    if (open.size() >= OPEN_PACKS) {
      PackReader eldest = open.values().iterator().next();
      open.values().remove(eldest);
      eldest.close();
    }
    open.put(id, reader);
    return reader;
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
