package org.hbackup.backup;

import java.io.DataInput;
import java.io.DataOutput;
import java.io.IOException;

import org.apache.hadoop.io.Text;
import org.apache.hadoop.io.Writable;

/**
 * A listing record's key: the entry's manifest path and, when an HDFS snapshot diff report says
 * the entry was renamed since the base point, the path it had there ({@link #basePath()}), so its
 * content can be carried over from the base point without reading it.
 */
public final class ListingKey implements Writable {
  private final Text path = new Text();
  private final Text basePath = new Text();
  private boolean renamed;

  public ListingKey() {
  }

  public ListingKey(String path, String basePath) {
    set(path, basePath);
  }

  /** Sets the path; {@code basePath} is null, or equal to it, unless the entry was renamed. */
  public void set(String path, String basePath) {
    this.path.set(path);
    this.renamed = basePath != null && !basePath.equals(path);
    this.basePath.set(renamed ? basePath : "");
  }

  public String path() {
    return path.toString();
  }

  /** The path the entry had in the base point: another path if it was renamed, else its own. */
  public String basePath() {
    return renamed ? basePath.toString() : path.toString();
  }

  public boolean renamed() {
    return renamed;
  }

  @Override
  public void write(DataOutput out) throws IOException {
    path.write(out);
    out.writeBoolean(renamed);
    if (renamed) {
      basePath.write(out);
    }
  }

  @Override
  public void readFields(DataInput in) throws IOException {
    path.readFields(in);
    renamed = in.readBoolean();
    if (renamed) {
      basePath.readFields(in);
    } else {
      basePath.clear();
    }
  }

  @Override
  public String toString() {
    return renamed ? path + " (was " + basePath + ")" : path.toString();
  }
}
