package org.hbackup.verify;

import java.io.IOException;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileStatus;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.apache.hadoop.io.BytesWritable;
import org.apache.hadoop.io.MapFile;
import org.apache.hadoop.io.SequenceFile;
import org.apache.hadoop.io.Text;
import org.apache.hadoop.io.Writable;
import org.hbackup.common.DamageException;
import org.hbackup.common.id.ContentId;
import org.hbackup.common.manifest.CrossSegmentTreeCheck;
import org.hbackup.common.manifest.ManifestEntry;
import org.hbackup.common.manifest.RelativePaths;
import org.hbackup.common.manifest.SegmentReader;
import org.hbackup.common.manifest.SegmentTreeSummary;
import org.hbackup.common.repo.Repository;

/**
 * The tree rule across the segments of each checked point, run by the driver after job 1: an
 * entry below a file or symlink that an <em>earlier</em> segment of the point holds, which a
 * restore refuses and which job 1's map tasks, reading each distinct segment once, cannot see.
 * Streams the (segment, point) listing, written in list order, and folds each point's segments'
 * {@link SegmentTreeSummary}s, looked up in job 1's {@code trees} MapFiles by segment id; a
 * segment whose entries lie below such a blocker is read again and each of those entries named,
 * as job 1 names the entries refused inside a segment. Only points of more than one segment are
 * looked at. Memory: one point's fold (a path and one length per character of it), the MapFiles'
 * indexes (one key in 128), a bounded cache of summaries (points share most segments) and the
 * ids of at most as many segments already named as damage (each is named once).
 */
final class SegmentBoundaries {
  /** Summaries kept between points, most recently used. */
  static final int CACHE = 4096;

  private final Configuration conf;
  private final Repository repository;
  private final Map<Integer, MapFile.Reader> readers = new LinkedHashMap<>();
  private final int partitions;
  private final Map<ContentId, SegmentTreeSummary> cache = new LinkedHashMap<>(64, 0.75f, true) {
    @Override
    protected boolean removeEldestEntry(Map.Entry<ContentId, SegmentTreeSummary> eldest) {
      return size() > CACHE;
    }
  };
  private long flagged;
  /** Segments already named as damage (once each, whichever points name them); bounded. */
  private final java.util.Set<ContentId> named = new java.util.HashSet<>();

  private SegmentBoundaries(Configuration conf, Repository repository, int partitions) {
    this.conf = conf;
    this.repository = repository;
    this.partitions = partitions;
  }

  /**
   * Checks every point of {@code segmentPoints} against the summaries under {@code trees} (job 1
   * had {@code partitions} reducers); writes damage as (file, reason) to {@code damage} and each
   * refused entry as an affected file to {@code affected}, creating them only if needed. Returns
   * how many (point, segment) pairs hold such entries.
   */
  static long check(Configuration conf, Repository repository, Path segmentPoints, Path trees, int partitions,
      Path damage, Path affected) throws IOException {
    SegmentBoundaries boundaries = new SegmentBoundaries(conf, repository, partitions);
    try {
      boundaries.open(trees);
      boundaries.fold(segmentPoints, new Outputs(conf, damage, affected));
    } finally {
      for (MapFile.Reader reader : boundaries.readers.values()) {
        reader.close();
      }
    }
    return boundaries.flagged;
  }

  private void open(Path trees) throws IOException {
    FileSystem fs = trees.getFileSystem(conf);
    if (!fs.exists(trees)) {
      return;
    }
    for (FileStatus part : fs.listStatus(trees)) {
      String name = part.getPath().getName();
      int dash = name.lastIndexOf('-');
      if (part.isDirectory() && name.startsWith("part-") && dash > 0) {
        readers.put(Integer.parseInt(name.substring(dash + 1)), new MapFile.Reader(part.getPath(), conf));
      }
    }
  }

  private void fold(Path segmentPoints, Outputs out) throws IOException {
    VerifyKey key = new VerifyKey();
    BytesWritable value = new BytesWritable();
    String point = null;
    String previousLast = null;
    CrossSegmentTreeCheck check = null;
    try (SequenceFile.Reader in = new SequenceFile.Reader(conf, SequenceFile.Reader.file(segmentPoints));
         Outputs closing = out) {
      while (in.next(key, value)) {
        VerifyRecord row = VerifyRecord.decode(value.getBytes(), value.getLength());
        // A new list: another point, or the same point named twice (--point twice).
        if (!row.text1.equals(point) || RelativePaths.compare(previousLast, row.text2) >= 0) {
          point = row.text1;
          check = new CrossSegmentTreeCheck();
        }
        previousLast = row.text3;
        ContentId segment = ContentId.wrap(key.bytes().clone());
        SegmentTreeSummary summary = summary(segment);
        // Damaged or missing, or this list's row is not the segment's (the list's damage, which
        // takes the whole segment from the point): reported by job 1, and named no further here.
        if (summary == null || !summary.first().equals(row.text2) || !summary.last().equals(row.text3)) {
          check.skip(row.text2, row.text3);
          continue;
        }
        List<String> blockers = check.next(summary);
        if (!blockers.isEmpty()) {
          flagged++;
          report(point, segment, blockers, out);
        }
      }
    }
  }

