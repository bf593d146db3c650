package org.hbackup.common.manifest;

import java.io.ByteArrayInputStream;
import java.io.DataInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;

import com.github.luben.zstd.ZstdInputStream;
import com.google.common.io.ByteStreams;
import org.hbackup.common.DamageException;
import org.hbackup.common.FormatException;
import org.hbackup.common.id.ContentId;
import org.hbackup.common.io.CountingBufferedInputStream;
import org.hbackup.common.io.FormatChecks;

/**
 * Reads the entries of one segment in path order. The whole file is read and checked against
 * its name (SHA-256) before the first entry is returned, so a damaged segment yields nothing
 * rather than some entries and then an error. Memory: the segment file.
 */
public final class SegmentReader implements AutoCloseable {
  private final String name;
  private final DataInputStream entries;
  private final CountingBufferedInputStream counted;
  private final long count;
  private final long rawLength;
  private final int version;
  private static final int BUFFER_BYTES = 64 * 1024;
  private long read;
  private byte[] lastPath;
  /** The manifest list's row for this segment, when the caller has one ({@link #expecting}). */
  private String rowFirst;
  private String rowLast;

  private SegmentReader(String name, byte[] file) throws IOException {
    this.name = name;
    DataInputStream header = new DataInputStream(new ByteArrayInputStream(file));
    this.version = FormatChecks.readHeader(header, SegmentFormat.MAGIC, "manifest segment", name,
        SegmentFormat.MIN_VERSION, SegmentFormat.VERSION);
    int compression = header.readUnsignedByte();
    header.readUnsignedByte();
    this.count = header.readInt() & 0xffffffffL;
    this.rawLength = header.readLong();
    long stored = header.available();
    InputStream body = header;
    if (compression == SegmentFormat.BODY_ZSTD) {
      // Bounded before decoding: a small body that decodes to gigabytes (a zstd bomb) is refused
      // by its header, or as soon as it decodes to more than its header says.
      if (rawLength < 0 || rawLength > Math.max(SegmentFormat.MAX_RAW_FOR_ANY_BODY, SegmentFormat.MAX_RATIO * stored)) {
        throw new FormatException(name, "segment header says its body decodes to " + rawLength + " bytes, from "
            + stored);
      }
      body = ByteStreams.limit(new ZstdInputStream(header), rawLength + 1);
    } else if (compression != SegmentFormat.BODY_RAW) {
      throw new FormatException(name, "unknown segment body compression " + compression);
    } else if (rawLength != stored) {
      throw new FormatException(name, "segment header says its body has " + rawLength + " bytes, not " + stored);
    }
    // Buffered: zstd's single-byte read, which DataInputStream uses for every number, is one
    // native call per byte; decoding a segment spent most of its time there.
    this.counted = new CountingBufferedInputStream(body, BUFFER_BYTES);
    this.entries = new DataInputStream(counted);
  }

  /** Opens a segment from its complete bytes, checking them against its name. */
  public static SegmentReader open(ContentId id, byte[] file, String name) throws IOException {
    ContentId actual = ContentId.of(file);
    if (!actual.equals(id)) {
      throw new DamageException(name + ": segment content does not match its name (SHA-256 " + actual + ")");
    }
    return new SegmentReader(name, file);
  }

  /** Reads a segment file from a stream and opens it. */
  public static SegmentReader open(ContentId id, InputStream in, String name) throws IOException {
    byte[] file = ByteStreams.toByteArray(ByteStreams.limit(in, SegmentFormat.MAX_FILE_BYTES + 1));
    if (file.length > SegmentFormat.MAX_FILE_BYTES) {
      throw new FormatException(name, "segment file is larger than " + SegmentFormat.MAX_FILE_BYTES + " bytes");
    }
    return open(id, file, name);
  }

  public long entryCount() {
    return count;
  }

  /**
   * Checks the segment against the manifest list's row that names it: its entry count now, its
   * first path with the first entry, its last path at the end. The segment matched its name, so
   * a difference is the list's: a row whose range lies would hide entries from a selective
   * restore or let two segments hold the same path, which the per-segment order cannot see.
   */
  public SegmentReader expecting(SegmentRef row) throws FormatException {
    return expecting(row.entries(), row.firstPath(), row.lastPath());
  }

  /** {@link #expecting(SegmentRef)} from a row's figures. */
  public SegmentReader expecting(long entries, String first, String last) throws FormatException {
    if (entries != count) {
      throw new FormatException(name, "the manifest list's row for this segment says " + entries
          + " entries; it holds " + count);
    }
    rowFirst = first;
    rowLast = last;
    return this;
  }

  /** The next entry, or null after the last one. */
  public ManifestEntry next() throws IOException {
    if (read == count) {
      if (entries.read() != -1 || counted.count() != rawLength) {
        throw new FormatException(name, "segment body does not end where its header says");
      }
      if (rowLast != null && (lastPath == null || !Arrays.equals(lastPath, rowLast.getBytes(StandardCharsets.UTF_8)))) {
        throw new FormatException(name, "the manifest list's row for this segment says it ends at '" + rowLast
            + "'; it does not");
      }
      return null;
    }
    ManifestEntry e;
    try {
      e = ManifestEntryCodec.read(entries, name, version);
    } catch (DamageException damage) {
      throw damage;
    } catch (IOException notDecodable) {
      // The file is in memory and matched its name: what does not decode (zstd's own errors
      // among them) is damage of this segment, not a failure of the run.
      throw new FormatException(name, "segment body does not decode: " + notDecodable.getMessage(), notDecodable);
    }
    if (counted.count() > rawLength) {
      throw new FormatException(name, "segment body is longer than its header says (" + rawLength + " bytes)");
    }
    byte[] path = e.path().getBytes(StandardCharsets.UTF_8);
    if (lastPath != null && Arrays.compareUnsigned(lastPath, path) >= 0) {
      throw new FormatException(name, "entries out of path order at '" + e.path() + "'");
    }
    if (read == 0 && rowFirst != null && !rowFirst.equals(e.path())) {
      throw new FormatException(name, "the manifest list's row for this segment says it begins at '" + rowFirst
          + "'; it begins at '" + e.path() + "'");
    }
    lastPath = path;
    read++;
    return e;
  }

  @Override
  public void close() throws IOException {
    entries.close();
  }
}
