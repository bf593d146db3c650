package org.hbackup.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;

import org.junit.jupiter.api.Test;

class StartupWarmerTest {
  /** Every step runs: one that broke (a class renamed in a Hadoop upgrade) would only cost time, silently. */
  @Test
  void everyStepRunsWithoutFailing() throws InterruptedException {
    assertEquals(List.of(), StartupWarmer.start().awaitFailures());
  }

  @Test
  void canBeTurnedOff() throws InterruptedException {
    System.setProperty(StartupWarmer.ENABLED, "false");
    try {
      assertEquals(List.of(), StartupWarmer.start().awaitFailures());
    } finally {
      System.clearProperty(StartupWarmer.ENABLED);
    }
  }
}
