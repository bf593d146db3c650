package org.hbackup.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Random;
import java.util.stream.Stream;

import com.fasterxml.jackson.databind.JsonNode;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.Path;
import org.hbackup.common.id.PointId;
import org.hbackup.common.repo.Repository;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * verify on the embedded default: single bytes flipped at random places of every kind of
 * repository file, one at a time, are all found (the structure check for metadata, --read-data
 * for blob bytes), with the file named and the points and paths they affect; deleted files too;
 * and clean repositories, the golden ones of every format version included, give no false alarm.
 */
class VerifyIT {
  /** Flips per kind of file; each one is a verify run of its own. */
  private static final int FLIPS = 10;

  @TempDir
  static java.nio.file.Path dir;

  private static Configuration conf;
  private static java.nio.file.Path template;
  private static List<String> points;

  enum Kind { PACK_DATA, PACK_HEADER, PACK_TRAILER, INDEX, SEGMENT, MANIFEST_LIST, POINT_RECORD }

  @BeforeAll
  static void backUpTwice() throws Exception {
    conf = new Configuration();
    conf.set("hadoop.tmp.dir", dir.resolve("hadoop-tmp").toString());
    java.nio.file.Path source = dir.resolve("source");
    for (int i = 0; i < 60; i++) {
      java.nio.file.Path f = source.resolve("d" + (i % 5) + "/f" + i + ".txt");
      Files.createDirectories(f.getParent());
      Files.writeString(f, ("verify me " + i + "\n").repeat(20 + i));
    }
    byte[] big = new byte[2_000_000];
    new Random(11).nextBytes(big);
    Files.write(source.resolve("big.bin"), big);
    template = dir.resolve("template");
    assertEquals(0, Cli.run(conf, "backup", "--source", source.toString(), "--repo", template.toUri().toString()).exitCode);
    Files.writeString(source.resolve("d0/f0.txt"), "changed\n");
    assertEquals(0, Cli.run(conf, "backup", "--source", source.toString(), "--repo", template.toUri().toString()).exitCode);
    points = new ArrayList<>();
    Repository.open(new Path(template.toUri()), conf).listPoints().forEach(p -> points.add(p.id().toString()));
  }

  private static Cli.Result verify(java.nio.file.Path repo, String... extra) throws Exception {
    List<String> args = new ArrayList<>(List.of("verify", "--repo", repo.toUri().toString(), "--json"));
    args.addAll(List.of(extra));
    return Cli.run(conf, args.toArray(new String[0]));
  }

  @Test
  void cleanRepositoriesOfEveryFormatVersionGiveNoFalseAlarm() throws Exception {
    List<java.nio.file.Path> repos = new ArrayList<>(List.of(template));
    for (String version : new String[] {"v1", "v2", "v3", "v6"}) {
      java.nio.file.Path copy = dir.resolve("golden-" + version);
      copyTree(java.nio.file.Paths.get(System.getProperty("user.dir")).resolve(
          "../common/src/test/resources/golden/" + version + "/repo").normalize(), copy);
      repos.add(copy);
    }
    for (java.nio.file.Path repo : repos) {
      Cli.Result r = verify(repo, "--read-data");
      assertEquals(0, r.exitCode, repo + ": " + r);
      JsonNode report = r.json();
      assertFalse(report.get("damage").asBoolean());
      assertTrue(report.get("blobsRead").asLong() > 0);
      assertTrue(report.get("chunksReferenced").asLong() > 0);
    }
    Cli.Result latest = verify(template, "--point", "latest", "--read-data-subset", "1/2");
    assertEquals(0, latest.exitCode, latest.toString());
    assertEquals(1, latest.json().get("points").asLong());
  }

  /**
   * Split into many small tasks, verify reads every pack exactly once: the same figures as one
   * task (a split's reader must stop at its own byte range, whatever its weight says).
   */
  @Test
  void manySplitsReadEveryPackOnce() throws Exception {
    JsonNode one = verify(template, "--read-data").json();
    Cli.Result split = Cli.run(conf, "verify", "-D", "hbackup.verify.min.split.bytes=1", "-D",
        "hbackup.verify.max.maps=50", "--repo", template.toUri().toString(), "--read-data", "--json");
    assertEquals(0, split.exitCode, split.toString());
    JsonNode many = split.json();
    for (String field : new String[] {"packs", "blobsRead", "bytesRead", "indexRows", "chunksReferenced"}) {
      assertEquals(one.get(field).asLong(), many.get(field).asLong(), field + ": " + many);
    }
    assertFalse(many.get("damage").asBoolean());
  }

