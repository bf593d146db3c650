package org.hbackup.it;

/** A Java agent that does nothing, as a profiler or metrics exporter in HBACKUP_JAVA_OPTS stands in for. */
public final class NoOpAgent {
  private NoOpAgent() {
  }

  public static void premain(String args) {
    // loaded before main: that is all a test of the launcher needs
  }
}
