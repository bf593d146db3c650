package org.hbackup.common.manifest;

import java.io.ByteArrayOutputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

import com.github.luben.zstd.Zstd;
import com.google.common.hash.Hashing;
import org.hbackup.common.id.ContentId;

/**
 * Writes a point's manifest from entries in path order: cuts them into segments at
 * content-defined boundaries, hands each finished segment to a {@link SegmentSink}, and returns
 * the {@link ManifestList} that names them.
 *
 * <p>A boundary falls after an entry whose path hashes to a value with ten low zero bits (and at
 * least {@link #MIN_ENTRIES} entries in), so boundaries depend on paths alone: a later point
 * whose range of paths did not change writes a byte-identical segment, which then has the same
 * name and is stored once (DESIGN.md §2). A change moves at most the boundaries around it.
 * Memory: one segment, at most {@link #MAX_RAW_BYTES} plus one entry.
 */
public final class ManifestWriter {
  static final int MIN_ENTRIES = 64;
  static final int BOUNDARY_MASK = 1024 - 1;
  static final int MAX_ENTRIES = 8192;
  static final int MAX_RAW_BYTES = 8 * 1024 * 1024;
  private static final int ZSTD_LEVEL = 3;

  private final SegmentSink sink;
  private final List<SegmentRef> segments = new ArrayList<>();
  private final ByteArrayOutputStream body = new ByteArrayOutputStream(1 << 20);
  private final DataOutputStream bodyOut = new DataOutputStream(body);
  private byte[] lastPathBytes;
  private String firstPath;
  private String lastPath;
  private long entries;
  private long files;
  private long bytes;
  private final ManifestTotals totals = new ManifestTotals();

  public ManifestWriter(SegmentSink sink) {
    this.sink = sink;
  }

  public void add(ManifestEntry entry) throws IOException {
    byte[] pathBytes = entry.path().getBytes(StandardCharsets.UTF_8);
    if (lastPathBytes != null && java.util.Arrays.compareUnsigned(lastPathBytes, pathBytes) >= 0) {
      throw new IllegalStateException("manifest entries out of order: '" + lastPath + "' then '"
          + entry.path() + "'");
    }
    lastPathBytes = pathBytes;
    if (entries == 0) {
      firstPath = entry.path();
    }
    lastPath = entry.path();
    ManifestEntryCodec.write(entry, bodyOut);
    entries++;
    if (entry.isFile()) {
      files++;
      bytes += entry.length();
    }
    totals.add(entry);
    if (entries >= MAX_ENTRIES || body.size() >= MAX_RAW_BYTES
        || (entries >= MIN_ENTRIES && isBoundary(pathBytes))) {
      flushSegment();
    }
  }

  static boolean isBoundary(byte[] pathBytes) {
    return (Hashing.sha256().hashBytes(pathBytes).asInt() & BOUNDARY_MASK) == 0;
  }

  private void flushSegment() throws IOException {
    if (entries == 0) {
      return;
    }
    bodyOut.flush();
    byte[] raw = body.toByteArray();
    byte[] compressed = Zstd.compress(raw, ZSTD_LEVEL);
    ByteBuffer file = ByteBuffer.allocate(4 + 2 + 1 + 1 + 4 + 8 + compressed.length);
    file.put(SegmentFormat.MAGIC).putShort((short) SegmentFormat.VERSION)
        .put((byte) SegmentFormat.BODY_ZSTD).put((byte) 0)
        .putInt((int) entries).putLong(raw.length).put(compressed);
    byte[] fileBytes = file.array();
    ContentId id = ContentId.of(fileBytes);
    sink.store(id, fileBytes, fileBytes.length);
    segments.add(new SegmentRef(id, firstPath, lastPath, entries, files, bytes));
    body.reset();
    entries = 0;
    files = 0;
    bytes = 0;
  }

  /** Flushes the last segment and returns the list that names all of them. */
  public ManifestList finish() throws IOException {
    flushSegment();
    return new ManifestList(segments, totals);
  }
}
