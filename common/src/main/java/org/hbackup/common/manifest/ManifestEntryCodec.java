package org.hbackup.common.manifest;

import java.io.DataInput;
import java.io.DataOutput;
import java.io.EOFException;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

import org.hbackup.common.FormatException;
import org.hbackup.common.chunk.ChunkerParameters;
import org.hbackup.common.id.ContentId;

/**
 * The binary form of a manifest entry (docs/FORMAT.md, "Entry encoding"), used in segments and
 * in the backup's shuffle. Decoding checks every length against a bound before allocating, so a
 * hostile segment cannot make a reader allocate gigabytes or escape a restore target.
 */
public final class ManifestEntryCodec {
  /** Longer than any HDFS path (8000 characters) and any user or group name. */
  static final int MAX_STRING_BYTES = 64 * 1024;
  /** A 16 TiB file at the 256 KiB minimum chunk size. */
  static final int MAX_CHUNKS = 1 << 26;

  /** The entry encoding this build writes: that of segment version 2 (adds the source checksum). */
  public static final int CURRENT = 2;

  private ManifestEntryCodec() {
  }

  /** Writes one entry in the current encoding. */
  public static void write(ManifestEntry e, DataOutput out) throws IOException {
    out.writeByte(e.type().code());
    writeString(out, e.path());
    out.writeLong(e.length());
    out.writeShort(e.permission());
    writeString(out, e.owner());
    writeString(out, e.group());
    out.writeLong(e.modificationTime());
    out.writeLong(e.accessTime());
    out.writeShort(e.replication());
    out.writeLong(e.blockSize());
    switch (e.type()) {
      case FILE:
        out.write(e.fileHash().bytes());
        out.writeInt(e.chunks().size());
        for (ChunkRef c : e.chunks()) {
          out.write(c.id().bytes());
          out.writeInt(c.length());
        }
        SourceChecksum checksum = e.sourceChecksum();
        writeString(out, checksum == null ? "" : checksum.algorithm());
        byte[] checksumBytes = checksum == null ? new byte[0] : checksum.bytes();
        out.writeShort(checksumBytes.length);
        out.write(checksumBytes);
        out.writeLong(e.rangeSize());
        break;
      case SYMLINK:
        writeString(out, e.symlinkTarget());
        break;
      default:
        break;
    }
  }

  /** Reads one entry in the current encoding; {@code file} names the source in errors. */
  public static ManifestEntry read(DataInput in, String file) throws IOException {
    return read(in, file, CURRENT);
  }

  /**
   * Reads one entry written in the encoding of segment {@code version} (1 or 2); {@code file}
   * names the source in errors.
   */
  public static ManifestEntry read(DataInput in, String file, int version) throws IOException {
    try {
      int code = in.readUnsignedByte();
      EntryType type = EntryType.ofCode(code);
      if (type == null) {
        throw new FormatException(file, "unknown entry type " + code);
      }
      String path = readString(in, file);
      String problem = RelativePaths.problem(path);
      if (problem != null) {
        throw new FormatException(file, "refusing manifest path '" + path + "': " + problem);
      }
      ManifestEntry.Builder b = ManifestEntry.builder(type, path)
          .length(in.readLong())
          .permission(in.readShort())
          .owner(readString(in, file))
          .group(readString(in, file))
          .modificationTime(in.readLong())
          .accessTime(in.readLong())
          .replication(in.readShort())
          .blockSize(in.readLong());
      if (type == EntryType.FILE) {
        readFileContent(in, file, path, b, version);
      } else if (type == EntryType.SYMLINK) {
        String target = readString(in, file);
        if (target.isEmpty() || target.indexOf('\0') >= 0) {
          throw new FormatException(file, "symlink '" + path + "' has an empty target or one holding a NUL character");
        }
        b.symlinkTarget(target);
      }
      return b.build();
    } catch (EOFException e) {
      throw new FormatException(file, "entry is truncated", e);
    } catch (IllegalArgumentException e) {
      throw new FormatException(file, e.getMessage(), e);
    }
  }

  private static void readFileContent(DataInput in, String file, String path, ManifestEntry.Builder b,
      int version) throws IOException {
    byte[] hash = new byte[ContentId.LENGTH];
    in.readFully(hash);
    int count = in.readInt();
    if (count < 0 || count > MAX_CHUNKS) {
      throw new FormatException(file, "entry '" + path + "' claims " + count + " chunks");
    }
    List<ChunkRef> chunks = new ArrayList<>(Math.min(count, 4096));
    long total = 0;
    for (int i = 0; i < count; i++) {
      byte[] id = new byte[ContentId.LENGTH];
      in.readFully(id);
      int length = in.readInt();
      if (length <= 0 || length > ChunkerParameters.LIMIT_MAX) {
        throw new FormatException(file, "entry '" + path + "' has a chunk of " + length + " bytes");
      }
      total += length;
      chunks.add(new ChunkRef(ContentId.wrap(id), length));
    }
    if (version >= 2) {
      String algorithm = readString(in, file);
      int checksumLength = in.readUnsignedShort();
      if (checksumLength > SourceChecksum.MAX_BYTES || (algorithm.isEmpty() != (checksumLength == 0))) {
        throw new FormatException(file, "entry '" + path + "' has a malformed source checksum");
      }
      byte[] checksum = new byte[checksumLength];
      in.readFully(checksum);
      if (!algorithm.isEmpty()) {
        b.sourceChecksum(new SourceChecksum(algorithm, checksum));
      }
      b.rangeSize(in.readLong());
    }
    ManifestEntry partial = b.fileHash(ContentId.wrap(hash)).chunks(chunks).build();
    if (total != partial.length()) {
      throw new FormatException(file, "entry '" + path + "' has chunks of " + total
          + " bytes for a length of " + partial.length());
    }
  }

  static void writeString(DataOutput out, String s) throws IOException {
    byte[] bytes = s.getBytes(StandardCharsets.UTF_8);
    if (bytes.length > MAX_STRING_BYTES) {
      throw new IOException("string of " + bytes.length + " bytes is too long for a manifest");
    }
    out.writeInt(bytes.length);
    out.write(bytes);
  }

  static String readString(DataInput in, String file) throws IOException {
    int length = in.readInt();
    if (length < 0 || length > MAX_STRING_BYTES) {
      throw new FormatException(file, "string length " + length + " is out of bounds");
    }
    byte[] bytes = new byte[length];
    in.readFully(bytes);
    return new String(bytes, StandardCharsets.UTF_8);
  }

  /** Encodes one entry to bytes (for the shuffle). */
  public static byte[] toBytes(ManifestEntry e) throws IOException {
    java.io.ByteArrayOutputStream bytes = new java.io.ByteArrayOutputStream(256);
    write(e, new java.io.DataOutputStream(bytes));
    return bytes.toByteArray();
  }

  public static ManifestEntry fromBytes(byte[] bytes, int offset, int length, String source)
      throws IOException {
    return read(new java.io.DataInputStream(new java.io.ByteArrayInputStream(bytes, offset, length)), source);
  }
}
