package org.hbackup.verify;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;

import org.apache.hadoop.io.Text;
import org.hbackup.common.id.ContentId;
import org.hbackup.common.id.PackId;
import org.hbackup.common.manifest.SegmentTreeSummary;

/**
 * A value of the verify joins: a tag, then the fields of that kind of record. One class for all
 * of them keeps their encodings side by side; each job reads the tags it expects.
 */
final class VerifyRecord {
  /** A point that names a segment: point id, the segment's first and last path and entries in its list. */
  static final byte POINT = 1;
  /** A pack as its check found it: damaged or not, why, bytes read. */
  static final byte PACK_STATE = 2;
  /** An index file names the pack. */
  static final byte INDEXED = 3;
  /** An index row of a chunk: pack, offset, stored and raw length, index file. */
  static final byte INDEX_ROW = 4;
  /** A trailer row of a chunk: pack, offset, stored and raw length, and what reading the blob found. */
  static final byte TRAILER_ROW = 5;
  /** A reference to a chunk: the segment and path of the file that names it. */
  static final byte REF = 6;
  /** A file of a segment that cannot be restored, and why. */
  static final byte DAMAGED_REF = 8;
  /** Files of a point that cannot be restored: why, and how many (a damaged segment's entries). */
  static final byte AFFECTED = 9;
  /** A segment that is missing or damaged: why. */
  static final byte SEGMENT_DAMAGED = 10;
  /** What a segment tells the tree rule about the segments around it: a {@link SegmentTreeSummary}. */
  static final byte TREE_SUMMARY = 11;
  /**
   * A manifest list's row for a segment that the segment does not match: the list file, the row's
   * first and last path and entries (as a {@link #POINT} gives them), and how they differ.
   */
  static final byte ROW_DAMAGED = 12;

  /** What reading a blob found. */
  static final byte BLOB_UNREAD = 0;
  static final byte BLOB_OK = 1;
  static final byte BLOB_BAD = 2;
  /** Not read, and its pack has a damage record (FORMAT.md section 12b): a copy of last resort. */
  static final byte BLOB_SUSPECT = 3;
  /**
   * Not read, and a damage record names this very blob: damage to verify, which reports what was
   * found; a copy of last resort to repair index (the record may be of a failure since mended).
   */
  static final byte BLOB_RECORDED_BAD = 4;

  final byte tag;
  String text1;
  String text2;
  String text3;
  String text4;
  /** For {@link #ROW_DAMAGED}: the entries the segment holds. */
  long held;
  PackId pack;
  ContentId id;
  long offset;
  int storedLength;
  int rawLength;
  byte state;
  long number;
  byte[] payload;

  private VerifyRecord(byte tag) {
    this.tag = tag;
  }

  static byte[] point(String point, String first, String last, long entries) throws IOException {
    return encode(POINT, out -> {
      Text.writeString(out, point);
      Text.writeString(out, first);
      Text.writeString(out, last);
      out.writeLong(entries);
    });
  }

  static byte[] packState(boolean damaged, String reason, long bytesRead) throws IOException {
    return encode(PACK_STATE, out -> {
      out.writeBoolean(damaged);
      Text.writeString(out, reason == null ? "" : reason);
      out.writeLong(bytesRead);
    });
  }

  static byte[] indexed(String indexFile) throws IOException {
    return encode(INDEXED, out -> Text.writeString(out, indexFile));
  }

  static byte[] indexRow(PackId pack, long offset, int stored, int raw, String indexFile) throws IOException {
    return encode(INDEX_ROW, out -> {
      out.write(pack.bytes());
      out.writeLong(offset);
      out.writeInt(stored);
      out.writeInt(raw);
      Text.writeString(out, indexFile);
    });
  }

  static byte[] trailerRow(PackId pack, long offset, int stored, int raw, byte blob, String why) throws IOException {
    return encode(TRAILER_ROW, out -> {
      out.write(pack.bytes());
      out.writeLong(offset);
      out.writeInt(stored);
      out.writeInt(raw);
      out.writeByte(blob);
      Text.writeString(out, why == null ? "" : why);
    });
  }