  @ParameterizedTest
  @EnumSource(Kind.class)
  void everyFlippedByteIsFoundAndNamed(Kind kind) throws Exception {
    Random random = new Random(kind.ordinal() * 7919L + 17);
    for (int i = 0; i < FLIPS; i++) {
      java.nio.file.Path repo = dir.resolve("flip-" + kind + "-" + i);
      copyTree(template, repo);
      java.nio.file.Path file = fileOf(kind, repo, random);
      byte[] bytes = Files.readAllBytes(file);
      int at = position(kind, bytes, random);
      bytes[at] ^= (byte) (1 << random.nextInt(8));
      Files.write(file, bytes);
      Cli.Result r = kind == Kind.PACK_DATA ? verify(repo, "--read-data") : verify(repo);
      String what = kind + " byte " + at + " of " + file.getFileName() + ": ";
      assertEquals(3, r.exitCode, what + r);
      JsonNode report = r.json();
      List<String> damaged = new ArrayList<>();
      report.get("damaged").forEach(d -> damaged.add(d.get("file").asText()));
      assertTrue(damaged.stream().anyMatch(d -> d.endsWith(file.getFileName().toString())),
          what + "the file is named among " + damaged);
      if (kind == Kind.PACK_DATA || kind == Kind.SEGMENT || kind == Kind.MANIFEST_LIST || kind == Kind.POINT_RECORD) {
        assertTrue(report.get("affected").size() > 0, what + "the affected paths are listed: " + report);
      }
    }
  }

  /** A damaged manifest list that two points share is named once, and both points are affected. */
  @Test
  void aDamagedSharedManifestListIsNamedOnceAndAffectsEveryPointThatNamesIt() throws Exception {
    java.nio.file.Path repo = dir.resolve("shared-list");
    copyTree(template, repo);
    assertEquals(0, Cli.run(conf, "backup", "--source", dir.resolve("source").toString(), "--repo",
        repo.toUri().toString()).exitCode);
    Repository repository = Repository.open(new Path(repo.toUri()), conf);
    List<org.hbackup.common.point.PointRecord> all = repository.listPoints();
    assertEquals(3, all.size());
    assertEquals(all.get(1).manifestList(), all.get(2).manifestList(), "the unchanged tree's point shares the list");
    java.nio.file.Path list = repo.resolve(all.get(2).manifestPath());
    byte[] bytes = Files.readAllBytes(list);
    bytes[bytes.length / 3] ^= 4;
    Files.write(list, bytes);
    Cli.Result r = verify(repo);
    assertEquals(3, r.exitCode, r.toString());
    JsonNode report = r.json();
    List<String> damaged = new ArrayList<>();
    report.get("damaged").forEach(d -> damaged.add(d.get("file").asText()));
    assertEquals(1, damaged.size(), damaged.toString());
    assertTrue(damaged.get(0).endsWith(list.getFileName().toString()), damaged.toString());
    assertEquals(2, report.get("affectedPoints").asLong(), report.toString());
    assertEquals(1, report.get("damagedPointFiles").asLong(), "the figure was never counted: " + report);
  }

  @Test
  void deletedFilesAreFoundWithWhatTheyTakeAlong() throws Exception {
    for (Kind kind : new Kind[] {Kind.PACK_DATA, Kind.INDEX, Kind.SEGMENT}) {
      java.nio.file.Path repo = dir.resolve("deleted-" + kind);
      copyTree(template, repo);
      java.nio.file.Path deleted = fileOf(kind, repo, new Random(1));
      long entries = kind == Kind.SEGMENT ? entriesOfSegment(repo, deleted) : 0;
      Files.delete(deleted);
      Cli.Result r = verify(repo);
      assertEquals(3, r.exitCode, kind + ": " + r);
      JsonNode report = r.json();
      assertTrue(report.get("affectedFiles").asLong() > 0, kind + ": " + report);
      if (kind == Kind.SEGMENT) {
        // Every entry of the segment is lost to each point naming it; before, one file per point.
        assertEquals(entries, report.get("affectedFiles").asLong(), report.toString());
      }
      assertTrue(report.get("affectedPoints").asLong() >= 1, kind + ": " + report);
      assertTrue(r.stderr.contains("cannot be restored"), r.stderr);
    }
  }

  /** The entries the points' manifest lists give a segment file, summed over the points that name it. */
  private long entriesOfSegment(java.nio.file.Path repo, java.nio.file.Path segment) throws Exception {
    Repository repository = Repository.open(new Path(repo.toUri()), conf);
    String name = segment.getFileName().toString();
    long entries = 0;
    for (org.hbackup.common.point.PointRecord point : repository.listPoints()) {
      for (org.hbackup.common.manifest.SegmentRef row : repository.readManifest(point).segments()) {
        if (name.startsWith(row.id().toString())) {
          entries += row.entries();
        }
      }
    }
    assertTrue(entries > 1, "the segment holds entries: " + entries);
    return entries;
  }

