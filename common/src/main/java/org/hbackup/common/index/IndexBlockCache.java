package org.hbackup.common.index;

import java.io.IOException;
import java.util.concurrent.ExecutionException;

import com.google.common.cache.Cache;
import com.google.common.cache.CacheBuilder;

/**
 * Blocks of index rows (1,024 rows, 64 KiB) read from index files and kept, least recently used
 * dropped first, within a byte budget shared by all the index files of a {@link ChunkIndex}. A
 * lookup's binary search then reads a block or two instead of one row per step: the upper steps of
 * every search land in the same few blocks, and a backup that confirms the chunks of every file
 * it carries over makes one lookup per chunk. Memory: the budget.
 */
final class IndexBlockCache {
  static final int ROWS_PER_BLOCK = 1024;
  /** What {@link ChunkIndex} gives the index files of a repository. */
  static final long DEFAULT_BUDGET_BYTES = 32L * 1024 * 1024;

  /** Reads one block of rows of one file. */
  interface Loader {
    byte[] load(long block) throws IOException;
  }

  private final Cache<Long, byte[]> blocks;
  private int nextFileId;

  IndexBlockCache(long budgetBytes) {
    this.blocks = CacheBuilder.newBuilder().maximumWeight(budgetBytes)
        .<Long, byte[]>weigher((key, rows) -> rows.length).build();
  }

  synchronized int register() {
    return nextFileId++;
  }

  byte[] get(int fileId, long block, Loader loader) throws IOException {
    try {
      return blocks.get(((long) fileId << 40) | block, () -> loader.load(block));
    } catch (ExecutionException e) {
      throw e.getCause() instanceof IOException ? (IOException) e.getCause() : new IOException(e.getCause());
    }
  }
}
