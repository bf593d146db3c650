package org.hbackup.restore;

import java.io.DataInput;
import java.io.DataOutput;
import java.io.IOException;

import org.apache.hadoop.io.Text;
import org.apache.hadoop.io.WritableComparable;
import org.hbackup.common.manifest.RelativePaths;

/**
 * The restore shuffle's key. Failures sort first; then symlinks, created only once every map task
 * has written its files and directories, so no task can ever write through a link the point
 * makes; then directories, deepest first, so the reducer applies a directory's metadata only
 * after everything below it is finished (a read-only or time-stamped parent would otherwise be
 * changed again by work inside it).
 */
public final class RestoreKey implements WritableComparable<RestoreKey> {
  public static final byte FAILURE = 0;
  public static final byte SYMLINK = 1;
  public static final byte DIRECTORY = 2;

  private byte kind;
  private int depth;
  private final Text path = new Text();

  public RestoreKey() {
  }

  public RestoreKey(byte kind, String path) {
    set(kind, path);
  }

  public void set(byte kind, String p) {
    this.kind = kind;
    this.depth = RelativePaths.depth(p);
    this.path.set(p);
  }

  public byte kind() {
    return kind;
  }

  public String path() {
    return path.toString();
  }

  @Override
  public void write(DataOutput out) throws IOException {
    out.writeByte(kind);
    out.writeInt(depth);
    path.write(out);
  }

  @Override
  public void readFields(DataInput in) throws IOException {
    kind = in.readByte();
    depth = in.readInt();
    path.readFields(in);
  }

  @Override
  public int compareTo(RestoreKey o) {
    if (kind != o.kind) {
      return Byte.compare(kind, o.kind);
    }
    if (kind == DIRECTORY && depth != o.depth) {
      return Integer.compare(o.depth, depth);
    }
    return path.compareTo(o.path);
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof RestoreKey && compareTo((RestoreKey) o) == 0;
  }

  @Override
  public int hashCode() {
    return path.hashCode() * 31 + kind;
  }

  @Override
  public String toString() {
    return (kind == FAILURE ? "failure:" : kind == SYMLINK ? "symlink:" : "directory:") + path;
  }
}
