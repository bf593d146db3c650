package org.hbackup.backup;

import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.Path;
import org.hbackup.common.id.PointId;
import org.hbackup.job.FileWeights;

/**
 * Every setting of one backup run as its tasks, input format and committer see it, read from the
 * job's {@link Configuration} once ({@link #readFrom}); nothing else in a task parses a key. The
 * user's options are {@link #options()}; the rest are what the driver decided for the run (point,
 * base, snapshot, listing) and the tuning keys of {@link BackupConfigKeys}, with their defaults.
 */
public final class BackupSettings {
  private final BackupOptions options;
  private final PointId point;
  private final PointId basePoint;
  private final String snapshotName;
  private final boolean snapshotAllow;
  private final int snapshotMaxRenames;
  private final boolean xattrs;
  private final boolean storagePolicies;
  private final boolean sourceChecksums;
  private final float bandwidthMiB;
  private final int baseSegmentCache;
  private final long recentMillis;
  private final long expectedChunks;
  private final Path listing;
  private final long listingWeight;
  private final Path lockFile;
  private final Path skippedReport;
  private final int maxMaps;
  private final long minSplitBytes;
  private final long fileWeightBytes;
  private final long rangeBytes;
  private final int testFailMapTaskOnce;
  private final boolean testFailBeforePointRecord;

  private BackupSettings(Configuration conf) {
    options = BackupOptions.readFrom(conf);
    point = pointOrNull(conf.get(BackupConfigKeys.POINT));
    basePoint = pointOrNull(conf.get(BackupConfigKeys.BASE_POINT));
    snapshotName = conf.get(BackupConfigKeys.SNAPSHOT_NAME);
    snapshotAllow = conf.getBoolean(BackupConfigKeys.SNAPSHOT_ALLOW, false);
    snapshotMaxRenames = conf.getInt(BackupConfigKeys.SNAPSHOT_MAX_RENAMES, BackupConfigKeys.DEFAULT_SNAPSHOT_MAX_RENAMES);
    xattrs = conf.getBoolean(BackupConfigKeys.XATTRS, true);
    storagePolicies = conf.getBoolean(BackupConfigKeys.STORAGE_POLICIES, true);
    sourceChecksums = usesSourceChecksums(conf.get(BackupConfigKeys.SOURCE_CHECKSUM, BackupOptions.AUTO),
        options.source());
    bandwidthMiB = conf.getFloat(BackupConfigKeys.BANDWIDTH_MIB, 0);
    recentMillis = conf.getLong(BackupConfigKeys.RECENT_MS, BackupConfigKeys.DEFAULT_RECENT_MS);
    if (recentMillis < 0) {
      throw new IllegalArgumentException(BackupConfigKeys.RECENT_MS + " must not be negative, not " + recentMillis);
    }
    baseSegmentCache = conf.getInt(BackupConfigKeys.BASE_SEGMENT_CACHE, BackupConfigKeys.DEFAULT_BASE_SEGMENT_CACHE);
    expectedChunks = conf.getLong(BackupConfigKeys.EXPECTED_CHUNKS, 1000);
    listing = pathOrNull(conf.get(BackupConfigKeys.LISTING));
    listingWeight = conf.getLong(BackupConfigKeys.LISTING_WEIGHT, 0);
    lockFile = pathOrNull(conf.get(BackupConfigKeys.LOCK_FILE));
    skippedReport = pathOrNull(conf.get(BackupConfigKeys.SKIPPED_REPORT));
    maxMaps = conf.getInt(BackupConfigKeys.MAX_MAPS, BackupConfigKeys.DEFAULT_MAX_MAPS);
    minSplitBytes = conf.getLong(BackupConfigKeys.MIN_SPLIT_BYTES, BackupConfigKeys.DEFAULT_MIN_SPLIT_BYTES);
    fileWeightBytes = FileWeights.setting(conf, BackupConfigKeys.FILE_WEIGHT_BYTES, options.source());
    rangeBytes = conf.getLong(BackupConfigKeys.RANGE_BYTES, BackupConfigKeys.DEFAULT_RANGE_BYTES);
    if (rangeBytes < BackupConfigKeys.MIN_RANGE_BYTES) {
      throw new IllegalArgumentException(BackupConfigKeys.RANGE_BYTES + " must be at least "
          + BackupConfigKeys.MIN_RANGE_BYTES + " bytes, not " + rangeBytes);
    }
    testFailMapTaskOnce = conf.getInt(BackupConfigKeys.TEST_FAIL_MAP_TASK_ONCE, -1);
    testFailBeforePointRecord = conf.getBoolean(BackupConfigKeys.TEST_FAIL_BEFORE_POINT_RECORD, false);
  }

