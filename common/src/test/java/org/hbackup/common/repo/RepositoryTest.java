package org.hbackup.common.repo;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Instant;
import java.util.List;
import java.util.stream.Stream;

import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.Path;
import org.hbackup.common.HbackupException;
import org.hbackup.common.compress.Compression;
import org.hbackup.common.id.ContentId;
import org.hbackup.common.id.PointId;
import org.hbackup.common.manifest.EntryType;
import org.hbackup.common.manifest.ManifestEntry;
import org.hbackup.common.point.PointRecord;
import org.hbackup.common.testing.RepositoryFixture;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class RepositoryTest {
  @TempDir
  java.nio.file.Path dir;

  private final Configuration conf = new Configuration();

  private Path path(String name) {
    return new Path(dir.resolve(name).toUri());
  }

  @Test
  void aNewRepositoryIsReadableByItsOwnerOnlyWhateverTheUmask() throws IOException {
    Configuration open = new Configuration(conf);
    open.set("fs.permissions.umask-mode", "000");
    RepositoryFixture.create(path("repo"), open);
    try (Stream<java.nio.file.Path> walk = Files.walk(dir.resolve("repo"))) {
      for (java.nio.file.Path p : walk.toList()) {
        assertEquals(Files.isDirectory(p) ? "rwx------" : "rw-------",
            PosixFilePermissions.toString(Files.getPosixFilePermissions(p)), p.toString());
      }
    }
  }

  @Test
  void initTakesOverWhatAKilledCreationLeftButNothingElse() throws IOException {
    java.nio.file.Path half = dir.resolve("half");
    for (String d : new String[] {"packs", "index", "manifests/segments", "manifests/lists", "points", "tmp"}) {
      Files.createDirectories(half.resolve(d));
    }
    Files.write(half.resolve("tmp/.config.json.12345.tmp"), new byte[] {'{'});
    assertTrue(Repository.isUnfinished(path("half"), conf));
    Repository.init(path("half"), RepositoryConfig.create(Compression.ZSTD), conf);
    assertTrue(Repository.exists(path("half"), conf));

    java.nio.file.Path other = dir.resolve("other");
    Files.createDirectories(other.resolve("packs"));
    Files.write(other.resolve("packs/notes.txt"), new byte[] {1});
    assertFalse(Repository.isUnfinished(path("other"), conf));
    assertThrows(HbackupException.class, () -> Repository.init(path("other"), RepositoryConfig.create(Compression.ZSTD), conf));
    assertTrue(Files.exists(other.resolve("packs/notes.txt")));
  }

  @Test
  void aDamagedPointRecordIsReportedAndTheOthersListed() throws IOException {
    RepositoryFixture fixture = RepositoryFixture.create(path("repo"), conf);
    Repository repository = fixture.repository();
    PointId good = fixture.writeManifest(List.of(ManifestEntry.builder(EntryType.DIRECTORY, "").build()));
    PointId broken = PointId.create(Instant.now().plusSeconds(5));
    Files.write(dir.resolve("repo/points/" + broken + ".json"), "{\"format\": \"hbackup-po".getBytes());
    PointScan scan = repository.scanPoints();
    assertEquals(List.of(good), scan.points().stream().map(PointRecord::id).toList());
    assertEquals(1, scan.unreadable().size());
    assertTrue(scan.unreadable().get(0).file().endsWith(broken + ".json"));
    assertEquals(good, repository.latestPoint().id(), "latest skips the damaged record");
  }

  @Test
  void reclaimsStagingNoLiveLockOwnsOnceItIsOld() throws IOException {
    Repository repository = RepositoryFixture.create(path("repo"), conf).repository();
    PointId dead = PointId.create(Instant.now());
    PointId running = PointId.create(Instant.now().plusSeconds(1));
    Files.createDirectories(dir.resolve("repo/tmp/" + dead + "/packs"));
    Files.write(dir.resolve("repo/tmp/" + dead + "/packs/x.pack"), new byte[1000]);
    Files.write(dir.resolve("repo/tmp/" + dead + ".listing"), new byte[10]);
    Files.createDirectories(dir.resolve("repo/tmp/" + running));
    Files.write(dir.resolve("repo/tmp/fresh-scratch.tmp"), new byte[1]);
    Configuration now = new Configuration(conf);
    now.setLong(TmpReclaimer.GRACE, 0);
    try (RepositoryLock lock = RepositoryLock.acquire(repository, RepositoryLock.Mode.SHARED, "backup", running, now)) {
      TmpReclaimer.Reclaimed reclaimed = TmpReclaimer.reclaim(repository, now);
      assertEquals(3, reclaimed.entries());
      assertEquals(1011, reclaimed.bytes());
      assertTrue(Files.exists(dir.resolve("repo/tmp/" + running)), "a live lock's staging is never touched");
      assertFalse(Files.exists(dir.resolve("repo/tmp/" + dead)));
    }
    Files.write(dir.resolve("repo/tmp/young.tmp"), new byte[1]);
    assertEquals(0, TmpReclaimer.reclaim(repository, conf).entries(), "younger than the grace period: kept");
  }

  @Test
  void aPrunesStagingNamedAfterItsLiveLockIsKeptAndReclaimedOnceTheLockIsGone() throws IOException {
    Repository repository = RepositoryFixture.create(path("repo"), conf).repository();
    Configuration now = new Configuration(conf);
    now.setLong(TmpReclaimer.GRACE, 0);
    RepositoryLock prune = RepositoryLock.acquire(repository, RepositoryLock.Mode.EXCLUSIVE, "prune", null, now);
    java.nio.file.Path staging = dir.resolve("repo/tmp/prune-" + prune.holder().id());
    Files.createDirectories(staging.resolve("packs"));
    Files.write(staging.resolve("packs/x.pack"), new byte[100]);
    assertEquals(0, TmpReclaimer.reclaim(repository, now).entries(), "a live prune's staging is never touched");
    assertTrue(Files.exists(staging.resolve("packs/x.pack")));
    prune.close();
    assertEquals(1, TmpReclaimer.reclaim(repository, now).entries(), "its lock gone, it is a dead job's leftover");
    assertFalse(Files.exists(staging));
  }

  /**
   * A hostile repository whose locks/ or tmp/ is a link to a directory elsewhere: taking a lock
   * (every command) and reclaiming tmp/ (backup, prune) refuse it as damage and remove nothing
   * there. Before, a restore removed the old files of the linked directory as stale locks.
   */
  @Test
  void removesNothingThroughALinkedLocksOrTmpDirectory() throws IOException {
    for (String linked : List.of("locks", "tmp")) {
      Repository repository = RepositoryFixture.create(path("repo-" + linked), conf).repository();
      java.nio.file.Path victim = Files.createDirectories(dir.resolve("victim-" + linked));
      Files.writeString(victim.resolve("notes.txt"), "x");
      Files.writeString(victim.resolve("settings.json"), "{}");
      for (java.nio.file.Path f : List.of(victim.resolve("notes.txt"), victim.resolve("settings.json"))) {
        Files.setLastModifiedTime(f, java.nio.file.attribute.FileTime.from(Instant.now().minusSeconds(7200)));
      }
      java.nio.file.Path inRepo = dir.resolve("repo-" + linked + "/" + linked);
      if (Files.exists(inRepo)) {
        try (Stream<java.nio.file.Path> walk = Files.walk(inRepo)) {
          walk.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        }
      }
      Files.createSymbolicLink(inRepo, victim);
      Configuration now = new Configuration(conf);
      now.setLong(TmpReclaimer.GRACE, 0);
      org.hbackup.common.DamageException e = assertThrows(org.hbackup.common.DamageException.class,
          () -> RepositoryLock.acquire(repository, RepositoryLock.Mode.SHARED, "restore", null, now));
      assertTrue(e.getMessage().contains("symbolic link"), e.getMessage());
      assertThrows(org.hbackup.common.DamageException.class, () -> TmpReclaimer.reclaim(repository, now));
      assertThrows(org.hbackup.common.DamageException.class, () -> RepositoryLock.list(repository));
      assertTrue(Files.exists(victim.resolve("notes.txt")) && Files.exists(victim.resolve("settings.json")), linked);
    }
  }

  /** A FIFO among the point records is reported as unreadable; before, listing points waited on it forever. */
  @Test
  @org.junit.jupiter.api.Timeout(60)
  void aFifoAmongThePointRecordsIsUnreadableNotWaitedOn() throws Exception {
    Repository repository = RepositoryFixture.create(path("repo-fifo"), conf).repository();
    java.nio.file.Path fifo = dir.resolve("repo-fifo/points/20991231T000000000Z-0badf00d.json");
    Process mkfifo = new ProcessBuilder("mkfifo", fifo.toString()).start();
    assertEquals(0, mkfifo.waitFor());
    PointScan scan = repository.scanPoints();
    assertEquals(1, scan.unreadable().size());
    assertTrue(scan.unreadable().get(0).reason().contains("not a regular file"), scan.unreadable().toString());
    Files.move(fifo, dir.resolve("repo-fifo/locks-fifo"));
    Files.createDirectories(dir.resolve("repo-fifo/locks"));
    Files.move(dir.resolve("repo-fifo/locks-fifo"), dir.resolve("repo-fifo/locks/0123.json"));
    List<RepositoryLock.Holder> locks = RepositoryLock.list(repository);
    assertEquals(1, locks.size(), "an unreadable lock, not a wait");
    assertEquals(RepositoryLock.Mode.EXCLUSIVE, locks.get(0).mode());
  }

  /**
   * A FIFO where a segment, manifest list, pack or index file belongs is damage, named; before,
   * restore and verify opened it and waited for a writer forever.
   */
  @Test
  @org.junit.jupiter.api.Timeout(60)
  void aFifoWhereARepositoryFileBelongsIsDamageNotWaitedOn() throws Exception {
    RepositoryFixture fixture = RepositoryFixture.create(path("repo-fifos"), conf);
    byte[] data = "fifo chunk".getBytes();
    ContentId chunk = fixture.store(List.of(data)).get(0);
    PointId point = fixture.writeManifest(List.of(ManifestEntry.builder(EntryType.FILE, "a.txt")
        .length(data.length).fileHash(chunk)
        .chunks(List.of(new org.hbackup.common.manifest.ChunkRef(chunk, data.length))).build()));
    Repository repository = Repository.open(path("repo-fifos"), conf);
    PointRecord record = repository.readPoint(point);
    org.hbackup.common.manifest.ManifestList list = repository.readManifest(record);
    org.hbackup.common.manifest.SegmentRef segment = list.segments().get(0);
    org.hbackup.common.index.IndexEntry row = repository.openChunkIndex().lookup(chunk);

    replaceWithFifo(repository.layout().segment(segment.id()));
    assertThrows(org.hbackup.common.FormatException.class, () -> repository.openSegment(segment));
    replaceWithFifo(repository.layout().manifestOf(record));
    assertThrows(org.hbackup.common.FormatException.class, () -> repository.readManifest(record));
    replaceWithFifo(repository.layout().pack(row.packId()));
    try (ChunkReader reader = new ChunkReader(repository, conf)) {
      assertThrows(org.hbackup.common.DamageException.class, () -> reader.read(chunk, data.length));
    }
    try (java.util.stream.Stream<java.nio.file.Path> index = Files.list(dir.resolve("repo-fifos/index"))) {
      replaceWithFifo(new Path(index.findFirst().orElseThrow().toUri()));
    }
    try (org.hbackup.common.index.ChunkIndex opened = repository.openChunkIndex()) {
      assertEquals(1, opened.unreadable().size(), "an unreadable index file, not a wait");
      assertTrue(opened.unreadable().get(0).contains("not a regular file"), opened.unreadable().toString());
    }
  }

  private static void replaceWithFifo(Path file) throws Exception {
    java.nio.file.Path local = java.nio.file.Paths.get(file.toUri());
    Files.delete(local);
    assertEquals(0, new ProcessBuilder("mkfifo", local.toString()).start().waitFor(), "mkfifo " + local);
  }

  @Test
  void aContentAddressedFileAlreadyThereCountsOnlyIfItMatchesItsName() throws IOException {
    Repository repository = RepositoryFixture.create(path("repo"), conf).repository();
    PointPublisher publisher = new PointPublisher(repository, conf);
    byte[] content = "segment bytes".getBytes();
    ContentId id = ContentId.of(content);
    Path target = repository.layout().segment(id);
    java.nio.file.Path staged = dir.resolve("staged");
    Files.write(staged, content);
    assertEquals(PointPublisher.Outcome.NEW, publisher.publishContentAddressed(new Path(staged.toUri()), target, id));
    Files.write(staged, content);
    assertEquals(PointPublisher.Outcome.ALREADY_THERE,
        publisher.publishContentAddressed(new Path(staged.toUri()), target, id));
    assertFalse(Files.exists(staged), "the second copy is dropped");
    java.nio.file.Path published = java.nio.file.Paths.get(target.toUri());
    byte[] flipped = content.clone();
    flipped[3] ^= 1;
    Files.write(published, flipped);
    Files.write(staged, content);
    assertEquals(PointPublisher.Outcome.REPLACED_DAMAGED,
        publisher.publishContentAddressed(new Path(staged.toUri()), target, id));
    assertEquals(new String(content), Files.readString(published), "the damaged copy was replaced");
  }

  /**
   * A published file is dated when it appears under its name, not when it was written: a rename
   * kept the write time, so a pack a long backup wrote an hour before its commit looked an hour
   * old to a prune's grace period the moment it was published, before its point existed.
   */
  @Test
  void publishedFilesAreDatedWhenTheyAppearNotWhenTheyWereWritten() throws IOException {
    Repository repository = RepositoryFixture.create(path("repo-dated"), conf).repository();
    StagingLayout staging = new StagingLayout(new Path(dir.resolve("staging").toUri()));
    org.hbackup.common.id.PackId pack = org.hbackup.common.id.PackId.random();
    java.nio.file.Path stagedPack = dir.resolve("staging/packs/" + pack.toHex() + ".pack");
    Files.createDirectories(stagedPack.getParent());
    Files.write(stagedPack, new byte[] {1, 2, 3});
    byte[] index = "index bytes".getBytes();
    ContentId indexId = ContentId.of(index);
    java.nio.file.Path stagedIndex = dir.resolve("staging/index/" + indexId.toHex() + ".idx");
    Files.createDirectories(stagedIndex.getParent());
    Files.write(stagedIndex, index);
    java.nio.file.attribute.FileTime hourAgo = java.nio.file.attribute.FileTime.from(Instant.now().minusSeconds(3600));
    Files.setLastModifiedTime(stagedPack, hourAgo);
    Files.setLastModifiedTime(stagedIndex, hourAgo);
    long before = RepositoryLock.fileSystemNow(repository) - 2000;
    new PointPublisher(repository, conf).publishData(staging);
    for (Path published : List.of(repository.layout().pack(pack), repository.layout().index(indexId))) {
      long mtime = repository.fileSystem().getFileStatus(published).getModificationTime();
      assertTrue(mtime >= before, published + " is dated " + Instant.ofEpochMilli(mtime));
    }
  }

  /**
   * A content-addressed manifest list is trusted only when its bytes hash to the name its record
   * gives: a flipped byte, a list swapped in under the name, or a list that names a point are refused.
   */
  @Test
  void aManifestListIsReadOnlyWhenItsBytesHashToItsName() throws IOException {
    RepositoryFixture fixture = RepositoryFixture.create(path("repo"), conf);
    Repository repository = fixture.repository();
    PointId point = fixture.writeManifest(List.of(ManifestEntry.builder(EntryType.DIRECTORY, "").build()));
    org.hbackup.common.point.PointRecord record = repository.readPoint(point);
    assertEquals(1, repository.readManifest(point).totals().directories());
    java.nio.file.Path list = dir.resolve("repo").resolve(record.manifestPath());
    byte[] honest = Files.readAllBytes(list);

    byte[] flipped = honest.clone();
    flipped[flipped.length / 2] ^= 1;
    Files.write(list, flipped);
    org.hbackup.common.DamageException damage = assertThrows(org.hbackup.common.DamageException.class,
        () -> repository.readManifest(point));
    assertTrue(damage.getMessage().contains(record.manifestList().toHex()), damage.getMessage());

    // Another well-formed list under the same name: its content does not hash to the name.
    org.hbackup.common.manifest.ManifestList other = new org.hbackup.common.manifest.ManifestList(List.of(),
        new org.hbackup.common.manifest.ManifestTotals(5, 0, 0, 0));
    Files.write(list, other.toJson());
    assertThrows(org.hbackup.common.DamageException.class, () -> repository.readManifest(point));

    Files.delete(list);
    assertThrows(org.hbackup.common.DamageException.class, () -> repository.readManifest(point),
        "a missing list is damage");

    // A version 3 list that names a point (as if copied from an older one) is refused, even
    // under its right name.
    com.fasterxml.jackson.databind.node.ObjectNode root = (com.fasterxml.jackson.databind.node.ObjectNode)
        new com.fasterxml.jackson.databind.ObjectMapper().readTree(honest);
    root.remove("digest");
    root.put("point", point.toString());
    org.hbackup.common.point.PointRecord naming = storedUnderItsHash(point, root);
    assertThrows(org.hbackup.common.FormatException.class, () -> repository.readManifest(naming));

    // A version 2 list, bound to this very point, is still no list named by its content.
    root.put("version", 2);
    org.hbackup.common.point.PointRecord namingOlder = storedUnderItsHash(point, root);
    assertThrows(org.hbackup.common.FormatException.class, () -> repository.readManifest(namingOlder));
  }

  /** Stores this list under the SHA-256 of its bytes; returns a record of the point that names it there. */
  private org.hbackup.common.point.PointRecord storedUnderItsHash(PointId point,
      com.fasterxml.jackson.databind.node.ObjectNode list) throws IOException {
    byte[] bytes = org.hbackup.common.io.JsonDigest.write(list);
    org.hbackup.common.id.ContentId id = org.hbackup.common.id.ContentId.of(bytes);
    Files.write(dir.resolve("repo").resolve("manifests/lists/" + id.toHex() + ".json"), bytes);
    return org.hbackup.common.point.PointRecord.builder(point, org.hbackup.common.point.PointType.FULL)
        .source("file:/s").completed(java.time.Instant.now()).manifestList(id).build();
  }
}
