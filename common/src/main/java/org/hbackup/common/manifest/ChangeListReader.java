package org.hbackup.common.manifest;

import java.io.BufferedInputStream;
import java.io.DataInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.EnumMap;
import java.util.Map;

import com.github.luben.zstd.ZstdInputStream;
import org.hbackup.common.FormatException;
import org.hbackup.common.io.FormatChecks;

/** Reads a change list written by {@link ChangeListWriter}, one record at a time. */
public final class ChangeListReader implements AutoCloseable {
  /** One listed path. */
  public static final class Change {
    private final ChangeKind kind;
    private final String path;
    private final String from;

    Change(ChangeKind kind, String path, String from) {
      this.kind = kind;
      this.path = path;
      this.from = from;
    }

    public ChangeKind kind() {
      return kind;
    }

    public String path() {
      return path;
    }

    /** Where a renamed path came from; null for other kinds. */
    public String from() {
      return from;
    }
  }

  private final String name;
  private final DataInputStream in;
  private byte[] lastPath;
  private static final int BUFFER_BYTES = 64 * 1024;
  private long records;
  private boolean ended;
  /** The point record's count of each kind, when the caller has it ({@link #expecting}). */
  private Map<ChangeKind, Long> expected;
  private final Map<ChangeKind, Long> counted = new EnumMap<>(ChangeKind.class);

  public ChangeListReader(InputStream file, String name) throws IOException {
    this.name = name;
    DataInputStream header = new DataInputStream(file);
    FormatChecks.readHeader(header, ChangeListFormat.MAGIC, "change list", name,
        ChangeListFormat.MIN_VERSION, ChangeListFormat.VERSION);
    header.readUnsignedShort();
    // Buffered above zstd: its single-byte read is one native call per byte.
    this.in = new DataInputStream(new BufferedInputStream(new ZstdInputStream(file), BUFFER_BYTES));
  }

  /**
   * Checks, at the end, that the list holds as many paths of each kind as its point record's
   * {@code changes} say ({@code unchanged} excepted, which are never listed): a change list copied
   * under another point's name, which its header cannot tell, is refused when they differ.
   */
  public ChangeListReader expecting(Map<ChangeKind, Long> counts) {
    this.expected = counts;
    return this;
  }

  /** The next change, or null after the last one (whose count is checked). */
  public Change next() throws IOException {
    if (ended) {
      return null;
    }
    try {
      int code = in.readUnsignedByte();
      if (code == 0) {
        long count = in.readLong();
        if (count != records || in.read() != -1) {
          throw new FormatException(name, "change list ends after " + records + " records, its end says " + count);
        }
        checkCounts();
        ended = true;
        return null;
      }
      ChangeKind kind = ChangeKind.ofCode(code);
      if (kind == null) {
        throw new FormatException(name, "unknown change kind " + code);
      }
      String path = checked(ManifestEntryCodec.readString(in, name));
      String from = kind == ChangeKind.RENAMED ? checked(ManifestEntryCodec.readString(in, name)) : null;
      byte[] bytes = path.getBytes(StandardCharsets.UTF_8);
      if (lastPath != null && Arrays.compareUnsigned(lastPath, bytes) >= 0) {
        throw new FormatException(name, "change list out of path order at '" + path + "'");
      }
      lastPath = bytes;
      records++;
      counted.merge(kind, 1L, Long::sum);
      return new Change(kind, path, from);
    } catch (EOFException e) {
      throw new FormatException(name, "change list is truncated", e);
    } catch (com.github.luben.zstd.ZstdIOException e) {
      throw new FormatException(name, "change list does not decode: " + e.getMessage(), e);
    }
  }

  private void checkCounts() throws FormatException {
    if (expected == null) {
      return;
    }
    for (ChangeKind kind : ChangeKind.values()) {
      if (kind == ChangeKind.UNCHANGED) {
        continue;
      }
      long listed = counted.getOrDefault(kind, 0L);
      long recorded = expected.getOrDefault(kind, 0L);
      if (listed != recorded) {
        throw new FormatException(name, "lists " + listed + " " + kind.reportName() + " paths where its point"
            + " record counts " + recorded + ": it is not that point's change list");
      }
    }
  }

  private String checked(String path) throws FormatException {
    String problem = RelativePaths.problem(path);
    if (problem != null) {
      throw new FormatException(name, "refusing change list path '" + path + "': " + problem);
    }
    return path;
  }

  @Override
  public void close() throws IOException {
    in.close();
  }
}
