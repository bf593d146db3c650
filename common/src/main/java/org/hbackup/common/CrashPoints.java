package org.hbackup.common;

import org.apache.hadoop.conf.Configuration;

/**
 * Named places in the backup and restore where a test may kill the process outright, as a power
 * cut or {@code kill -9} would: no finally block, no shutdown hook, nothing cleaned up. The
 * failure-injection tests run a command in its own JVM with {@link #KEY} set to one name, then
 * check that nothing half-made is visible and that the next run recovers. Unset, each call is one
 * configuration lookup.
 */
public final class CrashPoints {
  /** Test only: the name of the place to stop the process at. */
  public static final String KEY = "hbackup.test.crash.at";
  /** The exit status of a process stopped here, as by a signal. */
  public static final int STATUS = 137;

  private CrashPoints() {
  }

  /** Stops the process at once if {@code name} is the configured crash point. */
  public static void reached(Configuration conf, String name) {
    if (name.equals(conf.get(KEY))) {
      System.err.println("hbackup: crashing at " + name + " (" + KEY + ")");
      System.err.flush();
      Runtime.getRuntime().halt(STATUS);
    }
  }
}
