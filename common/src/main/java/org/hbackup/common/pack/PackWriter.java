package org.hbackup.common.pack;

import java.io.Closeable;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

import com.google.common.hash.Hasher;
import com.google.common.hash.Hashing;
import org.hbackup.common.io.FileSystems;
import org.hbackup.common.id.ContentId;
import org.hbackup.common.id.PackId;

/**
 * Appends blobs to one pack file and, on {@link #close()}, writes the trailer that makes the
 * pack readable on its own. Memory: one trailer row (48 bytes) per blob, a few hundred per pack.
 */
public final class PackWriter implements Closeable {
  private final PackId id;
  private final OutputStream stream;
  private final DataOutputStream out;
  private final List<PackEntry> entries = new ArrayList<>();
  private long position;
  private boolean closed;

  public PackWriter(PackId id, OutputStream stream) throws IOException {
    this.id = id;
    this.stream = stream;
    this.out = new DataOutputStream(stream);
    out.write(PackFormat.MAGIC);
    out.writeShort(PackFormat.VERSION);
    out.writeShort(0);
    out.write(id.bytes());
    position = PackFormat.HEADER_LENGTH;
  }

  /** Appends one encoded blob; returns its row. */
  public PackEntry add(ContentId chunkId, byte[] blob, int offset, int length, int rawLength)
      throws IOException {
    if (closed) {
      throw new IOException("pack " + id + " is closed");
    }
    out.write(blob, offset, length);
    PackEntry entry = new PackEntry(chunkId, position, length, rawLength);
    entries.add(entry);
    position += length;
    return entry;
  }

  public PackId id() {
    return id;
  }

  /** Bytes written so far, header included. */
  public long length() {
    return position;
  }

  public int blobCount() {
    return entries.size();
  }

  public List<PackEntry> entries() {
    return Collections.unmodifiableList(entries);
  }

  @Override
  public void close() throws IOException {
    if (closed) {
      return;
    }
    closed = true;
    long trailerOffset = position;
    Hasher trailerHash = Hashing.sha256().newHasher();
    byte[] row = new byte[PackFormat.TRAILER_ROW_LENGTH];
    java.nio.ByteBuffer rowBuffer = java.nio.ByteBuffer.wrap(row);
    for (PackEntry e : entries) {
      rowBuffer.clear();
      rowBuffer.put(e.chunkId().bytes()).putLong(e.offset()).putInt(e.storedLength()).putInt(e.rawLength());
      out.write(row);
      trailerHash.putBytes(row);
    }
    out.writeInt(entries.size());
    out.writeLong(trailerOffset);
    out.write(trailerHash.hash().asBytes());
    out.write(PackFormat.MAGIC);
    out.flush();
    // Durable before anything names it: the index that points here is published after the pack.
    FileSystems.sync(stream);
    out.close();
  }
}
