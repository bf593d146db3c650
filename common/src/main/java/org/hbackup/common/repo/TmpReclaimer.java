package org.hbackup.common.repo;

import java.io.FileNotFoundException;
import java.io.IOException;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.ContentSummary;
import org.apache.hadoop.fs.FileStatus;
import org.apache.hadoop.fs.FileSystem;
import org.hbackup.common.id.PointId;
import org.hbackup.common.io.FileSystems;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Reclaims what killed jobs left in the repository's {@code tmp/}: a backup's staging directory,
 * listing and report are named after the point it was writing, and its lock names that point; a
 * prune's or repair's staging ({@code prune-<lock id>}, {@code repair-index-<lock id>}) is named
 * after its lock. An entry is removed only when no live lock owns it and it is older than
 * {@link #GRACE} (default 15 minutes), so neither a running backup nor a writer that took no lock
 * and only just started loses anything (FORMAT.md, "Locks" and "Writing a point").
 * Memory: the points of the live locks.
 */
public final class TmpReclaimer {
  private static final Logger LOG = LoggerFactory.getLogger(TmpReclaimer.class);
  /** How old an unowned entry of tmp/ must be before it is removed, in seconds. */
  public static final String GRACE = "hbackup.tmp.reclaim.grace.seconds";
  public static final long DEFAULT_GRACE_SECONDS = 15 * 60;

  /** What was reclaimed. */
  public record Reclaimed(long entries, long bytes) {
  }

  private TmpReclaimer() {
  }

  public static Reclaimed reclaim(Repository repository, Configuration conf) throws IOException {
    FileSystem fs = repository.fileSystem();
    repository.checkOwnDirectories();
    // Ages on the repository's clock, as the files' times are.
    long now = RepositoryLock.fileSystemNow(repository);
    Set<String> owned = new HashSet<>();
    List<RepositoryLock.Holder> locks = RepositoryLock.list(repository);
    for (RepositoryLock.Holder h : locks) {
      if (!RepositoryLock.isStale(h, conf, now)) {
        owned.add(h.id());
        if (h.point() != null) {
          owned.add(h.point());
        }
      }
    }
    long cutoff = now - conf.getLong(GRACE, DEFAULT_GRACE_SECONDS) * 1000;
    FileStatus[] entries;
    try {
      entries = fs.listStatus(repository.layout().tmpDir());
    } catch (FileNotFoundException e) {
      return new Reclaimed(0, 0);
    }
    boolean objectStore = FileSystems.visibleWholeOnClose(fs, repository.layout().tmpDir());
    long count = 0;
    long bytes = 0;
    for (FileStatus s : entries) {
      String point = owner(s.getPath().getName());
      // An object store's directory is a prefix with no time of its own (S3A says 0, or the
      // time of the listing): its age is that of the newest file below it.
      boolean timeless = s.isDirectory() && (s.getModificationTime() == 0 || objectStore);
      if ((point != null && owned.contains(point)) || (!timeless && s.getModificationTime() > cutoff)) {
        continue;
      }
      long size;
      try {
        if (timeless) {
          long[] newestAndSize = newestAndSize(fs, s.getPath());
          if (newestAndSize[0] > cutoff) {
            continue;
          }
          size = newestAndSize[1];
        } else {
          ContentSummary summary = fs.getContentSummary(s.getPath());
          size = summary.getLength();
        }
      } catch (FileNotFoundException e) {
        continue;
      }
      if (fs.delete(s.getPath(), true)) {
        LOG.info("Reclaimed {} ({} bytes), left by a job that did not finish", s.getPath(), size);
        count++;
        bytes += size;
      }
    }
    return new Reclaimed(count, bytes);
  }

  /** The newest modification time of the files under {@code dir}, and their total length. */
  private static long[] newestAndSize(FileSystem fs, org.apache.hadoop.fs.Path dir) throws IOException {
    long newest = 0;
    long size = 0;
    org.apache.hadoop.fs.RemoteIterator<org.apache.hadoop.fs.LocatedFileStatus> files = fs.listFiles(dir, true);
    while (files.hasNext()) {
      FileStatus f = files.next();
      newest = Math.max(newest, f.getModificationTime());
      size += f.getLen();
    }
    return new long[] {newest, size};
  }

  /**
   * The point or lock a tmp/ entry belongs to ({@code <point>}, {@code <point>.listing}, ...,
   * {@code prune-<lock id>}), or null.
   */
  static String owner(String name) {
    int dot = name.indexOf('.');
    String stem = dot < 0 ? name : name.substring(0, dot);
    if (PointId.isPointId(stem)) {
      return stem;
    }
    int dash = stem.lastIndexOf('-');
    return dash < 0 ? null : stem.substring(dash + 1);
  }
}
