package org.hbackup.verify;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;

import org.apache.hadoop.io.BytesWritable;
import org.hbackup.job.RecordingReducer;

/**
 * The third join of verify, by segment, run only when some file cannot be restored: the points
 * that name a segment (sorted first) meet the segment's files that cannot be restored, giving
 * each (point, path). Memory: the ids of the points that name one segment.
 */
public class AffectedJoinReducer extends RecordingReducer<VerifyKey, BytesWritable, VerifyKey, BytesWritable> {
  private final VerifyKey outKey = new VerifyKey();
  private final BytesWritable outValue = new BytesWritable();

  @Override
  protected void reduce(VerifyKey key, Iterable<BytesWritable> values, Context context)
      throws IOException, InterruptedException {
    List<String> points = new ArrayList<>();
    for (BytesWritable value : values) {
      VerifyRecord r = VerifyRecord.decode(value.getBytes(), value.getLength());
      if (r.tag == VerifyRecord.POINT) {
        points.add(r.text1);
        continue;
      }
      byte[] record = VerifyRecord.affected(r.text2);
      for (String point : points) {
        outKey.set(VerifyKey.AFFECTED, VerifyJob.affectedKey(point, r.text1), (byte) 0);
        outValue.set(record, 0, record.length);
        context.write(outKey, outValue);
      }
    }
  }
}
