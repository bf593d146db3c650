package org.hbackup.restore;

import java.io.Closeable;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Semaphore;
import java.util.concurrent.atomic.AtomicReference;

/**
 * Finishes written files (close, metadata, rename into place) on a few threads of its own, so
 * that a map task writes the next file while the last ones close. On HDFS a close waits for the
 * DataNode pipeline to acknowledge the last packet and for the NameNode to complete the file:
 * 12 ms of a small file's 15 ms in a MiniDFSCluster profile (docs/BENCHMARKS.md, "On YARN"),
 * time the task spent idle. At most {@code inFlight} files are open at once (each holds its
 * stream's packets); with one, every file is finished on the caller's thread, as before.
 *
 * <p>A finish that fails with an IOException fails the task: the first such failure is thrown
 * to the caller by its next {@link #submit} or by {@link #drain}, which the task calls before it
 * ends. A finish may instead report its file as refused (an entry the target must not take);
 * the caller collects those with {@link #refusals} and reports them itself, since only its
 * thread may write the task's output and counters.
 */
final class FileFinisher implements Closeable {
  /** One file's finishing; returns a refusal message, or null when the file was placed. */
  interface Finish {
    String run() throws IOException;
  }

  /** A file the target refused: its path and why. */
  record Refusal(String path, String reason) {
  }

  private final ExecutorService threads;
  private final Semaphore slots;
  private final int inFlight;
  private final AtomicReference<IOException> failure = new AtomicReference<>();
  private final ConcurrentLinkedQueue<Refusal> refused = new ConcurrentLinkedQueue<>();
  private final ConcurrentLinkedQueue<Integer> notApplied = new ConcurrentLinkedQueue<>();

  FileFinisher(int inFlight) {
    this.inFlight = Math.max(1, inFlight);
    this.slots = new Semaphore(this.inFlight);
    this.threads = this.inFlight == 1 ? null : Executors.newFixedThreadPool(this.inFlight, r -> {
      Thread t = new Thread(r, "hbackup-restore-finisher");
      t.setDaemon(true);
      return t;
    });
  }

  /** Finishes one file, on a thread of its own once a slot is free (or here, with one slot). */
  void submit(String path, Finish finish) throws IOException, InterruptedException {
    rethrow();
    if (threads == null) {
      record(path, finish.run());
      return;
    }
    slots.acquire();
    try {
      threads.execute(() -> {
        try {
          if (failure.get() == null) {
            record(path, finish.run());
          }
        } catch (IOException e) {
          failure.compareAndSet(null, e);
        } catch (RuntimeException | Error e) {
          failure.compareAndSet(null, new IOException("finishing " + path + " failed: " + e, e));
        } finally {
          slots.release();
        }
      });
    } catch (RuntimeException e) {
      slots.release();
      throw e;
    }
  }

  /** Records what a finish applied (EntryMetadata's bits), for the caller's counters. */
  void notApplied(int bits) {
    if (bits != 0) {
      notApplied.add(bits);
    }
  }

  private void record(String path, String refusal) {
    if (refusal != null) {
      refused.add(new Refusal(path, refusal));
    }
  }

  /** Waits until every submitted file is finished; throws the first failure. */
  void drain() throws IOException, InterruptedException {
    slots.acquire(inFlight);
    slots.release(inFlight);
    rethrow();
  }

  /** The refusals so far, each once. */
  List<Refusal> refusals() {
    List<Refusal> out = new ArrayList<>();
    for (Refusal r = refused.poll(); r != null; r = refused.poll()) {
      out.add(r);
    }
    return out;
  }

  /** The not-applied bits recorded so far, each once. */
  List<Integer> notAppliedBits() {
    List<Integer> out = new ArrayList<>();
    for (Integer b = notApplied.poll(); b != null; b = notApplied.poll()) {
      out.add(b);
    }
    return out;
  }

  private void rethrow() throws IOException {
    IOException e = failure.get();
    if (e != null) {
      throw e;
    }
  }

  @Override
  public void close() {
    if (threads != null) {
      threads.shutdownNow();
    }
  }
}
