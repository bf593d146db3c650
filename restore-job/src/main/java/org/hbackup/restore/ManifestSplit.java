package org.hbackup.restore;

import java.io.DataInput;
import java.io.DataOutput;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;

import org.apache.hadoop.io.Writable;
import org.apache.hadoop.mapreduce.InputSplit;
import org.hbackup.common.id.ContentId;

/**
 * A contiguous run of manifest entries: the segments it touches, how many entries of the first
 * to skip, and how many entries to read in all.
 */
public final class ManifestSplit extends InputSplit implements Writable {
  private List<ContentId> segments = new ArrayList<>();
  private long skip;
  private long entries;
  private long weight;

  public ManifestSplit() {
  }

  public ManifestSplit(List<ContentId> segments, long skip, long entries, long weight) {
    this.segments = new ArrayList<>(segments);
    this.skip = skip;
    this.entries = entries;
    this.weight = weight;
  }

  public List<ContentId> segments() {
    return segments;
  }

  public long skip() {
    return skip;
  }

  public long entries() {
    return entries;
  }

  @Override
  public long getLength() {
    return weight;
  }

  @Override
  public String[] getLocations() {
    return new String[0];
  }

  @Override
  public void write(DataOutput out) throws IOException {
    out.writeInt(segments.size());
    for (ContentId id : segments) {
      out.write(id.bytes());
    }
    out.writeLong(skip);
    out.writeLong(entries);
    out.writeLong(weight);
  }

  @Override
  public void readFields(DataInput in) throws IOException {
    int n = in.readInt();
    segments = new ArrayList<>(n);
    for (int i = 0; i < n; i++) {
      byte[] id = new byte[ContentId.LENGTH];
      in.readFully(id);
      segments.add(ContentId.wrap(id));
    }
    skip = in.readLong();
    entries = in.readLong();
    weight = in.readLong();
  }

  @Override
  public String toString() {
    return segments.size() + " segments, skip " + skip + ", " + entries + " entries";
  }
}
