package org.hbackup.prune;

/**
 * What a prune may do: rewrite a pack when more than {@code maxUnusedPercent} of its blob bytes
 * are unused (restic's default, 5%), or on a dry run nothing at all.
 */
public record PruneOptions(double maxUnusedPercent, boolean dryRun) {
  public static final double DEFAULT_MAX_UNUSED_PERCENT = 5;

  public PruneOptions {
    if (!(maxUnusedPercent >= 0 && maxUnusedPercent <= 100)) {
      throw new IllegalArgumentException("--max-unused must be a percentage from 0 to 100");
    }
  }

  public static PruneOptions defaults() {
    return new PruneOptions(DEFAULT_MAX_UNUSED_PERCENT, false);
  }

  PruneOptions withDryRun(boolean value) {
    return new PruneOptions(maxUnusedPercent, dryRun || value);
  }
}
