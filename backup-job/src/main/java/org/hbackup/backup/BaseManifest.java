package org.hbackup.backup;

import java.io.Closeable;
import java.io.IOException;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import org.apache.hadoop.fs.FileStatus;
import org.hbackup.common.id.PointId;
import org.hbackup.common.manifest.ManifestEntry;
import org.hbackup.common.manifest.ManifestList;
import org.hbackup.common.manifest.RelativePaths;
import org.hbackup.common.manifest.SegmentReader;
import org.hbackup.common.manifest.SegmentRef;
import org.hbackup.common.repo.Repository;

/**
 * The base point's entries, looked up by path from a map task. The manifest list's path ranges
 * find the one segment that can hold a path; a few decoded segments are kept, least recently used
 * dropped first. A split's paths come from a directory walk, so consecutive lookups mostly fall in
 * the same segment. Memory: the cached segments (at most 8 MiB of entries each).
 */
final class BaseManifest implements Closeable {
  private final Repository repository;
  private final List<SegmentRef> segments;
  private final Map<Integer, Map<String, ManifestEntry>> cache;
  private long segmentsRead;

  BaseManifest(Repository repository, PointId base, int cachedSegments) throws IOException {
    this.repository = repository;
    ManifestList list = repository.readManifest(base);
    this.segments = list.segments();
    this.cache = new LinkedHashMap<>(16, 0.75f, true) {
      private static final long serialVersionUID = 1L;

      @Override
      protected boolean removeEldestEntry(Map.Entry<Integer, Map<String, ManifestEntry>> eldest) {
        return size() > cachedSegments;
      }
    };
  }

  /** The base point's entry for a path, or null when it had none. */
  ManifestEntry find(String path) throws IOException {
    int index = segmentFor(path);
    if (index < 0) {
      return null;
    }
    Map<String, ManifestEntry> entries = cache.get(index);
    if (entries == null) {
      entries = load(segments.get(index));
      cache.put(index, entries);
    }
    return entries.get(path);
  }

  /**
   * The base point's file at {@code basePath} if it has the same length and modification time as
   * {@code status}: a candidate for carrying over unread (where checksums are used, they decide).
   */
  ManifestEntry sameFile(String basePath, FileStatus status) throws IOException {
    ManifestEntry previous = find(basePath);
    if (previous == null || !previous.isFile() || previous.length() != status.getLen()
        || previous.modificationTime() != status.getModificationTime()) {
      return null;
    }
    return previous;
  }

  /** The last segment whose first path is not after {@code path}, if its range holds it. */
  private int segmentFor(String path) {
    int low = 0;
    int high = segments.size() - 1;
    int found = -1;
    while (low <= high) {
      int middle = (low + high) >>> 1;
      if (RelativePaths.compare(segments.get(middle).firstPath(), path) <= 0) {
        found = middle;
        low = middle + 1;
      } else {
        high = middle - 1;
      }
    }
    if (found < 0 || RelativePaths.compare(path, segments.get(found).lastPath()) > 0) {
      return -1;
    }
    return found;
  }

  /** How many times a segment was decoded: each one once if lookups come in path order. */
  long segmentsRead() {
    return segmentsRead;
  }

  private Map<String, ManifestEntry> load(SegmentRef ref) throws IOException {
    segmentsRead++;
    Map<String, ManifestEntry> entries = new HashMap<>((int) Math.min(ref.entries() * 2, 1 << 16));
    try (SegmentReader reader = repository.openSegment(ref.id())) {
      for (ManifestEntry e = reader.next(); e != null; e = reader.next()) {
        entries.put(e.path(), e);
      }
    }
    return entries;
  }

  @Override
  public void close() {
    cache.clear();
  }
}
