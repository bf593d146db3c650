package org.hbackup.common.index;

import java.io.Closeable;
import java.io.FileNotFoundException;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;

import org.apache.hadoop.fs.FileStatus;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.hbackup.common.id.ContentId;
import org.hbackup.common.repo.RepositoryLayout;

/**
 * Chunk lookups across all index files of a repository. Memory grows with the number of chunks
 * the repository holds, at ~1.2 bytes each (the Bloom filters), plus 2 KiB per index file:
 * 100 TiB of unique data at 1 MiB chunks is ~120 MiB.
 */
public final class ChunkIndex implements Closeable {
  private final List<IndexFileReader> files;

  private ChunkIndex(List<IndexFileReader> files) {
    this.files = files;
  }

  public static ChunkIndex open(FileSystem fs, Path indexDir) throws IOException {
    List<IndexFileReader> readers = new ArrayList<>();
    FileStatus[] statuses;
    try {
      statuses = fs.listStatus(indexDir);
    } catch (FileNotFoundException e) {
      statuses = new FileStatus[0];
    }
    try {
      for (FileStatus s : statuses) {
        if (s.isFile() && s.getPath().getName().endsWith(RepositoryLayout.INDEX_SUFFIX)) {
          readers.add(new IndexFileReader(fs.open(s.getPath()), s.getLen(), s.getPath().toString()));
        }
      }
    } catch (IOException | RuntimeException e) {
      for (IndexFileReader r : readers) {
        r.close();
      }
      throw e;
    }
    return new ChunkIndex(readers);
  }

  /** The entry of a stored chunk, or null when the repository does not hold it. */
  public IndexEntry lookup(ContentId chunk) throws IOException {
    // Newest files first would find recent chunks sooner, but order does not change the answer:
    // every copy of a chunk is equally valid.
    for (IndexFileReader f : files) {
      IndexEntry e = f.lookup(chunk);
      if (e != null) {
        return e;
      }
    }
    return null;
  }

  public int fileCount() {
    return files.size();
  }

  @Override
  public void close() throws IOException {
    IOException first = null;
    for (IndexFileReader f : files) {
      try {
        f.close();
      } catch (IOException e) {
        if (first == null) {
          first = e;
        }
      }
    }
    if (first != null) {
      throw first;
    }
  }
}
