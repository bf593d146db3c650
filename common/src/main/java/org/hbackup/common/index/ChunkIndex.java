package org.hbackup.common.index;

import java.io.Closeable;
import java.io.FileNotFoundException;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;

import org.apache.hadoop.fs.FSDataInputStream;
import org.apache.hadoop.fs.FileStatus;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.hbackup.common.DamageException;
import org.hbackup.common.UnsupportedFormatVersionException;
import org.hbackup.common.id.ContentId;
import org.hbackup.common.io.ReadFailures;
import org.hbackup.common.repo.RepositoryLayout;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Chunk lookups across all index files of a repository. An index file that cannot be read (its
 * header, footer, fanout or Bloom filter is damaged, or it is of a newer format) is left out and
 * named by {@link #unreadable()}: its chunks then look absent, so a backup stores them again from
 * the source and a restore reports the files that need them, instead of either failing whole.
 * The same holds for a file whose rows turn out unreadable later, at a lookup (a lost block, a
 * checksum error): it is left out from then on.
 * Memory grows with the number of chunks the repository holds, at ~1.2 bytes each (the Bloom
 * filters), plus 2 KiB per index file: 100 TiB of unique data at 1 MiB chunks is ~120 MiB; and
 * the blocks of rows recently searched, at most 32 MiB in all the JVM's indexes together
 * (IndexBlockCache.shared()).
 */
public final class ChunkIndex implements Closeable {
  private static final Logger LOG = LoggerFactory.getLogger(ChunkIndex.class);

  private final List<IndexFileReader> files;
  private final List<String> unreadable;
  /** Files whose rows could not be read at a lookup: left out from then on. */
  private final java.util.Set<IndexFileReader> failed = java.util.concurrent.ConcurrentHashMap.newKeySet();

  private ChunkIndex(List<IndexFileReader> files, List<String> unreadable) {
    this.files = files;
    this.unreadable = unreadable;
  }

  public static ChunkIndex open(FileSystem fs, Path indexDir) throws IOException {
    List<IndexFileReader> readers = new ArrayList<>();
    List<String> unreadable = new ArrayList<>();
    IndexBlockCache cache = IndexBlockCache.shared();
    FileStatus[] statuses;
    try {
      statuses = fs.listStatus(indexDir);
    } catch (FileNotFoundException e) {
      statuses = new FileStatus[0];
    }
    try {
      for (FileStatus s : statuses) {
        if (s.isFile() && RepositoryLayout.isIndexFileName(s.getPath().getName())) {
          FSDataInputStream in = null;
          try {
            in = org.hbackup.common.io.RegularFiles.open(fs, s.getPath());
            readers.add(new IndexFileReader(in, s.getLen(), s.getPath().toString(), cache,
                s.getPath() + "@" + s.getLen() + "@" + s.getModificationTime()));
          } catch (IOException | RuntimeException e) {
            if (in != null) {
              in.close();
            }
            DamageException damage = e instanceof IOException
                ? ReadFailures.asDamage((IOException) e, s.getPath().toString()) : null;
            if (damage == null && !(e instanceof UnsupportedFormatVersionException) && !(e instanceof RuntimeException)) {
              throw e; // this run's failure, not the file's
            }
            String why = damage != null ? damage.getMessage() : e.getMessage();
            LOG.warn("Leaving out index file {}: {}", s.getPath(), why);
            unreadable.add(s.getPath() + ": " + why);
          }
        }
      }
    } catch (IOException | RuntimeException e) {
      for (IndexFileReader r : readers) {
        r.close();
      }
      throw e;
    }
    return new ChunkIndex(readers, unreadable);
  }

  /** The index files that could not be read, each with why. */
  public List<String> unreadable() {
    return unreadable;
  }

  /** The entry of a stored chunk, or null when the repository does not hold it. */
  public IndexEntry lookup(ContentId chunk) throws IOException {
    // Newest files first would find recent chunks sooner, but order does not change the answer:
    // every copy of a chunk is equally valid.
    for (IndexFileReader f : files) {
      IndexEntry e = find(f, chunk);
      if (e != null) {
        return e;
      }
    }
    return null;
  }

  /** One file's entry of a chunk; null, and the file left out, when its rows cannot be read. */
  private IndexEntry find(IndexFileReader f, ContentId chunk) throws IOException {
    if (failed.contains(f)) {
      return null;
    }
    try {
      return f.lookup(chunk);
    } catch (IOException e) {
      DamageException damage = ReadFailures.asDamage(e, f.name());
      if (damage == null) {
        throw e; // this run's failure, not the file's
      }
      if (failed.add(f)) {
        LOG.warn("Leaving out index file {}: {}", f.name(), damage.getMessage());
        synchronized (unreadable) {
          unreadable.add(f.name() + ": " + damage.getMessage());
        }
      }
      return null;
    }
  }

  /**
   * Every entry of a chunk, one per index file that holds it: when the pack one names is lost,
   * a later backup stores the chunk again and a newer index file names the new copy.
   */
  public List<IndexEntry> locations(ContentId chunk) throws IOException {
    List<IndexEntry> all = new ArrayList<>(2);
    for (IndexFileReader f : files) {
      IndexEntry e = find(f, chunk);
      if (e != null) {
        all.add(e);
      }
    }
    return all;
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
