package org.hbackup.common.index;

import java.io.IOException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.atomic.AtomicLong;

import com.google.common.cache.Cache;
import com.google.common.cache.CacheBuilder;

/**
 * Blocks of index rows (1,024 rows, 64 KiB) read from index files and kept, least recently used
 * dropped first, within a byte budget. A lookup's binary search then reads a block or two instead
 * of one row per step: the upper steps of every search land in the same few blocks, and a backup
 * that confirms the chunks of every file it carries over makes one lookup per chunk. Memory: the
 * budget.
 *
 * <p>{@link ChunkIndex} uses one cache per JVM ({@link #shared()}): on the local job runner the
 * tasks of a job, and the jobs of a command, search the same index files, which never change
 * (their names are their contents' hashes). With a cache per task, each map task of a
 * nothing-changed backup of 200,000 files read the whole 12.5 MB index again (its chunk ids are
 * spread over all of it), and those copies, kept for the task's life, filled the old generation:
 * ten full collections in its map phase (docs/BENCHMARKS.md, tenth session). A file is known by
 * its path, length and modification time, so a file published again under the same name after a
 * repair is read anew; and whatever a block says, a backup confirms a row against its pack's
 * trailer before it relies on it.
 */
final class IndexBlockCache {
  static final int ROWS_PER_BLOCK = 1024;
  /** The budget of the JVM's shared cache. */
  static final long DEFAULT_BUDGET_BYTES = 32L * 1024 * 1024;
  private static final IndexBlockCache SHARED = new IndexBlockCache(DEFAULT_BUDGET_BYTES);

  /** Reads one block of rows of one file. */
  interface Loader {
    byte[] load(long block) throws IOException;
  }

  private final Cache<BlockKey, byte[]> blocks;
  private final AtomicLong loads = new AtomicLong();

  IndexBlockCache(long budgetBytes) {
    this.blocks = CacheBuilder.newBuilder().maximumWeight(budgetBytes)
        .<BlockKey, byte[]>weigher((key, rows) -> rows.length).build();
  }

  /** The cache the index files opened by {@link ChunkIndex} share, in this JVM. */
  static IndexBlockCache shared() {
    return SHARED;
  }

  /**
   * A block of the file of {@code identity} (its path, length and modification time). Keyed by
   * the identity itself, not by a number handed out per file: nothing grows with the files a
   * long-lived JVM opens, and no two files can ever share a key.
   */
  byte[] get(String identity, long block, Loader loader) throws IOException {
    try {
      return blocks.get(new BlockKey(identity, block), () -> {
        loads.incrementAndGet();
        return loader.load(block);
      });
    } catch (ExecutionException e) {
      throw e.getCause() instanceof IOException ? (IOException) e.getCause() : new IOException(e.getCause());
    }
  }

  private record BlockKey(String identity, long block) {
  }

  /** Blocks read from files so far (for tests). */
  long loads() {
    return loads.get();
  }
}
