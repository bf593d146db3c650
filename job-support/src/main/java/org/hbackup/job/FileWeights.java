package org.hbackup.job;

import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.Path;

/**
 * What opening (or creating) one file costs, in bytes of reading, when splits are balanced by
 * weight (bytes plus this much per file). It depends on the file system: a local file opens in
 * 60-100 µs, the time a task takes to read and chunk about 16 KiB; an HDFS file costs a
 * NameNode call and a DataNode connection, an object store's a request of tens of milliseconds.
 * With 256 KiB per file on the local file system, a backup's split of 2,400 small files weighed as
 * much as one holding ten 50 MiB files, which then ran alone for 2.4 s after every other task had
 * finished (docs/BENCHMARKS.md, "Splits weighed by what they cost").
 */
public final class FileWeights {
  /** A local file system's per-file cost, measured with the benchmark's mixed tree. */
  public static final long LOCAL_BYTES = 16L * 1024;
  /** Any other file system's: HDFS, object stores. */
  public static final long REMOTE_BYTES = 256L * 1024;
  /**
   * A backup's file expected unchanged: a lookup in a decoded base segment and a record, no
   * reading (on HDFS, one checksum call). 24 µs per file on the local file system, the time
   * reading 4 KiB takes; it was a 64th of the per-file weight when that was 256 KiB everywhere,
   * and a 64th of 16 KiB made a nothing-changed backup of 200,000 files two splits instead of 20.
   */
  public static final long UNCHANGED_BYTES = 4L * 1024;

  private FileWeights() {
  }

  /** The largest per-file weight a setting may give: more than any file's opening costs. */
  public static final long MAX_BYTES = 1L << 30;

  /**
   * The per-file weight {@code key} sets, or {@link #defaultFor} {@code path}; a setting outside
   * 1 byte .. {@link #MAX_BYTES} is refused (a weight of 0 or less, or one that overflows when
   * added to a file's length, would unbalance the splits without a word).
   */
  public static long setting(Configuration conf, String key, Path path) {
    long bytes = conf.getLong(key, defaultFor(path));
    if (bytes < 1 || bytes > MAX_BYTES) {
      throw new IllegalArgumentException(key + " must be between 1 and " + MAX_BYTES + " bytes, not " + bytes);
    }
    return bytes;
  }

  /** The default per-file weight for files on {@code path}'s file system. */
  public static long defaultFor(Path path) {
    String scheme = path == null ? null : path.toUri().getScheme();
    return "file".equals(scheme) ? LOCAL_BYTES : REMOTE_BYTES;
  }
}
