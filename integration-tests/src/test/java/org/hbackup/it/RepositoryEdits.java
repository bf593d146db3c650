package org.hbackup.it;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.function.UnaryOperator;

import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.hbackup.common.id.ContentId;
import org.hbackup.common.id.PointId;
import org.hbackup.common.manifest.ManifestEntry;
import org.hbackup.common.manifest.ManifestEntryCodec;
import org.hbackup.common.manifest.ManifestList;
import org.hbackup.common.manifest.ManifestReader;
import org.hbackup.common.manifest.ManifestTotals;
import org.hbackup.common.manifest.ManifestWriter;
import org.hbackup.common.manifest.RelativePaths;
import org.hbackup.common.manifest.SegmentRef;
import org.hbackup.common.point.PointRecord;
import org.hbackup.common.point.PointType;
import org.hbackup.common.repo.Repository;

/**
 * Writes what an attacker or a broken writer would into a repository: points whose entries were
 * edited after the backup, and segments no honest writer makes. Every file is well formed where
 * it has to be (names match contents), so only the checks under test can refuse it.
 */
final class RepositoryEdits {
  private RepositoryEdits() {
  }

  /** All entries of a point, in manifest order. */
  static List<ManifestEntry> entries(Repository repository, PointId point) throws IOException {
    List<ManifestEntry> entries = new ArrayList<>();
    try (ManifestReader reader = ManifestReader.all(repository::openSegment, repository.readManifest(point))) {
      for (ManifestEntry e = reader.next(); e != null; e = reader.next()) {
        entries.add(e);
      }
    }
    return entries;
  }

  /**
   * Publishes a new full point whose entries are {@code edit} applied to those of {@code from},
   * sorted into manifest order; returns its id.
   */
  static PointId rewrite(Repository repository, PointId from, UnaryOperator<List<ManifestEntry>> edit)
      throws IOException {
    List<ManifestEntry> entries = new ArrayList<>(edit.apply(entries(repository, from)));
    entries.sort((a, b) -> RelativePaths.compare(a.path(), b.path()));
    ManifestWriter writer = new ManifestWriter((id, bytes, length) -> write(repository, repository.layout().segment(id),
        java.util.Arrays.copyOf(bytes, length)));
    for (ManifestEntry e : entries) {
      writer.add(e);
    }
    return publish(repository, writer.finish());
  }

  /** Publishes a manifest list (under its content's name) as a new full point with a matching record. */
  static PointId publish(Repository repository, ManifestList list) throws IOException {
    PointId point = PointId.create(Instant.now());
    write(repository, repository.layout().manifestList(list.contentId()), list.toJson());
    PointRecord record = PointRecord.builder(point, PointType.FULL).source("file:/hostile")
        .completed(Instant.now())
        .totals(list.totals().files(), list.totals().directories(), list.totals().symlinks(), list.totals().bytes())
        .manifestList(list.contentId()).build();
    write(repository, repository.layout().point(point), record.toJson());
    return point;
  }

  /** Writes a segment holding exactly these entries, encoded as given (no path check). */
  static SegmentRef rawSegment(Repository repository, List<byte[]> encodedEntries, String first, String last)
      throws IOException {
    java.io.ByteArrayOutputStream body = new java.io.ByteArrayOutputStream();
    for (byte[] e : encodedEntries) {
      body.write(e);
    }
    byte[] raw = body.toByteArray();
    byte[] file = ByteBuffer.allocate(20 + raw.length).put("HBMS".getBytes(StandardCharsets.US_ASCII))
        .putShort((short) org.hbackup.common.manifest.ManifestEntryCodec.CURRENT).put((byte) 0).put((byte) 0)
        .putInt(encodedEntries.size()).putLong(raw.length)
        .put(raw).array();
    ContentId id = ContentId.of(file);
    write(repository, repository.layout().segment(id), file);
    return new SegmentRef(id, first, last, encodedEntries.size(), 0, 0);
  }

  /** The encoding of an entry, with its path replaced by {@code path}, unchecked. */
  static byte[] withRawPath(ManifestEntry e, String path) throws IOException {
    byte[] encoded = ManifestEntryCodec.toBytes(e);
    byte[] oldPath = e.path().getBytes(StandardCharsets.UTF_8);
    byte[] newPath = path.getBytes(StandardCharsets.UTF_8);
    ByteBuffer out = ByteBuffer.allocate(encoded.length - oldPath.length + newPath.length);
    out.put(encoded[0]).putInt(newPath.length).put(newPath);
    out.put(encoded, 1 + 4 + oldPath.length, encoded.length - 1 - 4 - oldPath.length);
    return out.array();
  }

  /** A manifest list naming {@code segments} in this order, for a new point. */
  static ManifestList list(List<SegmentRef> segments, long files, long directories) {
    return new ManifestList(segments, new ManifestTotals(files, directories, 0, 0));
  }

  static void write(Repository repository, Path path, byte[] bytes) throws IOException {
    FileSystem fs = repository.fileSystem();
    fs.mkdirs(path.getParent());
    try (OutputStream out = fs.create(path, true)) {
      out.write(bytes);
    }
  }
}
