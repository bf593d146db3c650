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

  /**
   * The entry encoding this build writes: that of segment version 4 (2 added the source
   * checksum; 3 the setuid and setgid bits in the permission, ACL entries and extended attributes;
   * 4 the storage policy).
   */
  public static final int CURRENT = 4;
  /** The mode bits of version 1 and 2: permission and sticky bit. */
  static final int V2_MODE_BITS = 01777;
  /** The mode bits of version 3: also setuid and setgid. */
  static final int MODE_BITS = 07777;

  private ManifestEntryCodec() {
  }

  /** Writes one entry in the current encoding. */
  public static void write(ManifestEntry e, DataOutput out) throws IOException {
    write(e, out, CURRENT);
  }

  /**
   * Writes one entry in the encoding of segment {@code version}, leaving out what it cannot hold:
   * for the tests that prove older encodings are still read.
   */
  static void write(ManifestEntry e, DataOutput out, int version) throws IOException {
    out.writeByte(e.type().code());
    writeString(out, e.path());
    out.writeLong(e.length());
    out.writeShort(e.permission() & (version >= 3 ? MODE_BITS : V2_MODE_BITS));
    writeString(out, e.owner());
    writeString(out, e.group());
    out.writeLong(e.modificationTime());
    out.writeLong(e.accessTime());
    out.writeShort(e.replication());
    out.writeLong(e.blockSize());
    if (version >= 3) {
      writeAttributes(e.attributes(), out, version);
    }
    switch (e.type()) {
      case FILE:
        out.write(e.fileHash().bytes());
        out.writeInt(e.chunks().size());
        for (ChunkRef c : e.chunks()) {
          out.write(c.id().bytes());
          out.writeInt(c.length());
        }
        if (version < 2) {
          break;
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
   * Reads one entry written in the encoding of segment {@code version} (1 to 4); {@code file}
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
          .permission((short) (in.readShort() & (version >= 3 ? MODE_BITS : V2_MODE_BITS)))
          .owner(readString(in, file))
          .group(readString(in, file))
          .modificationTime(in.readLong())
          .accessTime(in.readLong())
          .replication(in.readShort())
          .blockSize(in.readLong());
      if (version >= 3) {
        b.attributes(readAttributes(in, file, path, version));
      }
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

  /**
   * ACL entries (u16 count, strings), then extended attributes (u16 count, name string, u32
   * length, bytes), then from version 4 the storage policy (string, empty for none).
   */
  private static void writeAttributes(EntryAttributes a, DataOutput out, int version) throws IOException {
    out.writeShort(a.acl().size());
    for (String entry : a.acl()) {
      writeString(out, entry);
    }
    out.writeShort(a.xattrs().size());
    for (java.util.Map.Entry<String, byte[]> x : a.xattrs().entrySet()) {
      writeString(out, x.getKey());
      out.writeInt(x.getValue().length);
      out.write(x.getValue());
    }
    if (version >= 4) {
      writeString(out, a.storagePolicy());
    }
  }

  private static EntryAttributes readAttributes(DataInput in, String file, String path, int version)
      throws IOException {
    int aclCount = in.readUnsignedShort();
    if (aclCount > EntryAttributes.MAX_ACL_ENTRIES) {
      throw new FormatException(file, "entry '" + path + "' claims " + aclCount + " ACL entries");
    }
    // Most entries have neither: nothing is allocated to collect them in.
    List<String> acl = aclCount == 0 ? List.of() : new ArrayList<>(aclCount);
    for (int i = 0; i < aclCount; i++) {
      acl.add(readString(in, file));
    }
    int xattrCount = in.readUnsignedShort();
    if (xattrCount > EntryAttributes.MAX_XATTRS) {
      throw new FormatException(file, "entry '" + path + "' claims " + xattrCount + " extended attributes");
    }
    java.util.Map<String, byte[]> xattrs = xattrCount == 0 ? java.util.Map.of() : new java.util.LinkedHashMap<>();
    String previous = null;
    for (int i = 0; i < xattrCount; i++) {
      String name = readString(in, file);
      int length = in.readInt();
      if (length < 0 || length > EntryAttributes.MAX_XATTR_VALUE) {
        throw new FormatException(file, "entry '" + path + "' has an extended attribute of " + length + " bytes");
      }
      if (previous != null && RelativePaths.compare(previous, name) >= 0) {
        throw new FormatException(file, "entry '" + path + "' has extended attributes out of order or repeated");
      }
      previous = name;
      byte[] value = new byte[length];
      in.readFully(value);
      xattrs.put(name, value);
    }
    String storagePolicy = version >= 4 ? readString(in, file) : "";
    return EntryAttributes.of(acl, xattrs, storagePolicy);
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
    if (length == 0) {
      return "";
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
