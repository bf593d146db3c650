package org.hbackup.job;

import java.io.IOException;

import org.apache.hadoop.mapreduce.Reducer;

/** A reducer whose failure is recorded for the driver's one-line error ({@link TaskFailures}). */
public abstract class RecordingReducer<KI, VI, KO, VO> extends Reducer<KI, VI, KO, VO> {
  @Override
  public void run(Context context) throws IOException, InterruptedException {
    try {
      super.run(context);
    } catch (IOException | RuntimeException | Error e) {
      TaskFailures.record(context.getJobID(), e);
      throw e;
    }
  }
}
