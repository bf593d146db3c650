package org.hbackup.common;

import org.apache.hadoop.conf.Configuration;

/**
 * Named places in the backup, restore and prune where a test may kill the process outright, as a power
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
  /** Test only: the name of the place to pause at, until the file {@link #PAUSE_FILE} is gone. */
  public static final String PAUSE_AT = "hbackup.test.pause.at";
  /** Test only: the file whose removal lets a paused run go on; {@code <file>.reached} tells it paused. */
  public static final String PAUSE_FILE = "hbackup.test.pause.file";

  private CrashPoints() {
  }

  /**
   * Stops the process at once if {@code name} is the configured crash point; waits there while
   * the pause file exists if it is the configured pause point (to let a test run something else
   * at exactly that moment).
   */
  public static void reached(Configuration conf, String name) {
    if (name.equals(conf.get(KEY))) {
      System.err.println("hbackup: crashing at " + name + " (" + KEY + ")");
      System.err.flush();
      Runtime.getRuntime().halt(STATUS);
    }
    if (name.equals(conf.get(PAUSE_AT)) && conf.get(PAUSE_FILE) != null) {
      java.nio.file.Path file = java.nio.file.Paths.get(conf.get(PAUSE_FILE));
      try {
        java.nio.file.Files.write(java.nio.file.Paths.get(file + ".reached"), new byte[0]);
        while (java.nio.file.Files.exists(file)) {
          Thread.sleep(20);
        }
      } catch (java.io.IOException e) {
        throw new java.io.UncheckedIOException(e);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
  }
}
