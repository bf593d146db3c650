package org.hbackup.job;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.apache.hadoop.fs.Path;
import org.junit.jupiter.api.Test;

class FileWeightsTest {
  /** A local file opens in microseconds; a remote one costs requests (HDFS, object stores). */
  @Test
  void aLocalFileWeighsLessThanARemoteOne() {
    assertEquals(FileWeights.LOCAL_BYTES, FileWeights.defaultFor(new Path("file:///data")));
    assertEquals(FileWeights.REMOTE_BYTES, FileWeights.defaultFor(new Path("hdfs://nn:8020/data")));
    assertEquals(FileWeights.REMOTE_BYTES, FileWeights.defaultFor(new Path("s3a://bucket/data")));
    assertEquals(FileWeights.REMOTE_BYTES, FileWeights.defaultFor(new Path("/no/scheme")),
        "a path without a scheme may be on the default file system, HDFS on a cluster");
  }

  /** A weight of 0 or less, or one that overflows beside a file's length, is refused by name. */
  @Test
  void aSettingOutsideItsRangeIsRefused() {
    org.apache.hadoop.conf.Configuration conf = new org.apache.hadoop.conf.Configuration(false);
    assertEquals(FileWeights.LOCAL_BYTES, FileWeights.setting(conf, "k", new Path("file:///data")));
    conf.setLong("k", 1);
    assertEquals(1, FileWeights.setting(conf, "k", new Path("hdfs://nn/data")));
    for (long bad : new long[] {0, -1, FileWeights.MAX_BYTES + 1, Long.MAX_VALUE}) {
      conf.setLong("k", bad);
      IllegalArgumentException e = org.junit.jupiter.api.Assertions.assertThrows(IllegalArgumentException.class,
          () -> FileWeights.setting(conf, "k", new Path("file:///data")));
      org.junit.jupiter.api.Assertions.assertTrue(e.getMessage().startsWith("k must be between"), e.getMessage());
    }
  }
}
