package org.hbackup.common.io;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.io.IOException;
import java.nio.file.AccessDeniedException;
import java.nio.file.NoSuchFileException;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

import org.apache.hadoop.fs.FileStatus;
import org.apache.hadoop.fs.Path;
import org.junit.jupiter.api.Test;

class LocalListingTest {
  private static List<String> names(int n) {
    List<String> names = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      names.add(String.format("f%05d", i));
    }
    return names;
  }

  private static FileStatus status(String name) {
    return new FileStatus(name.length(), false, 1, 1, 0, new Path("/d/" + name));
  }

  private static List<String> drain(LocalListing listing) throws IOException {
    List<String> seen = new ArrayList<>();
    while (listing.hasNext()) {
      seen.add(listing.next().getPath().getName());
    }
    return seen;
  }

  @Test
  void returnsEveryEntryInNameOrderAcrossBatches() throws IOException {
    for (int n : new int[] {0, 1, LocalListing.BATCH - 1, LocalListing.BATCH, LocalListing.BATCH + 1,
        5 * LocalListing.BATCH + 7}) {
      Set<String> readOn = ConcurrentHashMap.newKeySet();
      LocalListing listing = new LocalListing(names(n), name -> {
        readOn.add(Thread.currentThread().getName());
        return status(name);
      });
      assertEquals(names(n), drain(listing), n + " entries");
      assertFalse(listing.hasNext());
      if (n > LocalListing.BATCH) {
        assertEquals(Set.of(Thread.currentThread().getName(), "hbackup-listing-ahead"), readOn,
            "the first batch is read by the caller, the rest ahead of it");
      }
    }
  }

  /**
   * While the caller holds a batch, the helper reads up to DEPTH batches beyond it, and no more:
   * one batch ahead made the caller wait for each hand-off (bounded memory either way).
   */
  @Test
  void readsSeveralBatchesAheadOfTheCallerButNoMore() throws Exception {
    List<String> all = names(10 * LocalListing.BATCH);
    java.util.concurrent.atomic.AtomicInteger read = new java.util.concurrent.atomic.AtomicInteger();
    LocalListing listing = new LocalListing(all, name -> {
      read.incrementAndGet();
      return status(name);
    });
    int ahead = (1 + LocalListing.DEPTH) * LocalListing.BATCH;
    long deadline = System.nanoTime() + java.util.concurrent.TimeUnit.SECONDS.toNanos(30);
    while (read.get() < ahead && System.nanoTime() < deadline) {
      Thread.sleep(5);
    }
    assertEquals(ahead, read.get(), "the first batch and DEPTH more, before the caller took any");
    Thread.sleep(50);
    assertEquals(ahead, read.get(), "no more until the caller takes one");
    assertEquals(all, drain(listing));
  }

  @Test
  void leavesOutEntriesGoneBeforeTheirStatusWasRead() throws IOException {
    List<String> all = names(3 * LocalListing.BATCH);
    LocalListing listing = new LocalListing(all, name -> {
      if (name.endsWith("3")) {
        throw new NoSuchFileException(name);
      }
      return status(name);
    });
    List<String> expected = new ArrayList<>(all);
    expected.removeIf(name -> name.endsWith("3"));
    assertEquals(expected, drain(listing));
  }

  @Test
  void throwsAFailureWhereItsEntryWouldHaveBeen() throws IOException {
    int failing = 2 * LocalListing.BATCH + 5; // in a batch read ahead, on the helper thread
    AccessDeniedException denied = new AccessDeniedException("f" + failing);
    List<String> all = names(3 * LocalListing.BATCH);
    LocalListing listing = new LocalListing(all, name -> {
      if (name.equals(all.get(failing))) {
        throw denied;
      }
      return status(name);
    });
    for (int i = 0; i < failing; i++) {
      assertEquals(all.get(i), listing.next().getPath().getName());
    }
    assertSame(denied, assertThrows(AccessDeniedException.class, listing::hasNext),
        "the same exception, so callers tell a denied directory from other failures");
  }
}
