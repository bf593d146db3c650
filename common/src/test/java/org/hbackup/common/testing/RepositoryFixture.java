package org.hbackup.common.testing;

import java.io.IOException;
import java.io.OutputStream;
import java.util.List;
import java.util.TreeMap;

import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.hbackup.common.compress.BlobCodec;
import org.hbackup.common.compress.Compression;
import org.hbackup.common.id.ContentId;
import org.hbackup.common.id.PackId;
import org.hbackup.common.id.PointId;
import org.hbackup.common.manifest.ManifestEntry;
import org.hbackup.common.manifest.ManifestWriter;
import org.hbackup.common.index.IndexEntry;
import org.hbackup.common.index.IndexWriter;
import org.hbackup.common.pack.PackEntry;
import org.hbackup.common.pack.PackWriter;
import org.hbackup.common.repo.Repository;
import org.hbackup.common.repo.RepositoryConfig;

/** A repository for tests, with a way to store chunks without running a backup. */
public final class RepositoryFixture {
  private final Repository repository;
  private final Configuration conf;

  private RepositoryFixture(Repository repository, Configuration conf) {
    this.repository = repository;
    this.conf = conf;
  }

  public static RepositoryFixture create(Path root, Configuration conf) throws IOException {
    return new RepositoryFixture(Repository.init(root, RepositoryConfig.create(Compression.ZSTD), conf), conf);
  }

  public Repository repository() {
    return repository;
  }

  /** Writes a full point of these entries (segments, manifest list, record); returns its id. */
  public PointId writeManifest(List<ManifestEntry> entries) throws IOException {
    return writeManifest(entries, b -> b);
  }

  /**
   * Writes a point of these entries: segments, its content-addressed manifest list, and a record
   * (a full point of source {@code file:/fixture} unless {@code record} changes it).
   */
  public PointId writeManifest(List<ManifestEntry> entries,
      java.util.function.UnaryOperator<org.hbackup.common.point.PointRecord.Builder> record) throws IOException {
    FileSystem fs = repository.fileSystem();
    PointId point = PointId.create(java.time.Instant.now());
    ManifestWriter writer = new ManifestWriter((id, bytes, length) -> {
      try (OutputStream out = fs.create(repository.layout().segment(id), true)) {
        out.write(bytes, 0, length);
      }
    });
    for (ManifestEntry e : entries) {
      writer.add(e);
    }
    org.hbackup.common.manifest.ManifestList list = writer.finish();
    try (OutputStream out = fs.create(repository.layout().manifestList(list.contentId()), true)) {
      out.write(list.toJson());
    }
    org.hbackup.common.point.PointRecord r = record.apply(org.hbackup.common.point.PointRecord
        .builder(point, org.hbackup.common.point.PointType.FULL).source("file:/fixture")
        .completed(java.time.Instant.now()).totals(list.totals().files(), list.totals().directories(),
            list.totals().symlinks(), list.totals().bytes())).manifestList(list.contentId()).build();
    try (OutputStream out = fs.create(repository.layout().point(point), true)) {
      out.write(r.toJson());
    }
    return point;
  }

  /** Stores the chunks in one new pack and one new index file; returns their ids. */
  public List<ContentId> store(List<byte[]> chunks) throws IOException {
    FileSystem fs = repository.fileSystem();
    PackId pack = PackId.random();
    TreeMap<ContentId, IndexEntry> rows = new TreeMap<>();
    try (BlobCodec codec = new BlobCodec(Compression.ZSTD, 1, conf);
         OutputStream out = fs.create(repository.layout().pack(pack))) {
      PackWriter writer = new PackWriter(pack, out);
      for (byte[] c : chunks) {
        ContentId id = ContentId.of(c);
        byte[] blob = codec.encode(c, 0, c.length);
        PackEntry e = writer.add(id, blob, 0, codec.encodedLength(), c.length);
        rows.put(id, new IndexEntry(id, pack, e.offset(), e.storedLength(), e.rawLength()));
      }
      writer.close();
    }
    writeIndex(rows);
    return List.copyOf(rows.keySet());
  }

  /** Publishes one index file of these rows, whatever they say (a hostile repository's). */
  public void writeIndex(TreeMap<ContentId, IndexEntry> rows) throws IOException {
    FileSystem fs = repository.fileSystem();
    Path partial = new Path(repository.layout().tmpDir(), "fixture.idx");
    ContentId name;
    try (OutputStream out = fs.create(partial); IndexWriter writer = new IndexWriter(out, rows.size())) {
      for (IndexEntry e : rows.values()) {
        writer.add(e);
      }
      name = writer.finish();
    }
    fs.rename(partial, repository.layout().index(name));
  }
}
