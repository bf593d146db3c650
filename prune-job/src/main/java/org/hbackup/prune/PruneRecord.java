package org.hbackup.prune;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;

import org.apache.hadoop.io.Text;
import org.hbackup.common.id.ContentId;
import org.hbackup.common.id.PackId;

/**
 * A value of the prune joins: a tag, then that kind's fields. Keys are verify's
 * {@link org.hbackup.verify.VerifyKey} (a segment, pack or chunk id, and an order byte that sorts
 * one id's records).
 */
final class PruneRecord {
  /** A remaining point names the segment (key: segment). */
  static final byte POINT = 1;
  /** A repository file exists: its length and modification time (key: segment; or a listing's value). */
  static final byte FILE = 2;
  /** Remaining points' files use the chunk: how many references (key: chunk). */
  static final byte REF = 3;
  /** A copy of the chunk in a pack, as the pack's trailer lists it (key: chunk). */
  static final byte COPY = 4;
  /** A pack as its listing and trailer found it (key: pack). */
  static final byte PACK_INFO = 5;
  /** A blob of the pack, used or not (key: pack). */
  static final byte BLOB = 6;
  /** A row of the new index (key: chunk). */
  static final byte ROW = 7;
  /** A named segment that is missing or damaged: why (key: segment). */
  static final byte PROBLEM = 8;
  /** An index file younger than the grace period names blobs of the pack: its name (key: pack). */
  static final byte YOUNG_INDEX = 9;

  final byte tag;
  String text;
  PackId pack;
  ContentId chunk;
  long offset;
  int storedLength;
  int rawLength;
  long length;
  long mtime;
  int count;
  boolean flag;
  boolean suspect;

  private PruneRecord(byte tag) {
    this.tag = tag;
  }

  static byte[] point(String id) throws IOException {
    return encode(POINT, out -> Text.writeString(out, id));
  }

  static byte[] file(long length, long mtime) throws IOException {
    return encode(FILE, out -> {
      out.writeLong(length);
      out.writeLong(mtime);
    });
  }

  static byte[] ref(long count) throws IOException {
    return encode(REF, out -> out.writeLong(count));
  }

  static byte[] youngIndex(String indexFile) throws IOException {
    return encode(YOUNG_INDEX, out -> Text.writeString(out, indexFile));
  }

  static byte[] problem(String why) throws IOException {
    return encode(PROBLEM, out -> Text.writeString(out, why));
  }

  static byte[] copy(PackId pack, long offset, int stored, int raw, long packMtime) throws IOException {
    return encode(COPY, out -> {
      out.write(pack.bytes());
      out.writeLong(offset);
      out.writeInt(stored);
      out.writeInt(raw);
      out.writeLong(packMtime);
    });
  }

  /**
   * A pack's record: {@code damaged} when its header or trailer cannot be read, {@code suspect}
   * when a damage record names it (some blob did not read back).
   */
  static byte[] packInfo(long length, long mtime, int blobs, boolean damaged, boolean suspect, String why)
      throws IOException {
    return encode(PACK_INFO, out -> {
      out.writeLong(length);
      out.writeLong(mtime);
      out.writeInt(blobs);
      out.writeBoolean(damaged);
      out.writeBoolean(suspect);
      Text.writeString(out, why == null ? "" : why);
    });
  }

  static byte[] blob(ContentId chunk, long offset, int stored, int raw, boolean live) throws IOException {
    return encode(BLOB, out -> {
      out.write(chunk.bytes());
      out.writeLong(offset);
      out.writeInt(stored);
      out.writeInt(raw);
      out.writeBoolean(live);
    });
  }

  static byte[] row(PackId pack, long offset, int stored, int raw, boolean preferred) throws IOException {
    return encode(ROW, out -> {
      out.write(pack.bytes());
      out.writeLong(offset);
      out.writeInt(stored);
      out.writeInt(raw);
      out.writeBoolean(preferred);
    });
  }

  static PruneRecord decode(byte[] bytes, int length) throws IOException {
    DataInputStream in = new DataInputStream(new ByteArrayInputStream(bytes, 0, length));
    PruneRecord r = new PruneRecord(in.readByte());
    switch (r.tag) {
      case POINT:
      case PROBLEM:
      case YOUNG_INDEX:
        r.text = Text.readString(in);
        break;
      case FILE:
        r.length = in.readLong();
        r.mtime = in.readLong();
        break;
      case REF:
        r.length = in.readLong();
        break;
      case COPY:
      case ROW:
        r.pack = readPack(in);
        r.offset = in.readLong();
        r.storedLength = in.readInt();
        r.rawLength = in.readInt();
        if (r.tag == COPY) {
          r.mtime = in.readLong();
        } else {
          r.flag = in.readBoolean();
        }
        break;
      case PACK_INFO:
        r.length = in.readLong();
        r.mtime = in.readLong();
        r.count = in.readInt();
        r.flag = in.readBoolean();
        r.suspect = in.readBoolean();
        r.text = Text.readString(in);
        break;
      case BLOB:
        r.chunk = readChunk(in);
        r.offset = in.readLong();
        r.storedLength = in.readInt();
        r.rawLength = in.readInt();
        r.flag = in.readBoolean();
        break;
      default:
        throw new IOException("unknown prune record tag " + r.tag);
    }
    return r;
  }

  /** One used blob of a pack to copy: the value of the repack listing. */
  record Blob(ContentId chunk, long offset, int storedLength, int rawLength) {
  }

  /** The used blobs of one pack, for the repack listing. */
  static byte[] blobs(List<Blob> blobs) throws IOException {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream(16 + blobs.size() * 48);
    DataOutputStream out = new DataOutputStream(bytes);
    out.writeInt(blobs.size());
    for (Blob b : blobs) {
      out.write(b.chunk().bytes());
      out.writeLong(b.offset());
      out.writeInt(b.storedLength());
      out.writeInt(b.rawLength());
    }
    return bytes.toByteArray();
  }

  static List<Blob> readBlobs(byte[] bytes, int length) throws IOException {
    DataInputStream in = new DataInputStream(new ByteArrayInputStream(bytes, 0, length));
    int n = in.readInt();
    List<Blob> blobs = new ArrayList<>(n);
    for (int i = 0; i < n; i++) {
      blobs.add(new Blob(readChunk(in), in.readLong(), in.readInt(), in.readInt()));
    }
    return blobs;
  }

  private static PackId readPack(DataInputStream in) throws IOException {
    byte[] b = new byte[PackId.LENGTH];
    in.readFully(b);
    return PackId.copyOf(b, 0);
  }

  private static ContentId readChunk(DataInputStream in) throws IOException {
    byte[] b = new byte[ContentId.LENGTH];
    in.readFully(b);
    return ContentId.wrap(b);
  }

  private interface Body {
    void write(DataOutputStream out) throws IOException;
  }

  private static byte[] encode(byte tag, Body body) throws IOException {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream(64);
    DataOutputStream out = new DataOutputStream(bytes);
    out.writeByte(tag);
    body.write(out);
    return bytes.toByteArray();
  }
}
