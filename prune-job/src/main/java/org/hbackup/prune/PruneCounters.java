package org.hbackup.prune;

/** Every figure a prune reports: Hadoop counters of its jobs, and of the driver. */
public enum PruneCounters {
  /** Points that remain, whose data is kept. */
  POINTS,
  /** Distinct manifest segments the remaining points name, each read once. */
  SEGMENTS_USED,
  /** Chunk references of the remaining points' files. */
  CHUNKS_REFERENCED,
  /** Packs before the prune. */
  PACKS_BEFORE,
  /** Bytes of packs before the prune. */
  PACK_BYTES_BEFORE,
  /** Blobs in those packs. */
  BLOBS,
  /** Distinct chunks the remaining points use. */
  CHUNKS_LIVE,
  /** Chunks no remaining point uses. */
  CHUNKS_UNUSED,
  /** Extra copies of used chunks (a chunk two backups stored at once): unused too. */
  COPIES_DUPLICATE,
  /** Blob bytes still used, and unused, before the prune. */
  BYTES_LIVE,
  BYTES_UNUSED,
  /** Packs kept as they are. */
  PACKS_KEPT,
  /**
   * Packs younger than the grace period, or named by an index file younger than it: kept whole,
   * with every blob in the index.
   */
  PACKS_YOUNG,
  /** Packs none of whose blobs is used: deleted. */
  PACKS_DELETED,
  /** Packs whose unused share is above --max-unused: their used blobs copied, then deleted. */
  PACKS_REPACKED,
  /**
   * Packs whose header or trailer is damaged: deleted when no index file names them (their
   * trailer lists nothing; a restore could still read blobs an index row names), else the prune
   * stops before deleting anything.
   */
  PACKS_DAMAGED,
  /** Used blob bytes of the packs to rewrite: what the repack copies. */
  BYTES_TO_COPY,
  /** New packs the repack wrote, their bytes, and the blobs and blob bytes copied into them. */
  PACKS_WRITTEN,
  PACK_BYTES_WRITTEN,
  BLOBS_COPIED,
  BYTES_COPIED,
  /** Rows of the new index, and its files. */
  INDEX_ROWS,
  INDEX_FILES_WRITTEN,
  /** Index files before the prune, replaced by the new ones. */
  INDEX_FILES_BEFORE,
  /** Segments no remaining point names, older than the grace period (to delete); those deleted; young ones kept. */
  SEGMENTS_UNUSED,
  SEGMENTS_DELETED,
  SEGMENTS_YOUNG,
  /** Manifest lists and change lists whose point was forgotten: deleted. */
  MANIFEST_FILES_DELETED,
  /** Damage records of packs that were deleted. */
  DAMAGE_RECORDS_DELETED,
  /** Bytes of packs deleted and written, and of other files deleted. */
  PACK_BYTES_DELETED,
  OTHER_BYTES_DELETED,
  /** Problems that stop the prune before it deletes anything: missing or damaged data the remaining points use. */
  PROBLEMS
}
