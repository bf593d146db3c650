package org.hbackup.backup;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;

import org.apache.hadoop.io.Text;
import org.apache.hadoop.io.WritableUtils;
import org.hbackup.common.manifest.ManifestEntry;
import org.hbackup.common.manifest.ManifestEntryCodec;

/**
 * A value under a {@link BackupKey#MANIFEST} key: the path's entry in the new point (and where it
 * was renamed from, if it was), or a mark that the base point's entry at this path moved to
 * another path, so the reducer does not count it as deleted. One tag byte, then the fields.
 */
final class ShuffleRecord {
  static final byte ENTRY = 0;
  static final byte RENAMED_ENTRY = 1;
  static final byte MOVED_AWAY = 2;
  static final byte RANGE = 3;
  static final byte SKIPPED = 4;
  /** Something the report says about an entry that is in the point as it is (an open file). */
  static final byte NOTE = 5;

  /** A source entry that could not be read (a file, or a directory's contents): reported. */
  static final byte UNREADABLE = 1;
  /** A FIFO, socket or device, never read as data: reported, not kept. */
  static final byte SPECIAL = 2;
  /** An HDFS file open for write (--open-files): reported; left out only with "skip". */
  static final byte OPEN_FOR_WRITE = 3;
  /**
   * A file of a live source that changed while it was read (its length or modification time
   * after the read are not those it was read as): in the point as read, which may be a state it
   * never had; reported.
   */
  static final byte CHANGING = 4;
  /**
   * An entry whose name or symlink target the point cannot record (not UTF-8): left out and
   * reported, as {@link #UNREADABLE}. Each such record is an entry of its own, though the records
   * of a directory's children come under the directory's path: each is named and counted.
   */
  static final byte UNRECORDABLE = 5;

  private final byte tag;
  private final ManifestEntry entry;
  /**
   * The other path of a renamed entry or a moved-away mark; a skipped record's or note's reason;
   * a range's version (ETag) of the file it was read from.
   */
  private final String otherPath;
  private final int rangeIndex;
  private final int rangeCount;
  private final long rangeSize;

  private ShuffleRecord(byte tag, ManifestEntry entry, String otherPath) {
    this(tag, entry, otherPath, 0, 1, 0);
  }

  private ShuffleRecord(byte tag, ManifestEntry entry, String otherPath, int rangeIndex, int rangeCount,
      long rangeSize) {
    this.tag = tag;
    this.entry = entry;
    this.otherPath = otherPath;
    this.rangeIndex = rangeIndex;
    this.rangeCount = rangeCount;
    this.rangeSize = rangeSize;
  }

  /** The new point's entry; {@code renamedFrom} is its base path when it was renamed, else null. */
  static byte[] entry(ManifestEntry entry, String renamedFrom) throws IOException {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream(256);
    DataOutputStream out = new DataOutputStream(bytes);
    out.writeByte(renamedFrom == null ? ENTRY : RENAMED_ENTRY);
    if (renamedFrom != null) {
      Text.writeString(out, renamedFrom);
    }
    ManifestEntryCodec.write(entry, out);
    return bytes.toByteArray();
  }

  /** The mark under a base path whose entry was renamed to {@code to}. */
  static byte[] movedAway(String to) throws IOException {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream(64);
    DataOutputStream out = new DataOutputStream(bytes);
    out.writeByte(MOVED_AWAY);
    Text.writeString(out, to);
    return bytes.toByteArray();
  }

  /**
   * One range of a file read in ranges: {@code range} is a file entry of that range alone (its
   * length, the SHA-256 of its bytes, its chunks) with the file's metadata; {@code version} is
   * the version of the file it was read from (an object's ETag), or empty where the source names
   * none or nothing was read.
   */
  static byte[] range(int index, int count, long rangeSize, ManifestEntry range, String version) throws IOException {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream(256);
    DataOutputStream out = new DataOutputStream(bytes);
    out.writeByte(RANGE);
    WritableUtils.writeVInt(out, index);
    WritableUtils.writeVInt(out, count);
    WritableUtils.writeVLong(out, rangeSize);
    Text.writeString(out, version);
    ManifestEntryCodec.write(range, out);
    return bytes.toByteArray();
  }

  /** A range of nothing read (the file was gone): no version. */
  static byte[] range(int index, int count, long rangeSize, ManifestEntry range) throws IOException {
    return range(index, count, rangeSize, range, "");
  }

  /**
   * A source entry left out of the point, or a directory whose contents were: {@code why} is
   * {@link #UNREADABLE} or {@link #SPECIAL}, with the reason the report gives.
   */
  static byte[] skipped(byte why, String reason) throws IOException {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream(64);
    DataOutputStream out = new DataOutputStream(bytes);
    out.writeByte(SKIPPED);
    out.writeByte(why);
    Text.writeString(out, reason);
    return bytes.toByteArray();
  }

  /** A note for the report on an entry that is in the point ({@link #OPEN_FOR_WRITE}, {@link #CHANGING}). */
  static byte[] note(byte why, String reason) throws IOException {
    byte[] record = skipped(why, reason);
    record[0] = NOTE;
    return record;
  }

  static ShuffleRecord decode(byte[] bytes, int length) throws IOException {
    DataInputStream in = new DataInputStream(new ByteArrayInputStream(bytes, 0, length));
    byte tag = in.readByte();
    switch (tag) {
      case ENTRY:
        return new ShuffleRecord(tag, ManifestEntryCodec.read(in, "shuffle"), null);
      case RENAMED_ENTRY:
        String from = Text.readString(in);
        return new ShuffleRecord(tag, ManifestEntryCodec.read(in, "shuffle"), from);
      case MOVED_AWAY:
        return new ShuffleRecord(tag, null, Text.readString(in));
      case SKIPPED:
      case NOTE:
        byte why = in.readByte();
        return new ShuffleRecord(tag, null, Text.readString(in), why, 1, 0);
      case RANGE:
        int index = WritableUtils.readVInt(in);
        int count = WritableUtils.readVInt(in);
        long size = WritableUtils.readVLong(in);
        String version = Text.readString(in);
        return new ShuffleRecord(tag, ManifestEntryCodec.read(in, "shuffle"), version, index, count, size);
      default:
        throw new IOException("unknown shuffle record tag " + tag);
    }
  }

  boolean isMovedAway() {
    return tag == MOVED_AWAY;
  }

  boolean isRange() {
    return tag == RANGE;
  }

  boolean isSkipped() {
    return tag == SKIPPED;
  }

  boolean isNote() {
    return tag == NOTE;
  }

  /** For a skipped record: {@link #UNREADABLE} or {@link #SPECIAL}. */
  byte skippedBecause() {
    return (byte) rangeIndex;
  }

  /** For a skipped record: the reason the report gives. */
  String skipReason() {
    return otherPath;
  }

  int rangeIndex() {
    return rangeIndex;
  }

  int rangeCount() {
    return rangeCount;
  }

  long rangeSize() {
    return rangeSize;
  }

  /** For a range record: the version of the file it was read from, or empty (none named, none read). */
  String rangeVersion() {
    return otherPath;
  }

  /** The new point's entry (for a range record, the range's); null for a moved-away mark. */
  ManifestEntry entry() {
    return entry;
  }

  /** Where a renamed entry came from; null for a plain entry. */
  String renamedFrom() {
    return tag == RENAMED_ENTRY ? otherPath : null;
  }
}