  /**
   * A damage record (left by a restore that found a bad blob) is damage to a verify that does not
   * read the pack again: reported with the record's reason and the files of the recorded chunk.
   * Before, verify said "No damage" while restores of those files failed. A --read-data verify
   * reads the pack and says what is true now.
   */
  @Test
  void aDamageRecordIsReportedUntilThePackIsReadAgain() throws Exception {
    java.nio.file.Path repo = dir.resolve("damage-record");
    copyTree(template, repo);
    Repository repository = Repository.open(new Path(repo.toUri()), conf);
    java.nio.file.Path pack = largest(repo.resolve("packs"), ".pack");
    org.hbackup.common.id.PackId id = org.hbackup.common.id.PackId.parse(
        pack.getFileName().toString().replace(".pack", ""));
    org.hbackup.common.id.ContentId chunk;
    try (org.hbackup.common.pack.PackReader reader = new org.hbackup.common.pack.PackReader(
        repository.fileSystem().open(new Path(pack.toUri())), Files.size(pack), pack.toString())) {
      chunk = reader.entries().get(0).chunkId();
    }
    org.hbackup.common.repo.DamageRecords.record(repository, id, chunk, "chunk read back as something else");

    Cli.Result r = verify(repo);
    assertEquals(3, r.exitCode, r.toString());
    JsonNode report = r.json();
    JsonNode damaged = report.get("damaged").get(0);
    assertTrue(damaged.get("file").asText().endsWith(pack.getFileName().toString()), report.toString());
    assertTrue(damaged.get("reason").asText().contains("chunk read back as something else"), report.toString());
    assertEquals(0, report.get("affectedFiles").asLong(),
        "the recorded blob is read again and reads back: no file is called lost on the record alone: " + report);

    Cli.Result reread = verify(repo, "--read-data");
    assertEquals(0, reread.exitCode, "read again, the pack is whole: " + reread);
    assertEquals(3, verify(repo).exitCode, "verify changes nothing: the record stands");

    Cli.Result repair = Cli.run(conf, "repair", "index", "--repo", repo.toUri().toString(), "--read-data", "--json");
    assertEquals(0, repair.exitCode, repair.toString());
    assertEquals(1, repair.json().get("damageRecordsRemoved").asLong(), repair.toString());
    assertEquals(0, verify(repo).exitCode, "the record of the whole pack is gone");
  }

  /**
   * Restore opens a pack only at its own place ({@code packs/<first byte>/<id>.pack}); a pack
   * moved to another fan-out directory or renamed in upper case is missing to it, so verify
   * (and repair index) must not vouch for it there.
   */
  /**
   * verify takes a shared lock and runs beside backups: a backup that publishes a pack and its
   * index file while verify lists the repository is no damage. verify listed packs before index
   * files, and named the new pack "missing" (exit 3).
   */
  @Test
  void aBackupPublishingWhileVerifyListsIsNoDamage() throws Exception {
    java.nio.file.Path repo = dir.resolve("beside-a-backup");
    copyTree(template, repo);
    java.nio.file.Path source = dir.resolve("beside-a-backup-source");
    Files.createDirectories(source);
    byte[] data = new byte[300_000];
    new Random(5).nextBytes(data);
    Files.write(source.resolve("new.bin"), data);
    Cli.Result r = Cli.runPausedAt(conf, "verify.listing", dir, () -> assertEquals(0, Cli.run(conf, "backup",
        "--source", source.toString(), "--repo", repo.toUri().toString()).exitCode),
        "verify", "--repo", repo.toUri().toString(), "--json");
    assertEquals(0, r.exitCode, r.toString());
    assertEquals(0, verify(repo, "--read-data").exitCode, "and the repository is clean");
  }

  @Test
  void aPackAnywhereButItsOwnPlaceIsMissing() throws Exception {
    for (String how : new String[] {"other-fan-out", "upper-case"}) {
      java.nio.file.Path repo = dir.resolve("moved-pack-" + how);
      copyTree(template, repo);
      java.nio.file.Path pack = largest(repo.resolve("packs"), ".pack");
      String stem = pack.getFileName().toString().replace(".pack", "");
      java.nio.file.Path moved = how.equals("upper-case")
          ? pack.resolveSibling(stem.toUpperCase(java.util.Locale.ROOT) + ".pack")
          : repo.resolve("packs").resolve(stem.startsWith("ff") ? "fe" : "ff").resolve(pack.getFileName());
      Files.createDirectories(moved.getParent());
      Files.move(pack, moved);
      Cli.Result r = verify(repo, "--read-data");
      assertEquals(3, r.exitCode, how + ": " + r);
      List<String> damaged = new ArrayList<>();
      r.json().get("damaged").forEach(d -> damaged.add(d.get("file").asText()));
      assertTrue(damaged.stream().anyMatch(d -> d.endsWith(stem + ".pack") && !d.contains(moved.toString())),
          how + ": the pack's own place is named missing: " + damaged);
      assertTrue(r.json().get("affectedFiles").asLong() > 0, how + ": " + r.json());
    }
  }

