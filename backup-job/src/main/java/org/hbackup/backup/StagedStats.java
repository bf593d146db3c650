package org.hbackup.backup;

/**
 * The reducer's figures for the point record, staged beside the manifest ({@code stats.json}):
 * the committer that publishes the point cannot read job counters, and these are counted after
 * the shuffle removed chunks that two tasks both stored.
 */
final class StagedStats {
  static final String FILE = "stats.json";
  static final String CHUNKS_NEW = "chunksNew";
  static final String BYTES_NEW = "bytesNew";
  static final String BYTES_STORED = "bytesStored";
  /** Paths of each change kind (by report name); only when the point has a base. */
  static final String CHANGES = "changes";

  private StagedStats() {
  }
}
