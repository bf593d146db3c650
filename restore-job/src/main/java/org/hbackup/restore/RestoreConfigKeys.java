package org.hbackup.restore;

/** Every configuration key of the restore job, each beside its default. */
public final class RestoreConfigKeys {
  /** Fully qualified URI of the repository. */
  public static final String REPOSITORY = "hbackup.restore.repository";
  /** The point to restore (an id; "latest" is resolved by the driver). */
  public static final String POINT = "hbackup.restore.point";
  /** Fully qualified URI of the target directory. */
  public static final String TARGET = "hbackup.restore.target";
  /** Selected manifest paths, as a count and one key per path (paths may hold commas). */
  public static final String PATH_COUNT = "hbackup.restore.paths";
  public static final String PATH_PREFIX = "hbackup.restore.path.";
  /** Replace files that already exist in the target. */
  public static final String OVERWRITE = "hbackup.restore.overwrite";

  /**
   * The staging directory inside the target where map tasks write files before moving them into
   * place; set by the driver, removed by the reducer before directory metadata is applied.
   */
  public static final String STAGING = "hbackup.restore.staging";
  /** The splits the driver planned, which the input format hands to the job. */
  public static final String PLANNED_SPLITS = "hbackup.restore.planned.splits";
  /**
   * The repository's path relative to the target, when the repository lies inside the target:
   * entries at or under it are refused, so a restore never overwrites the repository.
   */
  public static final String REPOSITORY_IN_TARGET = "hbackup.restore.repository.in.target";

  /** Where the job keeps its report while it runs; the driver deletes it. */
  public static final String WORK_DIR = "hbackup.restore.work.dir";
  // Default: conf.get("hadoop.tmp.dir") + "/hbackup" on the default file system, so that a
  // read-only repository works (RestoreJob); not "${hadoop.tmp.dir}/hbackup", whose expansion
  // prefers the JVM's system property to the configuration's value.

  /** How many map tasks the work is spread over, at most. */
  public static final String MAX_MAPS = "hbackup.restore.max.maps";
  /**
   * Files a map task keeps closing at once where a close waits (HDFS, object stores; on the
   * local file system always one): it writes the next file meanwhile.
   */
  public static final String FILES_IN_FLIGHT = "hbackup.restore.files.in.flight";
  public static final int DEFAULT_FILES_IN_FLIGHT = 8;
  /** Bandwidth per map task in MiB/s (--bandwidth, as DistCp's -bandwidth); 0 means no limit. */
  public static final String BANDWIDTH_MIB = "hbackup.restore.bandwidth.mib";
  public static final int DEFAULT_MAX_MAPS = 20;
  /** Smallest split, in weight. */
  public static final String MIN_SPLIT_BYTES = "hbackup.restore.min.split.bytes";
  public static final long DEFAULT_MIN_SPLIT_BYTES = 32L * 1024 * 1024;
  /**
   * What creating one file costs, in bytes of writing, when balancing splits. Unset: {@link
   * org.hbackup.job.FileWeights#defaultFor} the target (16 KiB on the local file system, 256 KiB
   * elsewhere).
   */
  public static final String FILE_WEIGHT_BYTES = "hbackup.restore.file.weight.bytes";

  private RestoreConfigKeys() {
  }
}
