package org.hbackup.verify;

import java.io.DataInput;
import java.io.DataOutput;
import java.io.IOException;
import java.util.Arrays;

import org.apache.hadoop.io.WritableComparable;
import org.apache.hadoop.io.WritableComparator;
import org.apache.hadoop.mapreduce.Partitioner;

/**
 * The key of the verify joins: a kind, the bytes of the id that is joined on (a segment, pack or
 * chunk id, or a point and path), and an order byte that sorts the records of one id (a
 * segment's points before its damaged references) without separating them: grouping and
 * partitioning look at kind and bytes only.
 */
public final class VerifyKey implements WritableComparable<VerifyKey> {
  /** A manifest segment, by its id. */
  public static final byte SEGMENT = 0;
  /** A pack, by its id. */
  public static final byte PACK = 1;
  /** A chunk, by its id. */
  public static final byte CHUNK = 2;
  /** A file of a point that cannot be restored, by point id, NUL, path. */
  public static final byte AFFECTED = 3;

  private byte kind;
  private byte[] bytes = new byte[0];
  private byte order;

  public VerifyKey() {
  }

  public VerifyKey(byte kind, byte[] bytes, byte order) {
    set(kind, bytes, order);
  }

  public void set(byte kind, byte[] bytes, byte order) {
    this.kind = kind;
    this.bytes = bytes;
    this.order = order;
  }

  public byte kind() {
    return kind;
  }

  public byte[] bytes() {
    return bytes;
  }

  public byte order() {
    return order;
  }

  @Override
  public void write(DataOutput out) throws IOException {
    out.writeByte(kind);
    out.writeInt(bytes.length);
    out.write(bytes);
    out.writeByte(order);
  }

  @Override
  public void readFields(DataInput in) throws IOException {
    kind = in.readByte();
    int length = in.readInt();
    if (bytes.length != length) {
      bytes = new byte[length];
    }
    in.readFully(bytes);
    order = in.readByte();
  }

  @Override
  public int compareTo(VerifyKey o) {
    int c = compareGroup(o);
    return c != 0 ? c : Byte.compare(order, o.order);
  }

  int compareGroup(VerifyKey o) {
    if (kind != o.kind) {
      return Byte.compare(kind, o.kind);
    }
    return Arrays.compareUnsigned(bytes, o.bytes);
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof VerifyKey && compareTo((VerifyKey) o) == 0;
  }

  @Override
  public int hashCode() {
    return 31 * kind + Arrays.hashCode(bytes);
  }

  @Override
  public String toString() {
    return kind + ":" + bytes.length + "/" + order;
  }

  /** Sorts serialized keys by kind, bytes, order, without deserializing them. */
  public static final class Comparator extends WritableComparator {
    public Comparator() {
      super(VerifyKey.class);
    }

    @Override
    public int compare(byte[] b1, int s1, int l1, byte[] b2, int s2, int l2) {
      int c = compareGroup(b1, s1, b2, s2);
      return c != 0 ? c : Byte.compare(b1[s1 + l1 - 1], b2[s2 + l2 - 1]);
    }
  }

  /** Groups serialized keys by kind and bytes: one reduce call sees every order of an id. */
  public static final class GroupComparator extends WritableComparator {
    public GroupComparator() {
      super(VerifyKey.class);
    }

    @Override
    public int compare(byte[] b1, int s1, int l1, byte[] b2, int s2, int l2) {
      return compareGroup(b1, s1, b2, s2);
    }
  }

  static int compareGroup(byte[] b1, int s1, byte[] b2, int s2) {
    if (b1[s1] != b2[s2]) {
      return Byte.compare(b1[s1], b2[s2]);
    }
    int n1 = WritableComparator.readInt(b1, s1 + 1);
    int n2 = WritableComparator.readInt(b2, s2 + 1);
    return WritableComparator.compareBytes(b1, s1 + 5, n1, b2, s2 + 5, n2);
  }

  /** Sends every order of an id to the same reducer. */
  public static final class GroupPartitioner<V> extends Partitioner<VerifyKey, V> {
    @Override
    public int getPartition(VerifyKey key, V value, int partitions) {
      return ((31 * key.kind + Arrays.hashCode(key.bytes)) & Integer.MAX_VALUE) % partitions;
    }
  }

  static {
    WritableComparator.define(VerifyKey.class, new Comparator());
  }
}
