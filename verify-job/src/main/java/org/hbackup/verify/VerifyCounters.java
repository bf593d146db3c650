package org.hbackup.verify;

/** The verify jobs' figures; each is also in the JSON report. */
public enum VerifyCounters {
  /** Point records read and checked (the selected ones; every readable one when none is named). */
  POINTS,
  /** Distinct manifest segments the checked points name, each read once and checked against its name. */
  SEGMENTS,
  /** Manifest entries in those segments. */
  ENTRIES,
  /** Chunk references of the checked points' files (one per chunk of each file of each segment). */
  CHUNKS_REFERENCED,
  /** Rows of every index file. */
  INDEX_ROWS,
  /** Index files read whole, checked against their names and structure. */
  INDEX_FILES,
  /** Pack files whose header and trailer were checked. */
  PACKS,
  /** Bytes of packs read and every blob in them decoded and hashed (--read-data). */
  BYTES_READ,
  /** Blobs decoded and checked against their chunk ids (--read-data). */
  BLOBS_READ,
  /**
   * Blobs read by the place an index row names, because no pack trailer lists them there (a cut or
   * damaged trailer): each read, decoded and hashed as a restore reads it, found good.
   */
  BLOBS_READ_THROUGH_INDEX,
  /** Packs missing (an index names them) or damaged (header, trailer or a blob). */
  DAMAGED_PACKS,
  /** Index files that do not match their names or do not parse. */
  DAMAGED_INDEX_FILES,
  /** Index rows that name a pack, offset or length that the pack's trailer does not hold. */
  DANGLING_INDEX_ROWS,
  /** Segments missing or not matching their names. */
  DAMAGED_SEGMENTS,
  /**
   * (point, segment) pairs whose segment holds entries below a file or symlink of an earlier
   * segment of the point: refused by a restore, found across segments by the driver.
   */
  SEGMENTS_BELOW_A_NON_DIRECTORY,
  /** Point records, manifest lists or change lists that are missing or damaged. */
  DAMAGED_POINT_FILES,
  /** Referenced chunks that no index row leads to a readable copy of. */
  MISSING_CHUNKS,
  /** Points whose files (or segments) the damage affects. */
  AFFECTED_POINTS,
  /**
   * Files of points (point and path) that cannot be restored; a damaged segment counts the
   * entries its manifest list's row gives, each lost to the points that name it.
   */
  AFFECTED_FILES,
  /** Packs no index row names: garbage for prune, not damage. */
  UNUSED_PACKS,
  /** Index rows whose chunk no checked point references: not damage. */
  UNUSED_INDEX_ROWS
}
