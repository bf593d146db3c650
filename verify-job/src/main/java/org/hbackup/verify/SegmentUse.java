package org.hbackup.verify;

import java.io.DataInput;
import java.io.DataOutput;
import java.io.IOException;

import org.apache.hadoop.io.Text;
import org.apache.hadoop.io.Writable;
import org.hbackup.common.id.ContentId;
import org.hbackup.common.manifest.SegmentReader;
import org.hbackup.common.manifest.SegmentRef;
import org.hbackup.common.repo.Repository;

/**
 * A segment's record in a {@link SegmentListing}: the manifest list's row for it (its entries,
 * which are also the weight of reading it, and its first and last paths, which the reader checks
 * the segment against) and a point that names it (for the messages about it).
 */
public final class SegmentUse implements Writable {
  private long entries;
  private String first = "";
  private String last = "";
  private String point = "";

  public SegmentUse() {
  }

  public SegmentUse(long entries, String first, String last, String point) {
    this.entries = entries;
    this.first = first;
    this.last = last;
    this.point = point;
  }

  public static SegmentUse of(SegmentRef row, String point) {
    return new SegmentUse(row.entries(), row.firstPath(), row.lastPath(), point);
  }

  public long entries() {
    return entries;
  }

  /** Opens the segment and checks it against this row. */
  public SegmentReader open(Repository repository, ContentId id) throws IOException {
    return repository.openSegment(id).expecting(entries, first, last);
  }

  void set(SegmentUse other) {
    entries = other.entries;
    first = other.first;
    last = other.last;
    point = other.point;
  }

  /** Whether two records give the same row (they may name different points). */
  public boolean sameRow(SegmentUse other) {
    return entries == other.entries && first.equals(other.first) && last.equals(other.last);
  }

  public String point() {
    return point;
  }

  @Override
  public void write(DataOutput out) throws IOException {
    out.writeLong(entries);
    Text.writeString(out, first);
    Text.writeString(out, last);
    Text.writeString(out, point);
  }

  @Override
  public void readFields(DataInput in) throws IOException {
    entries = in.readLong();
    first = Text.readString(in);
    last = Text.readString(in);
    point = Text.readString(in);
  }
}
