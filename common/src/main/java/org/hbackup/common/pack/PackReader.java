package org.hbackup.common.pack;

import java.io.ByteArrayInputStream;
import java.io.DataInputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

import com.google.common.hash.Hashing;
import org.apache.hadoop.fs.FSDataInputStream;
import org.hbackup.common.FormatException;
import org.hbackup.common.id.ContentId;
import org.hbackup.common.id.PackId;
import org.hbackup.common.io.FormatChecks;

/**
 * Reads blobs from one pack with positional reads, so many threads may share the stream. The
 * header is checked on open; the trailer only when {@link #entries()} asks for it, because a
 * restore that knows its offsets from the index never needs it.
 */
public final class PackReader implements AutoCloseable {
  /** The largest trailer a reader holds: the largest array the JVM makes. */
  static final long MAX_TRAILER_LENGTH = Integer.MAX_VALUE - 8;

  private final FSDataInputStream in;
  private final long length;
  private final String name;
  private final PackId id;

  /** Opens a pack over {@code in}, which it closes when the header does not read back. */
  public PackReader(FSDataInputStream in, long length, String name) throws IOException {
    this.in = in;
    this.length = length;
    this.name = name;
    try {
      this.id = readHeader(in, length, name);
    } catch (IOException | RuntimeException e) {
      // Callers hand the stream over in one expression: nobody else can close it now.
      try {
        in.close();
      } catch (IOException closeFailed) {
        e.addSuppressed(closeFailed);
      }
      throw e;
    }
  }

  private static PackId readHeader(FSDataInputStream in, long length, String name) throws IOException {
    if (length < PackFormat.HEADER_LENGTH + PackFormat.FOOTER_LENGTH) {
      throw new FormatException(name, "too short to be a pack (" + length + " bytes)");
    }
    byte[] header = new byte[PackFormat.HEADER_LENGTH];
    in.readFully(0, header);
    DataInputStream data = new DataInputStream(new ByteArrayInputStream(header));
    FormatChecks.readHeader(data, PackFormat.MAGIC, "pack", name, PackFormat.MIN_VERSION, PackFormat.VERSION);
    if (data.readUnsignedShort() != 0) {
      throw new FormatException(name, "pack header's reserved field is not 0");
    }
    byte[] idBytes = new byte[PackId.LENGTH];
    data.readFully(idBytes);
    return PackId.copyOf(idBytes, 0);
  }

  public PackId id() {
    return id;
  }

  /** Reads the stored bytes of one blob (method byte first). */
  public byte[] readBlob(long offset, int storedLength) throws IOException {
    if (offset < PackFormat.HEADER_LENGTH || storedLength < 1
        || offset + storedLength > length - PackFormat.FOOTER_LENGTH) {
      throw new FormatException(name, "blob at " + offset + "+" + storedLength + " lies outside the pack");
    }
    byte[] blob = new byte[storedLength];
    in.readFully(offset, blob);
    return blob;
  }

  /**
   * Reads a blob into {@code into} (at 0), which must hold {@code storedLength} bytes: for a
   * reader of many blobs, one buffer instead of an array per blob.
   */
  public void readBlob(long offset, int storedLength, byte[] into) throws IOException {
    if (offset < PackFormat.HEADER_LENGTH || storedLength < 1
        || offset + storedLength > length - PackFormat.FOOTER_LENGTH) {
      throw new FormatException(name, "blob at " + offset + "+" + storedLength + " lies outside the pack");
    }
    in.readFully(offset, into, 0, storedLength);
  }

  /** Reads and checks the trailer: every blob's chunk id and place. */
  public List<PackEntry> entries() throws IOException {
    byte[] footer = new byte[PackFormat.FOOTER_LENGTH];
    in.readFully(length - PackFormat.FOOTER_LENGTH, footer);
    ByteBuffer f = ByteBuffer.wrap(footer);
    int count = f.getInt();
    long trailerOffset = f.getLong();
    byte[] expectedHash = new byte[32];
    f.get(expectedHash);
    byte[] magic = new byte[4];
    f.get(magic);
    if (!Arrays.equals(magic, PackFormat.MAGIC)) {
      throw new FormatException(name, "pack footer is damaged (bad magic)");
    }
    long trailerLength = (long) count * PackFormat.TRAILER_ROW_LENGTH;
    if (count < 0 || trailerOffset < PackFormat.HEADER_LENGTH
        || trailerOffset + trailerLength != length - PackFormat.FOOTER_LENGTH) {
      throw new FormatException(name, "pack footer is damaged (trailer does not fit)");
    }
    if (trailerLength > MAX_TRAILER_LENGTH) {
      // A trailer is read whole to check its hash; past an array's size it cannot be, and a pack
      // written by hbackup (packSize at most 4 GiB) never needs one so large.
      throw new FormatException(name, "pack trailer of " + count + " rows is larger than a reader holds");
    }
    byte[] trailer = new byte[(int) trailerLength];
    in.readFully(trailerOffset, trailer);
    if (!Arrays.equals(Hashing.sha256().hashBytes(trailer).asBytes(), expectedHash)) {
      throw new FormatException(name, "pack trailer does not match its checksum");
    }
    List<PackEntry> entries = new ArrayList<>(count);
    ByteBuffer t = ByteBuffer.wrap(trailer);
    long next = PackFormat.HEADER_LENGTH;
    for (int i = 0; i < count; i++) {
      ContentId id = ContentId.copyOf(trailer, t.position());
      t.position(t.position() + ContentId.LENGTH);
      PackEntry e = new PackEntry(id, t.getLong(), t.getInt(), t.getInt());
      // Blobs lie one after another from the header to the trailer: every byte belongs to one.
      if (e.offset() != next || e.storedLength() < 1 || e.rawLength() < 0) {
        throw new FormatException(name, "pack trailer row " + i + " does not follow the blob before it");
      }
      next = e.offset() + e.storedLength();
      entries.add(e);
    }
    if (next != trailerOffset) {
      throw new FormatException(name, "pack blobs end at " + next + ", not at the trailer (" + trailerOffset + ")");
    }
    return entries;
  }

  @Override
  public void close() throws IOException {
    in.close();
  }
}
