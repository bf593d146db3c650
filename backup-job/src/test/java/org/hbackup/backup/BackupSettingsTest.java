package org.hbackup.backup;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.Path;
import org.hbackup.common.id.PointId;
import org.hbackup.job.FileWeights;
import org.junit.jupiter.api.Test;

class BackupSettingsTest {

  private static Configuration job(String source) {
    Configuration conf = new Configuration(false);
    BackupOptions.builder().source(new Path(source)).repository(new Path("file:///repo")).build().writeTo(conf);
    return conf;
  }

  @Test
  void aJobWithOnlyItsOptionsGetsEveryDefault() {
    BackupSettings s = BackupSettings.readFrom(job("file:///data"));
    assertEquals(new Path("file:///data"), s.source());
    assertNull(s.point());
    assertNull(s.basePoint());
    assertFalse(s.readsSnapshot());
    assertTrue(s.sourceChecksums(), "a local file's change stamp (inode, ctime, mtime in ns) stands for its checksum");
    assertTrue(s.xattrs());
    assertTrue(s.storagePolicies());
    assertEquals(BackupConfigKeys.DEFAULT_RANGE_BYTES, s.rangeBytes());
    assertEquals(FileWeights.LOCAL_BYTES, s.fileWeightBytes());
    assertEquals(BackupConfigKeys.DEFAULT_MAX_MAPS, s.maxMaps());
    assertEquals(-1, s.testFailMapTaskOnce());
    assertNull(s.lockFile());
  }

  /** Opening a file costs far more on HDFS or an object store than on a local disk. */
  @Test
  void theWeightOfAFileDependsOnTheSourcesFileSystemUnlessSet() {
    assertEquals(FileWeights.REMOTE_BYTES, BackupSettings.readFrom(job("hdfs://nn:8020/data")).fileWeightBytes());
    assertEquals(FileWeights.REMOTE_BYTES, BackupSettings.readFrom(job("s3a://bucket/data")).fileWeightBytes());
    Configuration set = job("file:///data");
    set.setLong(BackupConfigKeys.FILE_WEIGHT_BYTES, 1234);
    assertEquals(1234, BackupSettings.readFrom(set).fileWeightBytes());
  }

  @Test
  void sourceChecksumsAreOnForHdfsUnlessTurnedOff() {
    assertTrue(BackupSettings.readFrom(job("hdfs://nn:8020/data")).sourceChecksums());
    Configuration off = job("hdfs://nn:8020/data");
    off.set(BackupConfigKeys.SOURCE_CHECKSUM, "false");
    assertFalse(BackupSettings.readFrom(off).sourceChecksums());
    Configuration on = job("file:///data");
    on.set(BackupConfigKeys.SOURCE_CHECKSUM, "true");
    assertTrue(BackupSettings.readFrom(on).sourceChecksums());
  }

  @Test
  void readsWhatTheDriverDecided() {
    Configuration conf = job("file:///data");
    PointId point = PointId.parse("20261201T100000000Z-0000000a");
    PointId base = PointId.parse("20261130T100000000Z-0000000b");
    conf.set(BackupConfigKeys.POINT, point.toString());
    conf.set(BackupConfigKeys.BASE_POINT, base.toString());
    conf.set(BackupConfigKeys.SNAPSHOT_NAME, "hbackup-" + point);
    conf.set(BackupConfigKeys.LOCK_FILE, "file:///repo/locks/x.json");
    conf.setLong(BackupConfigKeys.LISTING_WEIGHT, 1000);
    BackupSettings s = BackupSettings.readFrom(conf);
    assertEquals(point, s.point());
    assertEquals(base, s.basePoint());
    assertTrue(s.readsSnapshot());
    assertEquals(new Path("file:///repo/locks/x.json"), s.lockFile());
    assertEquals(1000, s.listingWeight());
  }

  @Test
  void aRangeSizeBelowTheMinimumIsRefused() {
    Configuration conf = job("file:///data");
    conf.setLong(BackupConfigKeys.RANGE_BYTES, BackupConfigKeys.MIN_RANGE_BYTES - 1);
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> BackupSettings.readFrom(conf));
    assertTrue(e.getMessage().contains(BackupConfigKeys.RANGE_BYTES), e.getMessage());
  }

  @Test
  void splitsAreSizedByWeightAndMapsWithAFloor() {
    Configuration conf = job("file:///data");
    conf.setLong(BackupConfigKeys.LISTING_WEIGHT, 10L << 30);
    conf.setInt(BackupConfigKeys.MAX_MAPS, 4);
    assertEquals((10L << 30) / 4, ListingInputFormat.targetSplitWeight(BackupSettings.readFrom(conf)));
    conf.setLong(BackupConfigKeys.LISTING_WEIGHT, 1000);
    assertEquals(BackupConfigKeys.DEFAULT_MIN_SPLIT_BYTES, ListingInputFormat.targetSplitWeight(BackupSettings.readFrom(conf)));
  }
}
