package org.hbackup.verify;

import java.io.IOException;
import java.nio.charset.StandardCharsets;

import org.apache.hadoop.io.BytesWritable;
import org.apache.hadoop.io.Text;
import org.hbackup.job.RecordingReducer;

/**
 * The last step of verify, one reducer: the files that cannot be restored, sorted by point and
 * path, each once (a file with several damaged chunks is named once, with the first reason), and
 * counted by point and by file. Memory: the previous point's id.
 */
public class AffectedReportReducer extends RecordingReducer<VerifyKey, BytesWritable, Text, Text> {
  private String lastPoint;
  private final Text point = new Text();
  private final Text pathAndReason = new Text();

  @Override
  protected void reduce(VerifyKey key, Iterable<BytesWritable> values, Context context)
      throws IOException, InterruptedException {
    String joined = new String(key.bytes(), StandardCharsets.UTF_8);
    int nul = joined.indexOf('\0');
    String p = joined.substring(0, nul);
    BytesWritable first = values.iterator().next();
    VerifyRecord r = VerifyRecord.decode(first.getBytes(), first.getLength());
    if (!p.equals(lastPoint)) {
      context.getCounter(VerifyCounters.AFFECTED_POINTS).increment(1);
      lastPoint = p;
    }
    context.getCounter(VerifyCounters.AFFECTED_FILES).increment(Math.max(1, r.number));
    point.set(p);
    pathAndReason.set(joined.substring(nul + 1) + "\0" + r.text1);
    context.write(point, pathAndReason);
  }
}
