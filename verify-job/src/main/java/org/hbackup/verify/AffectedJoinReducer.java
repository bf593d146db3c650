package org.hbackup.verify;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;

import org.apache.hadoop.io.BytesWritable;
import org.hbackup.common.id.ContentId;
import org.hbackup.job.RecordingReducer;

/**
 * The second join of verify, by segment, run only when some file cannot be restored: the points
 * that name a segment (sorted first) meet the rows of manifest lists that disagree with it, then
 * the segment's damage or files that cannot be restored. A disagreeing row takes the segment
 * from the points whose list gives that row, a damaged segment from every point; each such point
 * gets its range of paths in it (one row, counted as the entries of its list's row for a damaged
 * segment, as those the segment holds for a row that lies). Files that cannot be restored are
 * named for the other points.
 * Memory: the points that name one segment.
 */
public class AffectedJoinReducer extends RecordingReducer<VerifyKey, BytesWritable, VerifyKey, BytesWritable> {
  private final VerifyKey outKey = new VerifyKey();
  private final BytesWritable outValue = new BytesWritable();

  @Override
  protected void reduce(VerifyKey key, Iterable<BytesWritable> values, Context context)
      throws IOException, InterruptedException {
    List<VerifyRecord> points = new ArrayList<>();
    // Points whose every entry in the segment is already counted lost (their list's row for it
    // is wrong, or the segment is damaged): their files in it are not named again one by one.
    List<Boolean> lost = new ArrayList<>();
    for (BytesWritable value : values) {
      VerifyRecord r = VerifyRecord.decode(value.getBytes(), value.getLength());
      if (r.tag == VerifyRecord.POINT) {
        points.add(r);
        lost.add(false);
        continue;
      }
      String segment = ContentId.wrap(key.bytes().clone()).toString();
      for (int i = 0; i < points.size(); i++) {
        VerifyRecord point = points.get(i);
        if (lost.get(i)) {
          continue;
        }
        if (r.tag == VerifyRecord.ROW_DAMAGED) {
          if (point.sameRowAs(r)) {
            lost.set(i, true);
            // The row's own count is what lies: the files lost are those the segment holds.
            wholeSegment(point, "its manifest list's row for segment " + segment + " does not match the segment: "
                + r.text4, r.held, context);
          }
        } else if (r.tag == VerifyRecord.SEGMENT_DAMAGED) {
          lost.set(i, true);
          wholeSegment(point, "its manifest segment " + segment + " is damaged: " + r.text1, point.number, context);
        } else {
          write(point.text1, r.text1, VerifyRecord.affected(r.text2), context);
        }
      }
    }
  }

  /**
   * The point's range of paths in the segment, one row counted as {@code entries} files, at least
   * one and no more than a segment holds (a hostile list's figure must not overflow the sum).
   */
  private void wholeSegment(VerifyRecord point, String why, long entries, Context context)
      throws IOException, InterruptedException {
    String range = point.text2.equals(point.text3) ? point.text2 : point.text2 + " .. " + point.text3;
    entries = SegmentListing.weight(entries);
    write(point.text1, "segment " + range, VerifyRecord.affected(why + " (" + entries + " entries)", entries), context);
  }

  private void write(String point, String path, byte[] record, Context context)
      throws IOException, InterruptedException {
    outKey.set(VerifyKey.AFFECTED, VerifyJob.affectedKey(point, path), (byte) 0);
    outValue.set(record, 0, record.length);
    context.write(outKey, outValue);
  }
}
