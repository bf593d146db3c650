package org.hbackup.verify;

import java.io.DataInput;
import java.io.DataOutput;
import java.io.IOException;
import java.util.List;

import org.apache.hadoop.io.Text;
import org.apache.hadoop.io.Writable;
import org.hbackup.common.id.ContentId;
import org.hbackup.common.manifest.ManifestEntry;
import org.hbackup.common.manifest.SegmentReader;
import org.hbackup.common.manifest.SegmentRef;
import org.hbackup.common.repo.Repository;

/**
 * A segment's record in a {@link SegmentListing}: the manifest list's row for it (its entries,
 * which are also the weight of reading it, and its first and last paths, which the reader checks
 * the segment against), a point that names it and that point's manifest list (for the messages
 * about it).
 */
public final class SegmentUse implements Writable {
  private long entries;
  private String first = "";
  private String last = "";
  private String point = "";
  private String list = "";

  public SegmentUse() {
  }

  public SegmentUse(long entries, String first, String last, String point) {
    this(entries, first, last, point, "");
  }

  public SegmentUse(long entries, String first, String last, String point, String list) {
    this.entries = entries;
    this.first = first;
    this.last = last;
    this.point = point;
    this.list = list;
  }

  public static SegmentUse of(SegmentRef row, String point) {
    return of(row, point, "");
  }

  /** The row of {@code list}, the manifest list file of {@code point}. */
  public static SegmentUse of(SegmentRef row, String point, String list) {
    return new SegmentUse(row.entries(), row.firstPath(), row.lastPath(), point, list);
  }

  public long entries() {
    return entries;
  }

  /** Opens the segment and checks it against this row. */
  public SegmentReader open(Repository repository, ContentId id) throws IOException {
    return repository.openSegment(id).expecting(entries, first, last);
  }

  /**
   * How this row differs from the entries of the segment it names, read whole (a segment that
   * matched its name), or null when it gives them: their number, the first path and the last. A
   * restore refuses the segment for a point whose list gives another row ({@link
   * org.hbackup.common.manifest.SegmentReader#expecting}).
   */
  public String disagreement(List<ManifestEntry> read) {
    String readFirst = read.isEmpty() ? null : read.get(0).path();
    String readLast = read.isEmpty() ? null : read.get(read.size() - 1).path();
    if (entries == read.size() && first.equals(readFirst) && last.equals(readLast)) {
      return null;
    }
    return "its row for the segment gives " + entries + " entries, '" + first + "' .. '" + last
        + "'; the segment holds " + read.size() + (read.isEmpty() ? "" : ", '" + readFirst + "' .. '" + readLast + "'");
  }

  void set(SegmentUse other) {
    entries = other.entries;
    first = other.first;
    last = other.last;
    point = other.point;
    list = other.list;
  }

  /** Whether two records give the same row (they may name different points). */
  public boolean sameRow(SegmentUse other) {
    return entries == other.entries && first.equals(other.first) && last.equals(other.last);
  }

  public String point() {
    return point;
  }

  /** The manifest list file that gives this row, when the listing's writer named it; else empty. */
  public String list() {
    return list;
  }

  public String first() {
    return first;
  }

  public String last() {
    return last;
  }

  @Override
  public void write(DataOutput out) throws IOException {
    out.writeLong(entries);
    Text.writeString(out, first);
    Text.writeString(out, last);
    Text.writeString(out, point);
    Text.writeString(out, list);
  }

  @Override
  public void readFields(DataInput in) throws IOException {
    entries = in.readLong();
    first = Text.readString(in);
    last = Text.readString(in);
    point = Text.readString(in);
    list = Text.readString(in);
  }
}