  /**
   * An index file whose Bloom filter turns its own rows away (all bits cleared, the file renamed
   * to its new hash, so that nothing else gives it away): restore never finds those rows. verify
   * used to join them anyway and say "No damage".
   */
  @Test
  void anIndexFileWhoseBloomFilterTurnsItsRowsAwayIsDamaged() throws Exception {
    java.nio.file.Path repo = dir.resolve("bloom-lies");
    copyTree(template, repo);
    java.nio.file.Path index = largest(repo.resolve("index"), ".idx");
    long rows;
    try (org.hbackup.common.index.IndexFileReader reader = new org.hbackup.common.index.IndexFileReader(
        Repository.open(new Path(repo.toUri()), conf).fileSystem().open(new Path(index.toUri())), Files.size(index),
        index.toString())) {
      rows = reader.entries();
    }
    byte[] bytes = Files.readAllBytes(index);
    int words = (int) (8 + 64 * rows + 2048 + 6); // header, rows, fanout, the filter's own header
    java.util.Arrays.fill(bytes, words, bytes.length - 36, (byte) 0);
    Files.delete(index);
    Files.write(index.resolveSibling(org.hbackup.common.id.ContentId.of(bytes).toHex() + ".idx"), bytes);

    Cli.Result r = verify(repo);
    assertEquals(3, r.exitCode, r.toString());
    JsonNode report = r.json();
    assertTrue(report.get("damaged").toString().contains("Bloom filter turns away"), report.toString());
    assertTrue(report.get("affectedFiles").asLong() > 0, "its chunks are not indexed for a restore: " + report);
    Cli.Result restore = Cli.run(conf, "restore", "--repo", repo.toUri().toString(), "--point", "latest",
        "--target", dir.resolve("bloom-lies-restored").toUri().toString());
    assertEquals(3, restore.exitCode, "what verify says, restore finds: " + restore);
  }

  /** A file of the kind: the largest pack (it holds the random file), the largest index file, a segment. */
  private static java.nio.file.Path fileOf(Kind kind, java.nio.file.Path repo, Random random) throws IOException {
    String latest = points.get(points.size() - 1);
    switch (kind) {
      case PACK_DATA:
      case PACK_HEADER:
      case PACK_TRAILER:
        return largest(repo.resolve("packs"), ".pack");
      case INDEX:
        return largest(repo.resolve("index"), ".idx");
      case SEGMENT:
        List<java.nio.file.Path> segments;
        try (Stream<java.nio.file.Path> walk = Files.walk(repo.resolve("manifests/segments"))) {
          segments = walk.filter(p -> p.toString().endsWith(".seg")).sorted().toList();
        }
        return segments.get(random.nextInt(segments.size()));
      case MANIFEST_LIST:
        return repo.resolve(org.hbackup.common.repo.Repository.open(new Path(repo.toUri()), conf)
            .readPoint(org.hbackup.common.id.PointId.parse(latest)).manifestPath());
      default:
        return repo.resolve("points/" + latest + ".json");
    }
  }

  /** Where to flip: pack data between the header and the trailer; header or trailer and footer; anywhere else. */
  private static int position(Kind kind, byte[] bytes, Random random) {
    long trailer = ByteBuffer.wrap(bytes, bytes.length - 44, 8).getLong();
    switch (kind) {
      case PACK_DATA:
        return 24 + random.nextInt((int) trailer - 24);
      case PACK_HEADER:
        return random.nextInt(24);
      case PACK_TRAILER:
        return (int) trailer + random.nextInt(bytes.length - (int) trailer);
      default:
        return random.nextInt(bytes.length);
    }
  }

  private static java.nio.file.Path largest(java.nio.file.Path under, String suffix) throws IOException {
    try (Stream<java.nio.file.Path> walk = Files.walk(under)) {
      return walk.filter(p -> p.toString().endsWith(suffix)).max(Comparator.comparingLong(p -> p.toFile().length()))
          .orElseThrow();
    }
  }

  static void copyTree(java.nio.file.Path from, java.nio.file.Path to) throws IOException {
    try (Stream<java.nio.file.Path> walk = Files.walk(from)) {
      for (java.nio.file.Path p : walk.toList()) {
        java.nio.file.Path target = to.resolve(from.relativize(p).toString());
        if (Files.isDirectory(p)) {
          Files.createDirectories(target);
        } else {
          Files.copy(p, target, StandardCopyOption.COPY_ATTRIBUTES);
        }
      }
    }
  }

  static PointId latest(java.nio.file.Path repo) throws IOException {
    return Repository.open(new Path(repo.toUri()), conf).latestPoint().id();
  }
}
