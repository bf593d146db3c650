package org.hbackup.verify;

import java.io.IOException;

import org.apache.hadoop.io.BytesWritable;
import org.hbackup.common.id.ContentId;
import org.hbackup.job.RecordingReducer;

/**
 * The second join of verify, by chunk: a chunk's verdict (sorted first) meets the references of
 * the checked points' files. A referenced chunk that has no verdict (no index row names it) or
 * cannot be delivered sends each reference, under its segment, as a file that cannot be restored.
 * A verdict nothing references is an unused index row. Memory: one verdict.
 */
public class ReferenceJoinReducer extends RecordingReducer<VerifyKey, BytesWritable, VerifyKey, BytesWritable> {
  private final VerifyKey outKey = new VerifyKey();
  private final BytesWritable outValue = new BytesWritable();

  @Override
  protected void reduce(VerifyKey key, Iterable<BytesWritable> values, Context context)
      throws IOException, InterruptedException {
    VerifyRecord verdict = null;
    boolean referenced = false;
    String why = null;
    for (BytesWritable value : values) {
      VerifyRecord r = VerifyRecord.decode(value.getBytes(), value.getLength());
      if (r.tag == VerifyRecord.VERDICT) {
        verdict = r;
        continue;
      }
      if (!referenced) {
        referenced = true;
        if (verdict == null || verdict.state == 0) {
          context.getCounter(VerifyCounters.MISSING_CHUNKS).increment(1);
          why = "chunk " + ContentId.wrap(key.bytes().clone()) + ": "
              + (verdict == null ? "no index file names it" : verdict.text1);
        }
      }
      if (why != null) {
        byte[] record = VerifyRecord.damagedRef(r.text1, why);
        outKey.set(VerifyKey.SEGMENT, r.id.bytes(), (byte) 1);
        outValue.set(record, 0, record.length);
        context.write(outKey, outValue);
      }
    }
    if (!referenced && verdict != null) {
      context.getCounter(VerifyCounters.UNUSED_INDEX_ROWS).increment(1);
    }
  }
}
