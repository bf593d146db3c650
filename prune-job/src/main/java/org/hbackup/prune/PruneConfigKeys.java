package org.hbackup.prune;

/** Configuration of the prune jobs; the driver sets the internal ones. */
public final class PruneConfigKeys {
  /**
   * Files of the repository younger than this (by their modification time against the prune
   * lock's, the repository's own clock) are never deleted, nor are their rows left out of the new
   * index: a writer that ignored the lock, or a clock that runs behind, loses nothing.
   */
  public static final String GRACE = "hbackup.prune.grace.seconds";
  public static final long DEFAULT_GRACE_SECONDS = 15 * 60;
  /** Internal: the repository. */
  static final String REPOSITORY = "hbackup.prune.repository";
  /** Internal: files modified after this (ms since the epoch) are young. */
  static final String CUTOFF = "hbackup.prune.cutoff.ms";
  /** Internal: whether damage found is recorded (not by a dry run, which changes nothing). */
  static final String RECORD_DAMAGE = "hbackup.prune.record.damage";
  /** Internal: the --max-unused share, as a fraction. */
  static final String MAX_UNUSED = "hbackup.prune.max.unused";
  /** Internal: where repacked packs and new index files are staged. */
  static final String STAGING = "hbackup.prune.staging";
  /** Internal: how many rows the new index files hold together, to size their Bloom filters. */
  static final String EXPECTED_ROWS = "hbackup.prune.expected.rows";
  /** Internal: the listing weights, for splits of equal work. */
  static final String PACK_LISTING_WEIGHT = "hbackup.prune.pack.listing.weight";
  static final String REPACK_LISTING_WEIGHT = "hbackup.prune.repack.listing.weight";
  /** Most map tasks per listing. */
  public static final String MAX_MAPS = "hbackup.prune.max.maps";
  public static final int DEFAULT_MAX_MAPS = 20;
  /** Smallest split of a listing, in bytes of work. */
  public static final String MIN_SPLIT_BYTES = "hbackup.prune.min.split.bytes";
  public static final long DEFAULT_MIN_SPLIT_BYTES = 64L * 1024 * 1024;

  private PruneConfigKeys() {
  }
}
