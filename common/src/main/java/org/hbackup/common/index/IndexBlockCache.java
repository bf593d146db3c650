package org.hbackup.common.index;

import java.io.IOException;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;

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

  private final long budget;
  private long used;
  private int nextFileId;
  private final LinkedHashMap<Long, byte[]> blocks = new LinkedHashMap<>(256, 0.75f, true);

  IndexBlockCache(long budgetBytes) {
    this.budget = budgetBytes;
  }

  synchronized int register() {
    return nextFileId++;
  }

  synchronized byte[] get(int fileId, long block, Loader loader) throws IOException {
    Long key = ((long) fileId << 40) | block;
    byte[] rows = blocks.get(key);
    if (rows == null) {
      rows = loader.load(block);
      blocks.put(key, rows);
      used += rows.length;
      for (Iterator<Map.Entry<Long, byte[]>> it = blocks.entrySet().iterator(); used > budget && blocks.size() > 1;) {
        used -= it.next().getValue().length;
        it.remove();
      }
    }
    return rows;
  }
}
