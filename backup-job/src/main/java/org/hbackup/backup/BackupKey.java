package org.hbackup.backup;

import java.io.DataInput;
import java.io.DataOutput;
import java.io.IOException;
import java.util.Arrays;

import org.apache.hadoop.io.WritableComparable;
import org.apache.hadoop.io.WritableComparator;

/**
 * The backup shuffle's key: a kind, then the bytes that order records of that kind. Index rows
 * ({@link #INDEX}, keyed by chunk id) sort before manifest entries ({@link #MANIFEST}, keyed by
 * path as UTF-8), so the reducer finishes the index before it starts the manifest, and each
 * arrives in the order its file format requires.
 */
public final class BackupKey implements WritableComparable<BackupKey> {
  public static final byte INDEX = 0;
  public static final byte MANIFEST = 1;

  private byte kind;
  private byte[] bytes = new byte[0];

  public BackupKey() {
  }

  public BackupKey(byte kind, byte[] bytes) {
    set(kind, bytes);
  }

  public void set(byte kind, byte[] bytes) {
    this.kind = kind;
    this.bytes = bytes;
  }

  public byte kind() {
    return kind;
  }

  public byte[] bytes() {
    return bytes;
  }

  @Override
  public void write(DataOutput out) throws IOException {
    out.writeByte(kind);
    out.writeInt(bytes.length);
    out.write(bytes);
  }

  @Override
  public void readFields(DataInput in) throws IOException {
    kind = in.readByte();
    int length = in.readInt();
    if (bytes.length != length) {
      bytes = new byte[length];
    }
    in.readFully(bytes);
  }

  @Override
  public int compareTo(BackupKey o) {
    if (kind != o.kind) {
      return Byte.compare(kind, o.kind);
    }
    return Arrays.compareUnsigned(bytes, o.bytes);
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof BackupKey && compareTo((BackupKey) o) == 0;
  }

  @Override
  public int hashCode() {
    return 31 * kind + Arrays.hashCode(bytes);
  }

  @Override
  public String toString() {
    return (kind == INDEX ? "index:" : "manifest:") + bytes.length;
  }

  /** Compares serialized keys without deserializing them. */
  public static final class Comparator extends WritableComparator {
    public Comparator() {
      super(BackupKey.class);
    }

    @Override
    public int compare(byte[] b1, int s1, int l1, byte[] b2, int s2, int l2) {
      if (b1[s1] != b2[s2]) {
        return Byte.compare(b1[s1], b2[s2]);
      }
      int n1 = readInt(b1, s1 + 1);
      int n2 = readInt(b2, s2 + 1);
      return compareBytes(b1, s1 + 5, n1, b2, s2 + 5, n2);
    }
  }

  static {
    WritableComparator.define(BackupKey.class, new Comparator());
  }
}
