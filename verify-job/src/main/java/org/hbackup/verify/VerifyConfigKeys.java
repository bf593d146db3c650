package org.hbackup.verify;

/** Every configuration key of the verify and repair jobs, each beside its default. */
public final class VerifyConfigKeys {
  /** Fully qualified URI of the repository. */
  public static final String REPOSITORY = "hbackup.verify.repository";
  /** False for a dry run: damage found is reported, not recorded in {@code damage/}. */
  public static final String RECORD_DAMAGE = "hbackup.verify.record.damage";
  /** none, all, slice (with SLICE_N, SLICE_M) or percent (with PERCENT). */
  public static final String READ_DATA = "hbackup.verify.read.data";
  public static final String SLICE_N = "hbackup.verify.read.data.slice.n";
  public static final String SLICE_M = "hbackup.verify.read.data.slice.m";
  public static final String PERCENT = "hbackup.verify.read.data.percent";
  /** The seed of a random subset, so that every task draws the same packs. */
  public static final String SEED = "hbackup.verify.read.data.seed";
  /** The pack listing the driver wrote, and its total weight. */
  public static final String PACK_LISTING = "hbackup.verify.pack.listing";
  public static final String PACK_LISTING_WEIGHT = "hbackup.verify.pack.listing.weight";
  /** The index file listing the driver wrote. */
  public static final String INDEX_LISTING = "hbackup.verify.index.listing";
  /** Internal: the bytes of every index file listed, for splits of equal weight. */
  public static final String INDEX_LISTING_WEIGHT = "hbackup.verify.index.listing.weight";

  /**
   * Internal: some checked point names more than one segment, so the segments' tree summaries
   * are written for the tree rule across segments ({@link SegmentBoundaries}).
   */
  public static final String TREE_SUMMARIES = "hbackup.verify.tree.summaries";

  /** How many map tasks the packs (and, apart, the segments) are spread over, at most. */
  public static final String MAX_MAPS = "hbackup.verify.max.maps";
  public static final int DEFAULT_MAX_MAPS = 20;
  /** Reduce tasks of the joins. */
  public static final String REDUCERS = "hbackup.verify.reducers";
  /** Smallest split of packs, in bytes to read. */
  public static final String MIN_SPLIT_BYTES = "hbackup.verify.min.split.bytes";
  public static final long DEFAULT_MIN_SPLIT_BYTES = 64L * 1024 * 1024;
  /** What checking a pack's header and trailer costs, in bytes of reading, when balancing splits. */
  public static final long PACK_CHECK_WEIGHT = 1024L * 1024;

  private VerifyConfigKeys() {
  }
}
