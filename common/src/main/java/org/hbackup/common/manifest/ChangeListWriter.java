package org.hbackup.common.manifest;

import java.io.DataOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.EnumMap;
import java.util.Map;

import com.github.luben.zstd.ZstdOutputStream;

/**
 * Streams a point's change list ({@code manifests/<point id>.changes}, docs/FORMAT.md): each path
 * that differs from the base point, in path order, with how it differs. Unchanged paths are only
 * counted. Memory: the compressor's window.
 */
public final class ChangeListWriter implements AutoCloseable {
  private final DataOutputStream out;
  private final Map<ChangeKind, Long> counts = new EnumMap<>(ChangeKind.class);
  private byte[] lastPath;
  private long records;
  private boolean finished;

  public ChangeListWriter(OutputStream file) throws IOException {
    DataOutputStream header = new DataOutputStream(file);
    header.write(ChangeListFormat.MAGIC);
    header.writeShort(ChangeListFormat.VERSION);
    header.writeShort(0);
    ZstdOutputStream body = new ZstdOutputStream(file, ChangeListFormat.ZSTD_LEVEL);
    // The frame's own checksum: a damaged change list fails to decode instead of misreporting.
    body.setChecksum(true);
    this.out = new DataOutputStream(body);
    for (ChangeKind k : ChangeKind.values()) {
      counts.put(k, 0L);
    }
  }

  /** Records one path's change; {@code from} is the earlier path of a {@link ChangeKind#RENAMED} entry. */
  public void add(ChangeKind kind, String path, String from) throws IOException {
    counts.merge(kind, 1L, Long::sum);
    if (kind == ChangeKind.UNCHANGED) {
      return;
    }
    if ((kind == ChangeKind.RENAMED) != (from != null)) {
      throw new IllegalArgumentException("a renamed path, and only it, names where it came from: " + path);
    }
    byte[] bytes = path.getBytes(StandardCharsets.UTF_8);
    if (lastPath != null && Arrays.compareUnsigned(lastPath, bytes) >= 0) {
      throw new IllegalArgumentException("change list paths out of order at '" + path + "'");
    }
    lastPath = bytes;
    out.writeByte(kind.code());
    ManifestEntryCodec.writeString(out, path);
    if (from != null) {
      ManifestEntryCodec.writeString(out, from);
    }
    records++;
  }

  /** How many paths of each kind were added, unchanged ones included. */
  public Map<ChangeKind, Long> counts() {
    return new EnumMap<>(counts);
  }

  /** Writes the end record and closes the stream. */
  public void finish() throws IOException {
    if (!finished) {
      finished = true;
      out.writeByte(0);
      out.writeLong(records);
      out.close();
    }
  }

  @Override
  public void close() throws IOException {
    finish();
  }
}