  /** A reference to a chunk of {@code length} bytes by the file at {@code path} of a segment. */
  static byte[] ref(ContentId segment, String path, int length) throws IOException {
    return encode(REF, out -> {
      out.write(segment.bytes());
      Text.writeString(out, path);
      out.writeInt(length);
    });
  }

  static byte[] segmentDamaged(String why) throws IOException {
    return encode(SEGMENT_DAMAGED, out -> Text.writeString(out, why));
  }

  /** A list's row (entries, first, last) that its segment, which holds {@code held} entries, does not match. */
  static byte[] rowDamaged(String list, String first, String last, long entries, long held, String why)
      throws IOException {
    return encode(ROW_DAMAGED, out -> {
      Text.writeString(out, list);
      Text.writeString(out, first);
      Text.writeString(out, last);
      out.writeLong(entries);
      out.writeLong(held);
      Text.writeString(out, why);
    });
  }

  /** Whether this {@link #POINT} record gives the same row as this {@link #ROW_DAMAGED} one. */
  boolean sameRowAs(VerifyRecord row) {
    return number == row.number && text2.equals(row.text2) && text3.equals(row.text3);
  }

  static byte[] treeSummary(SegmentTreeSummary summary) throws IOException {
    return encode(TREE_SUMMARY, summary::write);
  }

  static byte[] damagedRef(String path, String why) throws IOException {
    return encode(DAMAGED_REF, out -> {
      Text.writeString(out, path);
      Text.writeString(out, why);
    });
  }

  static byte[] affected(String why) throws IOException {
    return affected(why, 1);
  }

  static byte[] affected(String why, long files) throws IOException {
    return encode(AFFECTED, out -> {
      Text.writeString(out, why);
      out.writeLong(files);
    });
  }

  static VerifyRecord decode(byte[] bytes, int length) throws IOException {
    DataInputStream in = new DataInputStream(new ByteArrayInputStream(bytes, 0, length));
    VerifyRecord r = new VerifyRecord(in.readByte());
    switch (r.tag) {
      case POINT:
        r.text1 = Text.readString(in);
        r.text2 = Text.readString(in);
        r.text3 = Text.readString(in);
        r.number = in.readLong();
        break;
      case ROW_DAMAGED:
        r.text1 = Text.readString(in);
        r.text2 = Text.readString(in);
        r.text3 = Text.readString(in);
        r.number = in.readLong();
        r.held = in.readLong();
        r.text4 = Text.readString(in);
        break;
      case PACK_STATE:
        r.state = (byte) (in.readBoolean() ? 1 : 0);
        r.text1 = Text.readString(in);
        r.number = in.readLong();
        break;
      case INDEXED:
      case SEGMENT_DAMAGED:
        r.text1 = Text.readString(in);
        break;
      case AFFECTED:
        r.text1 = Text.readString(in);
        r.number = in.readLong();
        break;
      case INDEX_ROW:
      case TRAILER_ROW:
        byte[] pack = new byte[PackId.LENGTH];
        in.readFully(pack);
        r.pack = PackId.copyOf(pack, 0);
        r.offset = in.readLong();
        r.storedLength = in.readInt();
        r.rawLength = in.readInt();
        if (r.tag == INDEX_ROW) {
          r.text1 = Text.readString(in);
        } else {
          r.state = in.readByte();
          r.text1 = Text.readString(in);
        }
        break;
      case REF:
        byte[] segment = new byte[ContentId.LENGTH];
        in.readFully(segment);
        r.id = ContentId.wrap(segment);
        r.text1 = Text.readString(in);
        r.rawLength = in.readInt();
        break;
      case DAMAGED_REF:
        r.text1 = Text.readString(in);
        r.text2 = Text.readString(in);
        break;
      case TREE_SUMMARY:
        r.payload = java.util.Arrays.copyOfRange(bytes, 1, length);
        break;
      default:
        throw new IOException("unknown verify record tag " + r.tag);
    }
    return r;
  }

  private interface Body {
    void write(DataOutputStream out) throws IOException;
  }

  private static byte[] encode(byte tag, Body body) throws IOException {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream(96);
    DataOutputStream out = new DataOutputStream(bytes);
    out.writeByte(tag);
    body.write(out);
    return bytes.toByteArray();
  }
}
