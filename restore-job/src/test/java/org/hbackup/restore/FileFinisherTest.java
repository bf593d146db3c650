package org.hbackup.restore;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;

import org.junit.jupiter.api.Test;

class FileFinisherTest {
  @Test
  void withOneSlotEveryFileIsFinishedOnTheCallersThread() throws Exception {
    Thread caller = Thread.currentThread();
    try (FileFinisher finisher = new FileFinisher(1)) {
      finisher.submit("a", () -> {
        assertEquals(caller, Thread.currentThread());
        return null;
      });
      finisher.submit("b", () -> "b: refused");
      assertEquals(List.of(new FileFinisher.Refusal("b", "b: refused")), finisher.refusals());
      assertThrows(IOException.class, () -> finisher.submit("c", () -> {
        throw new IOException("close failed");
      }));
    }
  }

  /** Never more files finishing at once than the slots; all of them done when drain returns. */
  @Test
  void boundsTheFilesInFlightAndDrainWaitsForAll() throws Exception {
    AtomicInteger running = new AtomicInteger();
    AtomicInteger most = new AtomicInteger();
    AtomicInteger done = new AtomicInteger();
    try (FileFinisher finisher = new FileFinisher(4)) {
      for (int i = 0; i < 40; i++) {
        String path = "f" + i;
        finisher.submit(path, () -> {
          most.accumulateAndGet(running.incrementAndGet(), Math::max);
          try {
            Thread.sleep(5);
          } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
          }
          running.decrementAndGet();
          done.incrementAndGet();
          return path.equals("f7") ? "f7: a directory is there" : null;
        });
      }
      finisher.drain();
      assertEquals(40, done.get());
      assertTrue(most.get() <= 4 && most.get() > 1, "in flight at once: " + most.get());
      assertEquals(List.of(new FileFinisher.Refusal("f7", "f7: a directory is there")), finisher.refusals());
      assertEquals(List.of(), finisher.refusals(), "each refusal is reported once");
    }
  }

  /** A close that fails on a finisher's thread fails the task: the next submit or the drain throws it. */
  @Test
  void aFailureOnAFinishersThreadReachesTheTask() throws Exception {
    try (FileFinisher finisher = new FileFinisher(3)) {
      finisher.submit("bad", () -> {
        throw new IOException("could not close bad");
      });
      IOException thrown = assertThrows(IOException.class, () -> {
        for (int i = 0; i < 100; i++) {
          finisher.submit("f" + i, () -> null);
          Thread.sleep(1);
        }
        finisher.drain();
      });
      assertEquals("could not close bad", thrown.getMessage());
    }
  }
}
