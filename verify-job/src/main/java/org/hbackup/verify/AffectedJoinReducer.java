package org.hbackup.verify;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;

import org.apache.hadoop.io.BytesWritable;
import org.hbackup.common.id.ContentId;
import org.hbackup.job.RecordingReducer;

/**
 * The second join of verify, by segment, run only when some file cannot be restored: the points
 * that name a segment (sorted first) meet the segment's files that cannot be restored, giving
 * each (point, path), or the mark of a damaged segment, giving each point's range of paths in it
 * (one row, counted as the entries of the point's list's row for it).
 * Memory: the points that name one segment.
 */
public class AffectedJoinReducer extends RecordingReducer<VerifyKey, BytesWritable, VerifyKey, BytesWritable> {
  private final VerifyKey outKey = new VerifyKey();
  private final BytesWritable outValue = new BytesWritable();

  @Override
  protected void reduce(VerifyKey key, Iterable<BytesWritable> values, Context context)
      throws IOException, InterruptedException {
    List<VerifyRecord> points = new ArrayList<>();
    for (BytesWritable value : values) {
      VerifyRecord r = VerifyRecord.decode(value.getBytes(), value.getLength());
      if (r.tag == VerifyRecord.POINT) {
        points.add(r);
      } else if (r.tag == VerifyRecord.SEGMENT_DAMAGED) {
        String why = "its manifest segment " + ContentId.wrap(key.bytes().clone()) + " is damaged: " + r.text1;
        for (VerifyRecord point : points) {
          String range = point.text2.equals(point.text3) ? point.text2 : point.text2 + " .. " + point.text3;
          // One row for the segment, counted as the entries its list's row gives: each is lost.
          long entries = Math.max(1, point.number);
          write(point.text1, "segment " + range, VerifyRecord.affected(why + " (" + entries + " entries)", entries),
              context);
        }
      } else {
        byte[] record = VerifyRecord.affected(r.text2);
        for (VerifyRecord point : points) {
          write(point.text1, r.text1, record, context);
        }
      }
    }
  }

  private void write(String point, String path, byte[] record, Context context)
      throws IOException, InterruptedException {
    outKey.set(VerifyKey.AFFECTED, VerifyJob.affectedKey(point, path), (byte) 0);
    outValue.set(record, 0, record.length);
    context.write(outKey, outValue);
  }
}
