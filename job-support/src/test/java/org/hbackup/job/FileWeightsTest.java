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
}
