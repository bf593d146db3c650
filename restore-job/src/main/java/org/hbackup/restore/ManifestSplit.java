package org.hbackup.restore;

import java.io.DataInput;
import java.io.DataOutput;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;

import org.apache.hadoop.io.Writable;
import org.apache.hadoop.mapreduce.InputSplit;
import org.hbackup.common.id.ContentId;
import org.hbackup.common.manifest.ManifestTreeCheck;

/**
 * A contiguous run of manifest entries: the segments it touches, how many entries of the first
 * to skip, how many entries to read in all, and the state of the manifest check where the run
 * starts, so that its task refuses the same entries the planner saw refused.
 */
public final class ManifestSplit extends InputSplit implements Writable {
  private List<ContentId> segments = new ArrayList<>();
  private long skip;
  private long entries;
  private long weight;
  private ManifestTreeCheck check = new ManifestTreeCheck();

  public ManifestSplit() {
  }

  public ManifestSplit(List<ContentId> segments, long skip, long entries, long weight, ManifestTreeCheck check) {
    this.segments = new ArrayList<>(segments);
    this.skip = skip;
    this.entries = entries;
    this.weight = weight;
    this.check = check.copy();
  }

  /** A copy of the check as it stands before the run's first entry. */
  public ManifestTreeCheck check() {
    return check.copy();
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
    check.write(out);
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
    check = ManifestTreeCheck.read(in);
  }

  @Override
  public String toString() {
    return segments.size() + " segments, skip " + skip + ", " + entries + " entries";
  }
}
