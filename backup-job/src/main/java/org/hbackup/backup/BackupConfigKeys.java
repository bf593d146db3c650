package org.hbackup.backup;

/** Every configuration key of the backup job, each beside its default. */
public final class BackupConfigKeys {
  /** Fully qualified URI of the source directory. */
  public static final String SOURCE = "hbackup.backup.source";
  /** Fully qualified URI of the repository. */
  public static final String REPOSITORY = "hbackup.backup.repository";
  /** The point being written. */
  public static final String POINT = "hbackup.backup.point";
  /** full, incremental, differential or auto. */
  public static final String TYPE = "hbackup.backup.type";
  /** The point an incremental or differential backup compares with; unset for a full one. */
  public static final String BASE_POINT = "hbackup.backup.base";
  /** Whether extended attributes are read (one NameNode call per entry on HDFS); ACLs always are. */
  public static final String XATTRS = "hbackup.backup.xattrs";
  /** Whether HDFS storage policies are read (one NameNode call per entry and per parent directory). */
  public static final String STORAGE_POLICIES = "hbackup.backup.storage.policies";
  /** What to do with HDFS files open for write: include (default), skip or fail (--open-files). */
  public static final String OPEN_FILES = "hbackup.backup.open.files";
  /** Exclude patterns (--exclude, --exclude-file), one per line; see ExcludeRules. */
  public static final String EXCLUDE = "hbackup.backup.exclude";
  /** Whether entries record the source's access times as they are now (--atime); see BackupOptions. */
  public static final String ACCESS_TIMES = "hbackup.backup.atime";
  /** The HDFS snapshot of the source that this backup reads; unset when it reads the source live. */
  public static final String SNAPSHOT_NAME = "hbackup.backup.snapshot.name";
  /** Whether to make a not yet snapshottable HDFS source snapshottable (needs HDFS superuser). */
  public static final String SNAPSHOT_ALLOW = "hbackup.backup.snapshot.allow";
  /**
   * Renames taken from the snapshot diff report, at most: the driver holds them while it lists.
   * Past this many, further renamed files are read again (their chunks still dedup).
   */
  public static final String SNAPSHOT_MAX_RENAMES = "hbackup.backup.snapshot.max.renames";
  public static final int DEFAULT_SNAPSHOT_MAX_RENAMES = 100_000;
  /**
   * Whether map tasks ask the source file system for a file checksum, to confirm an unchanged file
   * without reading it: {@code auto} (on for hdfs sources, and for file sources, whose "checksum"
   * is the file's change stamp: inode, ctime and mtime in ns), {@code true} or {@code false}.
   */
  public static final String SOURCE_CHECKSUM = "hbackup.backup.source.checksum";
  /**
   * Milliseconds before the base point's start within which a base entry's modification time
   * makes length and time too weak to take the file as unchanged, where no source checksum
   * confirms it: the coarsest timestamp resolution allowed for sources (a second on S3, ext3
   * and HFS+, two on FAT) plus clock skew. FORMAT.md, "Times of a coarse grain".
   */
  public static final String RECENT_MS = "hbackup.backup.recent.ms";
  public static final long DEFAULT_RECENT_MS = 2_000;
  /** Manifest segments of the base point a map task keeps decoded. */
  public static final String BASE_SEGMENT_CACHE = "hbackup.backup.base.segment.cache";
  public static final int DEFAULT_BASE_SEGMENT_CACHE = 4;
  /** The listing the driver wrote: a SequenceFile of (manifest path, FileStatus). */
  public static final String LISTING = "hbackup.backup.listing";
  /** Sum of the listing's split weights, written by the driver. */
  public static final String LISTING_WEIGHT = "hbackup.backup.listing.weight";
  /**
   * The backup's lock file, set by the driver: the committer publishes only while it is still
   * there, so that a backup whose lock was taken over as stale never publishes into a repository
   * that a prune may be changing.
   */
  public static final String LOCK_FILE = "hbackup.backup.lock.file";
  /** Where the reducer reports the source entries it could not take as they are; set by the driver. */
  public static final String SKIPPED_REPORT = "hbackup.backup.skipped.report";
  /** Upper bound of new chunks, to size the new index file's Bloom filter. */
  public static final String EXPECTED_CHUNKS = "hbackup.backup.expected.chunks";

  /** How many map tasks the work is spread over, at most. */
  public static final String MAX_MAPS = "hbackup.backup.max.maps";
  /** Bandwidth per map task in MiB/s (--bandwidth, as DistCp's -bandwidth); 0 means no limit. */
  public static final String BANDWIDTH_MIB = "hbackup.backup.bandwidth.mib";
  public static final int DEFAULT_MAX_MAPS = 20;
  /** Smallest split, in weight: below this, task start-up costs more than it saves. */
  public static final String MIN_SPLIT_BYTES = "hbackup.backup.min.split.bytes";
  public static final long DEFAULT_MIN_SPLIT_BYTES = 32L * 1024 * 1024;
  /**
   * What opening a file costs, in bytes of reading, when balancing splits: many small files are
   * grouped, but not so many that one task opens them all. Unset: {@link
   * org.hbackup.job.FileWeights#defaultFor} the source (16 KiB on the local file system, 256 KiB
   * elsewhere). A file expected unchanged weighs {@link org.hbackup.job.FileWeights#UNCHANGED_BYTES}
   * whatever this says, a directory a 16th of it.
   */
  public static final String FILE_WEIGHT_BYTES = "hbackup.backup.file.weight.bytes";

  /**
   * Files longer than this are read in ranges of this many bytes, at fixed offsets, by different
   * map tasks: one huge file does not hold the job back, and since the offsets do not move, an
   * append leaves the earlier ranges' chunks unchanged. Changing it changes how files longer than
   * it are cut into chunks (their next backup then stores them again).
   */
  public static final String RANGE_BYTES = "hbackup.backup.range.bytes";
  public static final long DEFAULT_RANGE_BYTES = 64L * 1024 * 1024;
  public static final long MIN_RANGE_BYTES = 1024L * 1024;

  /** Test only: the map task with this index fails its first attempt after its first file. */
  public static final String TEST_FAIL_MAP_TASK_ONCE = "hbackup.test.fail.map.task.once";
  /** Test only: the commit fails after publishing data, before the point record. */
  public static final String TEST_FAIL_BEFORE_POINT_RECORD = "hbackup.test.fail.before.point.record";

  private BackupConfigKeys() {
  }
}