  private SegmentTreeSummary summary(ContentId segment) throws IOException {
    SegmentTreeSummary cached = cache.get(segment);
    if (cached != null) {
      return cached;
    }
    VerifyKey key = new VerifyKey(VerifyKey.SEGMENT, segment.bytes(), (byte) 0);
    MapFile.Reader reader = readers.get(new VerifyKey.GroupPartitioner<BytesWritable>().getPartition(key, null,
        partitions));
    BytesWritable found = new BytesWritable();
    if (reader == null || reader.get(key, found) == null) {
      return null;
    }
    SegmentTreeSummary summary = SegmentTreeSummary.read(new java.io.DataInputStream(
        new java.io.ByteArrayInputStream(found.getBytes(), 0, found.getLength())));
    cache.put(segment, summary);
    return summary;
  }

  /** Names the segment as damaged for the point, and each of its entries below a blocker. */
  private void report(String point, ContentId segment, List<String> blockers, Outputs out) throws IOException {
    String file = repository.layout().segment(segment).toString();
    String blocker = blockers.get(0);
    if (named.size() < CACHE ? named.add(segment) : !named.contains(segment)) {
      out.damage(file, "it holds entries below '" + (blocker.isEmpty() ? "." : blocker) + "', which an earlier"
          + " segment of point " + point + " holds as a file or symlink; a restore refuses them");
    }
    try (SegmentReader entries = repository.openSegment(segment)) {
      for (ManifestEntry e = entries.next(); e != null; e = entries.next()) {
        String above = above(e.path(), blockers);
        if (above != null) {
          out.affected(point, e.path(), "'" + (above.isEmpty() ? "." : above)
              + "' is not a directory in this point; refusing an entry below it");
        }
      }
    } catch (DamageException e) {
      // Read whole by job 1 a moment ago; named as a whole if it no longer reads.
      out.affected(point, "segment " + segment, "its manifest segment is damaged: " + e.getMessage());
    }
  }

  /** The topmost blocker {@code path} lies below, or null. */
  private static String above(String path, List<String> blockers) {
    for (String b : blockers) {
      if (b.isEmpty() ? !path.isEmpty() : path.startsWith(b) && path.length() > b.length()
          && path.charAt(b.length()) == '/') {
        return b;
      }
    }
    return null;
  }

  /** The two reports, each a SequenceFile made on its first record. */
  private static final class Outputs implements AutoCloseable {
    private final Configuration conf;
    private final Path damagePath;
    private final Path affectedPath;
    private SequenceFile.Writer damage;
    private SequenceFile.Writer affected;

    Outputs(Configuration conf, Path damagePath, Path affectedPath) {
      this.conf = conf;
      this.damagePath = damagePath;
      this.affectedPath = affectedPath;
    }

    void damage(String file, String reason) throws IOException {
      if (damage == null) {
        damage = writer(damagePath, Text.class, Text.class);
      }
      damage.append(new Text(file), new Text(reason));
    }

    void affected(String point, String path, String why) throws IOException {
      if (affected == null) {
        affected = writer(affectedPath, VerifyKey.class, BytesWritable.class);
      }
      affected.append(new VerifyKey(VerifyKey.AFFECTED, VerifyJob.affectedKey(point, path), (byte) 0),
          new BytesWritable(VerifyRecord.affected(why)));
    }

    private SequenceFile.Writer writer(Path file, Class<? extends Writable> key, Class<? extends Writable> value)
        throws IOException {
      return SequenceFile.createWriter(conf, SequenceFile.Writer.file(file), SequenceFile.Writer.keyClass(key),
          SequenceFile.Writer.valueClass(value), SequenceFile.Writer.compression(SequenceFile.CompressionType.NONE));
    }

    @Override
    public void close() throws IOException {
      try (SequenceFile.Writer d = damage; SequenceFile.Writer a = affected) {
        // Both closed, their failures thrown (null resources are skipped).
      }
    }
  }
}
