package org.hbackup.verify;

import java.io.DataInput;
import java.io.DataOutput;
import java.io.IOException;

import org.apache.hadoop.io.Text;
import org.apache.hadoop.io.Writable;

/**
 * A segment's record in a {@link SegmentListing}: its entries as the manifest list says (the
 * weight of reading it) and a point that names it (for the messages about it).
 */
public final class SegmentUse implements Writable {
  private long entries;
  private String point = "";

  public SegmentUse() {
  }

  public SegmentUse(long entries, String point) {
    this.entries = entries;
    this.point = point;
  }

  public long entries() {
    return entries;
  }

  public String point() {
    return point;
  }

  @Override
  public void write(DataOutput out) throws IOException {
    out.writeLong(entries);
    Text.writeString(out, point);
  }

  @Override
  public void readFields(DataInput in) throws IOException {
    entries = in.readLong();
    point = Text.readString(in);
  }
}