  /** The settings the configuration holds; the source and repository must be set. */
  public static BackupSettings readFrom(Configuration conf) {
    return new BackupSettings(conf);
  }

  /**
   * Source checksums are asked for where the file system computes them without reading the data
   * for us: HDFS (the DataNodes combine the CRCs they keep), unless configured otherwise.
   */
  static boolean usesSourceChecksums(String setting, Path source) {
    if (BackupOptions.AUTO.equals(setting)) {
      // On the local file system the "checksum" is the file's ChangeStamp (inode, ctime, mtime in
      // nanoseconds), read with its status: length and millisecond time alone took a same-sized
      // file written with its time set back (tar, rsync -a, pinned build times) as unchanged.
      String scheme = source.toUri().getScheme();
      return "hdfs".equals(scheme) || "file".equals(scheme);
    }
    return Boolean.parseBoolean(setting);
  }

  private static PointId pointOrNull(String id) {
    return id == null ? null : PointId.parse(id);
  }

  private static Path pathOrNull(String path) {
    return path == null ? null : new Path(path);
  }

  public BackupOptions options() {
    return options;
  }

  public Path source() {
    return options.source();
  }

  public Path repository() {
    return options.repository();
  }

  /** The point being written; null before the driver has chosen it. */
  public PointId point() {
    return point;
  }

  /** The point an incremental or differential backup compares with; null for a full one. */
  public PointId basePoint() {
    return basePoint;
  }

  /** The HDFS snapshot read; null when the source is read live. */
  public String snapshotName() {
    return snapshotName;
  }

  /** Whether the source is read from a snapshot, where a file cannot change between tasks. */
  public boolean readsSnapshot() {
    return snapshotName != null;
  }

  /** Whether the driver may make a not yet snapshottable HDFS source snapshottable (besides --snapshot). */
  public boolean snapshotAllow() {
    return snapshotAllow;
  }

  /** Renames taken from the snapshot diff report, at most (the driver holds them while it lists). */
  public int snapshotMaxRenames() {
    return snapshotMaxRenames;
  }

  public boolean xattrs() {
    return xattrs;
  }

  public boolean storagePolicies() {
    return storagePolicies;
  }

  /** Whether the source file system's checksum is asked for, kept, and required for a carry-over. */
  public boolean sourceChecksums() {
    return sourceChecksums;
  }

  /** Bandwidth per map task in MiB/s; 0 means no limit. */
  public float bandwidthMiB() {
    return bandwidthMiB;
  }

  /** {@link BackupConfigKeys#RECENT_MS}. */
  public long recentMillis() {
    return recentMillis;
  }

  public int baseSegmentCache() {
    return baseSegmentCache;
  }

  /** Upper bound of new chunks, to size the new index file's Bloom filter. */
  public long expectedChunks() {
    return expectedChunks;
  }

  public Path listing() {
    return listing;
  }

  public long listingWeight() {
    return listingWeight;
  }

  /** The backup's lock file; null when the run holds none (a test of a task alone). */
  public Path lockFile() {
    return lockFile;
  }

  public Path skippedReport() {
    return skippedReport;
  }

  public int maxMaps() {
    return maxMaps;
  }

  public long minSplitBytes() {
    return minSplitBytes;
  }

  public long fileWeightBytes() {
    return fileWeightBytes;
  }

  public long rangeBytes() {
    return rangeBytes;
  }

  /** Test only: the map task with this index fails its first attempt after its first file; -1 for none. */
  public int testFailMapTaskOnce() {
    return testFailMapTaskOnce;
  }

  /** Test only: the commit fails after publishing data, before the point record. */
  public boolean testFailBeforePointRecord() {
    return testFailBeforePointRecord;
  }
}
