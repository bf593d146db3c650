package org.hbackup.cli;

/** The documented exit codes (README.md, "Exit codes"). */
public final class ExitCodes {
  public static final int SUCCESS = 0;
  public static final int FAILURE = 1;
  public static final int USAGE = 2;
  /** Damage found: a checksum mismatch, a missing chunk, a corrupt or hostile format file. */
  public static final int DAMAGE = 3;
  /**
   * A backup published its point, but some source entries could not be read and are not in it
   * (the report names them): complete for everything else, as restic's exit code 3.
   */
  public static final int INCOMPLETE = 4;

  private ExitCodes() {
  }
}
