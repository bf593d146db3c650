package org.hbackup.common.io;

import java.io.IOException;
import java.io.InterruptedIOException;
import java.nio.file.NoSuchFileException;
import java.util.ArrayDeque;
import java.util.List;
import java.util.NoSuchElementException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

import org.apache.hadoop.fs.FileStatus;
import org.apache.hadoop.fs.RemoteIterator;

/**
 * The statuses of a local directory's entries, in the order of their sorted names, read up to
 * {@link #DEPTH} batches ahead on a helper thread: while the caller handles a batch (the backup's
 * listing writes each entry and looks it up in the base point), the next batches' {@code lstat}
 * calls run on the other core. A listing of 200,000 files spent about a third of its time in
 * {@code lstat}, all on the driver's one thread (docs/BENCHMARKS.md). With one batch ahead, the
 * caller still waited for the helper a third of a 200,000-file listing (0.95 of 3.0 s), though the
 * helper was busy for less than half of it: each batch was started only when the caller took the
 * one before, so every hand-off, and every moment the helper waited for a core (the JIT's threads
 * share them), was the caller's wait. Memory: the names of the directory (as before) and up to
 * {@code DEPTH + 1} batches of statuses. An entry gone between the directory read and its
 * {@code lstat} is left out, as if listed a moment later; any other failure is thrown where that
 * entry would have been returned.
 */
final class LocalListing implements RemoteIterator<FileStatus> {
  /** Small enough that directories of a few dozen entries are split, large enough to amortize a hand-off. */
  static final int BATCH = 64;
  /** Batches in flight on the helper thread at once. */
  static final int DEPTH = 4;

  /**
   * One daemon thread for every listing of the process: look-ahead only, never more than the
   * second core. Nothing that runs on it may wait for a batch (it would wait for itself).
   */
  static final ExecutorService AHEAD = Executors.newSingleThreadExecutor(r -> {
    Thread thread = new Thread(r, "hbackup-listing-ahead");
    thread.setDaemon(true);
    return thread;
  });

  /** Reads one entry's status; null when it is gone. */
  @FunctionalInterface
  interface StatusReader {
    FileStatus read(String name) throws IOException;
  }

  private final List<String> names;
  private final StatusReader reader;
  private Object[] batch;
  private int position;
  /** The batches started on the helper thread, in order. */
  private final ArrayDeque<CompletableFuture<Object[]>> started = new ArrayDeque<>();
  /** Where the next batch to start begins. */
  private int nextStart;
  private FileStatus pending;

  LocalListing(List<String> names, StatusReader reader) {
    this.names = names;
    this.reader = reader;
    int first = Math.min(BATCH, names.size());
    this.nextStart = first;
    startAhead();
    this.batch = read(reader, names, 0, first);
  }

  @Override
  public boolean hasNext() throws IOException {
    while (pending == null) {
      if (position == batch.length) {
        if (started.isEmpty()) {
          return false;
        }
        advance();
        continue;
      }
      Object result = batch[position++];
      if (result instanceof IOException) {
        throw (IOException) result;
      }
      if (result instanceof RuntimeException) {
        throw (RuntimeException) result;
      }
      pending = (FileStatus) result;
    }
    return true;
  }

  @Override
  public FileStatus next() throws IOException {
    if (!hasNext()) {
      throw new NoSuchElementException();
    }
    FileStatus status = pending;
    pending = null;
    return status;
  }

  /** Takes the oldest batch read ahead and starts more, up to {@link #DEPTH} in flight. */
  private void advance() throws IOException {
    Object[] taken;
    try {
      taken = started.peekFirst().get();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new InterruptedIOException("interrupted while listing");
    } catch (ExecutionException e) {
      throw new IOException(e.getCause());
    }
    started.removeFirst();
    batch = taken;
    position = 0;
    startAhead();
  }

  /** Starts batches on the helper thread until {@link #DEPTH} are in flight or none is left. */
  private void startAhead() {
    while (started.size() < DEPTH && nextStart < names.size()) {
      int start = nextStart;
      int end = Math.min(start + BATCH, names.size());
      started.addLast(CompletableFuture.supplyAsync(() -> read(reader, names, start, end), AHEAD));
      nextStart = end;
    }
  }

  /** Statuses of names[start..end): a status, null for an entry gone, or the exception reading it threw. */
  private static Object[] read(StatusReader reader, List<String> names, int start, int end) {
    Object[] results = new Object[end - start];
    for (int i = start; i < end; i++) {
      try {
        results[i - start] = reader.read(names.get(i));
      } catch (NoSuchFileException e) {
        results[i - start] = null;
      } catch (IOException | RuntimeException e) {
        results[i - start] = e;
      }
    }
    return results;
  }
}
