package org.hbackup.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Random;
import java.util.TreeMap;
import java.util.stream.Stream;

import com.fasterxml.jackson.databind.JsonNode;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileStatus;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.hbackup.common.CrashPoints;
import org.hbackup.common.io.FileSystems;
import org.hbackup.common.repo.Repository;
import org.hbackup.common.repo.RepositoryLock;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * repair and unlock on the embedded default: after a pack is lost, {@code repair index} makes the
 * next backup store its data again, {@code repair points} gives points that restore without the
 * reported files, --dry-run changes nothing, and locks keep repair and backups apart.
 */
class RepairIT {
  @TempDir
  static java.nio.file.Path dir;

  private static Configuration conf;
  private static FileSystem fs;
  private static java.nio.file.Path source;

  @BeforeAll
  static void makeSource() throws Exception {
    conf = new Configuration();
    conf.set("hadoop.tmp.dir", dir.resolve("hadoop-tmp").toString());
    source = dir.resolve("source");
    for (int i = 0; i < 20; i++) {
      Files.createDirectories(source.resolve("d" + (i % 2)));
      Files.writeString(source.resolve("d" + (i % 2) + "/f" + i + ".txt"), ("repair " + i + "\n").repeat(i + 3));
    }
    fs = FileSystems.raw(new Path(source.toUri()), conf);
  }

  /** A repository with a point of the small files and one that adds a large file in a pack of its own. */
  private static String twoPoints(String name) throws Exception {
    String repo = dir.resolve(name).toUri().toString();
    java.nio.file.Path tree = dir.resolve("tree-" + name);
    VerifyIT.copyTree(source, tree);
    assertEquals(0, Cli.run(conf, "backup", "--source", tree.toString(), "--repo", repo).exitCode);
    byte[] big = new byte[1_500_000];
    new Random(5).nextBytes(big);
    Files.write(tree.resolve("big.bin"), big);
    assertEquals(0, Cli.run(conf, "backup", "--source", tree.toString(), "--repo", repo).exitCode);
    return repo;
  }

  private static void deleteLargestPack(String name) throws Exception {
    Files.delete(largestPack(name));
  }

  /** The largest pack of the repository {@code name}: the one holding big.bin's chunks. */
  private static java.nio.file.Path largestPack(String name) throws Exception {
    try (Stream<java.nio.file.Path> walk = Files.walk(dir.resolve(name + "/packs"))) {
      return walk.filter(p -> p.toString().endsWith(".pack"))
          .max(Comparator.comparingLong(p -> p.toFile().length())).orElseThrow();
    }
  }

  /** The ids of the repository's points, as `list` gives them. */
  private static List<String> pointIds(String repo) throws Exception {
    List<String> ids = new ArrayList<>();
    Cli.run(conf, "list", "--repo", repo, "--json").json().get("points").forEach(p -> ids.add(p.get("id").asText()));
    return ids;
  }

  @Test
  void afterALostPackRepairIndexMakesTheNextBackupStoreItsDataAgain() throws Exception {
    String repo = twoPoints("repo-index");
    deleteLargestPack("repo-index");
    Cli.Result dry = Cli.run(conf, "repair", "index", "--repo", repo, "--dry-run", "--json");
    assertEquals(0, dry.exitCode, dry.toString());
    assertTrue(dry.json().get("dryRun").asBoolean());
    JsonNode before = Cli.run(conf, "verify", "--repo", repo, "--json").json();
    assertTrue(before.get("danglingIndexRows").asLong() > 0, "the dry run changed nothing: " + before);

    Cli.Result repair = Cli.run(conf, "repair", "index", "--repo", repo, "--json");
    assertEquals(0, repair.exitCode, repair.toString());
    JsonNode r = repair.json();
    assertTrue(r.get("newRows").asLong() < r.get("oldRows").asLong(), r.toString());
    try (Stream<java.nio.file.Path> index = Files.list(dir.resolve("repo-index/index"))) {
      assertEquals(1, index.count(), "one new index file replaced the old ones");
    }
    JsonNode after = Cli.run(conf, "verify", "--repo", repo, "--json").json();
    assertEquals(0, after.get("danglingIndexRows").asLong(), after.toString());
    assertTrue(after.get("missingChunks").asLong() > 0, "the lost data is known to be lost: " + after);

    java.nio.file.Path tree = dir.resolve("tree-repo-index");
    Cli.Result backup = Cli.run(conf, "backup", "--source", tree.toString(), "--repo", repo, "--json");
    assertEquals(0, backup.exitCode, backup.toString());
    assertTrue(backup.json().get("bytesNew").asLong() >= 1_500_000, "stored again: " + backup.json());
    String target = dir.resolve("restored-index").toUri().toString();
    Cli.Result restore = Cli.run(conf, "restore", "--repo", repo, "--point", "latest", "--target", target);
    assertEquals(0, restore.exitCode, restore.toString());
    Trees.assertSameTree(Trees.snapshot(fs, new Path(tree.toUri())), fs, fs, new Path(target), false, false);
  }

  @Test
  void repairPointsGivesPointsThatRestoreWithoutTheReportedFiles() throws Exception {
    String repo = twoPoints("repo-points");
    deleteLargestPack("repo-points");
    List<String> before = pointIds(repo);

    Cli.Result dry = Cli.run(conf, "repair", "points", "--repo", repo, "--dry-run", "--json");
    assertEquals(0, dry.exitCode, dry.toString());
    JsonNode planned = dry.json().get("points");
    assertEquals(1, planned.size(), dry.stdout);
    assertEquals(before.get(1), planned.get(0).get("point").asText());
    assertEquals("big.bin", planned.get(0).get("dropped").get(0).asText());
    List<String> unchanged = pointIds(repo);
    assertEquals(before, unchanged, "a dry run changes nothing");

    Cli.Result repair = Cli.run(conf, "repair", "points", "--repo", repo, "--forget", "--json");
    assertEquals(0, repair.exitCode, repair.toString());
    JsonNode done = repair.json().get("points").get(0);
    String repaired = done.get("repaired").asText();
    assertTrue(done.get("forgotten").asBoolean());
    JsonNode points = Cli.run(conf, "list", "--repo", repo, "--json").json().get("points");
    assertEquals(2, points.size());
    assertEquals(before.get(0), points.get(0).get("id").asText());
    assertEquals("repaired", points.get(1).get("type").asText());
    assertEquals(before.get(1), points.get(1).get("base").asText());

    Cli.Result diff = Cli.run(conf, "diff", "--repo", repo, "--to", repaired, "--json");
    assertEquals(0, diff.exitCode, diff.toString());
    assertEquals("big.bin", diff.json().get("changes").get(0).get("path").asText());
    assertEquals("deleted", diff.json().get("changes").get(0).get("change").asText());

    JsonNode shown = Cli.run(conf, "show", "--repo", repo, "--point", repaired, "--json").json();
    assertEquals("big.bin", shown.get("dropped").get(0).asText(), shown.toString());
    assertEquals(1, shown.get("dropped").size());
    shown.get("entries").forEach(e -> assertFalse(e.get("path").asText().equals("big.bin")));
    assertTrue(Cli.run(conf, "show", "--repo", repo, "--point", repaired).stdout.contains("dropped      big.bin"));

    String target = dir.resolve("restored-points").toUri().toString();
    Cli.Result restore = Cli.run(conf, "restore", "--repo", repo, "--point", repaired, "--target", target);
    assertEquals(0, restore.exitCode, restore.toString());
    TreeMap<String, FileStatus> expected = Trees.snapshot(fs, new Path(dir.resolve("tree-repo-points").toUri()));
    expected.remove("big.bin");
    Trees.assertSameTree(expected, fs, fs, new Path(target), false, false);

    assertEquals(0, Cli.run(conf, "repair", "index", "--repo", repo).exitCode);
    Cli.Result verify = Cli.run(conf, "verify", "--repo", repo, "--read-data");
    assertEquals(0, verify.exitCode, "after both repairs the repository is whole: " + verify);
  }

  /**
   * A repaired copy of an old point takes the old point's place in time: before, it was dated at
   * the repair, became "latest" and the newest point for --keep-last, and a forget would have
   * removed the newest real backup instead.
   */
  @Test
  void aRepairedOldPointKeepsItsPlaceAndTheNewestBackupStaysLatest() throws Exception {
    String repo = twoPoints("repo-old-point");
    java.nio.file.Path tree = dir.resolve("tree-repo-old-point");
    Files.delete(tree.resolve("big.bin"));
    assertEquals(0, Cli.run(conf, "backup", "--source", tree.toString(), "--repo", repo).exitCode);
    JsonNode before = Cli.run(conf, "list", "--repo", repo, "--json").json().get("points");
    String oldest = before.get(1).get("id").asText(); // the one with big.bin, in a pack of its own
    String newest = before.get(2).get("id").asText();
    deleteLargestPack("repo-old-point");

    Cli.Result repair = Cli.run(conf, "repair", "points", "--repo", repo, "--json");
    assertEquals(0, repair.exitCode, repair.toString());
    JsonNode done = repair.json().get("points");
    assertEquals(1, done.size(), repair.stdout);
    assertEquals(oldest, done.get(0).get("point").asText());
    String repaired = done.get(0).get("repaired").asText();

    JsonNode points = Cli.run(conf, "list", "--repo", repo, "--json").json().get("points");
    assertEquals(4, points.size());
    assertEquals(newest, points.get(3).get("id").asText(), "the newest backup is still the latest: " + points);
    for (JsonNode p : points) {
      if (p.get("id").asText().equals(repaired)) {
        assertEquals(before.get(1).get("created").asText(), p.get("created").asText(), "the original's time");
      }
    }
    Cli.Result forget = Cli.run(conf, "forget", "--repo", repo, "--keep-last", "1", "--dry-run", "--json");
    assertEquals(0, forget.exitCode, forget.toString());
    JsonNode kept = forget.json().get("sources").get(0).get("kept");
    assertEquals(1, kept.size(), forget.stdout);
    assertEquals(newest, kept.get(0).get("id").asText(), forget.stdout);
  }

  @Test
  void repairAndBackupsKeepApartAndAKilledJobsLockIsUnlocked() throws Exception {
    String repo = twoPoints("repo-locks");
    Repository repository = Repository.open(new Path(repo), conf);
    try (RepositoryLock backup = RepositoryLock.acquire(repository, RepositoryLock.Mode.SHARED, "backup", null, conf)) {
      Cli.Result refused = Cli.run(conf, "repair", "index", "--repo", repo);
      assertEquals(1, refused.exitCode, refused.toString());
      assertTrue(refused.stderr.contains("locked by backup"), refused.stderr);
    }
    Cli.Result killed = Cli.child(dir.resolve("hadoop-tmp"), "backup", "-D", CrashPoints.KEY + "=backup.map",
        "--source", dir.resolve("tree-repo-locks").toString(), "--repo", repo);
    assertEquals(CrashPoints.STATUS, killed.exitCode, killed.toString());
    assertEquals(1, RepositoryLock.list(repository).size(), "the killed backup left its lock");
    Cli.Result unlock = Cli.run(conf, "unlock", "--repo", repo);
    assertEquals(0, unlock.exitCode, unlock.toString());
    assertTrue(unlock.stdout.contains("Removed 1 lock"), unlock.stdout);
    assertEquals(0, RepositoryLock.list(repository).size());
    RepositoryLock live = RepositoryLock.acquire(repository, RepositoryLock.Mode.SHARED, "restore", null, conf);
    assertTrue(Cli.run(conf, "unlock", "--repo", repo).stdout.contains("1 live lock(s) kept"));
    assertEquals(0, Cli.run(conf, "unlock", "--repo", repo, "--remove-all").exitCode);
    assertFalse(Files.exists(dir.resolve("repo-locks/locks/" + live.holder().id() + ".json")));
    live.close();
    // What a lock file says is the writer's to choose: printed escaped, never as lines of our own.
    RepositoryLock forged = RepositoryLock.acquire(repository, RepositoryLock.Mode.SHARED,
        "prune\nRemoved 9 lock(s)\n\u001b[31mFAKE", null, conf);
    Cli.Result printed = Cli.run(conf, "unlock", "--repo", repo, "--remove-all");
    assertEquals(0, printed.exitCode, printed.toString());
    assertEquals(2, printed.stdout.lines().count(), "one line for the lock, one for the count: " + printed.stdout);
    assertFalse(printed.stdout.contains("\u001b"), printed.stdout);
    forged.close();
    // A `locks` that is a file is damage, named (exit 3), as every other command says; unlock
    // made its clock probe first and failed with Hadoop's "Destination exists" (exit 1).
    java.nio.file.Path locks = dir.resolve("repo-locks/locks");
    org.apache.hadoop.fs.FileUtil.fullyDelete(locks.toFile());
    Files.writeString(locks, "not a directory");
    Cli.Result damaged = Cli.run(conf, "unlock", "--repo", repo, "--remove-all");
    assertEquals(3, damaged.exitCode, damaged.toString());
    assertTrue(damaged.stderr.contains("locks"), damaged.stderr);
    Files.delete(locks);
  }

  /**
   * A backup whose lock is taken over while it runs (and whose staging a taker reclaims with it)
   * publishes nothing and says that its lock is gone, exit 1; it failed with a
   * FileNotFoundException's trace and "job failed: NA".
   */
  @Test
  void aBackupWhoseLockIsTakenOverSaysSo() throws Exception {
    String repo = twoPoints("repo-taken-over");
    java.nio.file.Path root = dir.resolve("repo-taken-over");
    Files.writeString(dir.resolve("tree-repo-taken-over/new.txt"), "new\n");
    int pointsBefore = Repository.open(new Path(repo), conf).listPoints().size();
    Cli.Result r = Cli.runPausedAt(conf, "backup.map", dir, () -> {
      assertEquals(0, Cli.run(conf, "unlock", "--repo", repo, "--remove-all").exitCode);
      try (Stream<java.nio.file.Path> tmp = Files.list(root.resolve("tmp"))) {
        tmp.forEach(t -> org.apache.hadoop.fs.FileUtil.fullyDelete(t.toFile()));
      }
    }, "backup", "--source", dir.resolve("tree-repo-taken-over").toString(), "--repo", repo);
    assertEquals(1, r.exitCode, r.toString());
    assertTrue(r.stderr.contains("is gone"), r.stderr);
    assertFalse(r.stderr.contains("FileNotFoundException"), r.stderr);
    assertEquals(pointsBefore, Repository.open(new Path(repo), conf).listPoints().size());
    assertEquals(0, Cli.run(conf, "verify", "--repo", repo).exitCode);
  }

  private static List<String> indexFiles(String name) throws Exception {
    try (Stream<java.nio.file.Path> index = Files.list(dir.resolve(name + "/index"))) {
      return index.map(p -> p.getFileName().toString()).sorted().toList();
    }
  }

  @Test
  void aRepairIndexKilledBetweenPublishingAndDeletingIsFinishedByTheNext() throws Exception {
    String repo = twoPoints("repo-killed-index");
    deleteLargestPack("repo-killed-index");
    long missing = Cli.run(conf, "verify", "--repo", repo, "--json").json().get("missingChunks").asLong();
    List<String> oldIndex = indexFiles("repo-killed-index");
    Cli.Result killed = Cli.child(dir.resolve("hadoop-tmp"), "repair", "index", "-D",
        CrashPoints.KEY + "=repair.index.published", "--repo", repo);
    assertEquals(CrashPoints.STATUS, killed.exitCode, killed.toString());
    // The rebuilt index of the one pack left has the same rows as that pack's backup's index: same name.
    assertTrue(indexFiles("repo-killed-index").containsAll(oldIndex), "old index files are deleted only after");
    JsonNode between = Cli.run(conf, "verify", "--repo", repo, "--json").json();
    assertEquals(missing, between.get("missingChunks").asLong(), "nothing readable was lost: " + between);
    String first = Cli.run(conf, "list", "--repo", repo, "--json").json().get("points").get(0).get("id").asText();
    String target = dir.resolve("restored-killed-index").toUri().toString();
    assertEquals(0, Cli.run(conf, "restore", "--repo", repo, "--point", first, "--target", target).exitCode);

    Cli.Result again = Cli.run(conf, "repair", "index", "--repo", repo);
    assertEquals(0, again.exitCode, "the dead repair's lock is taken over: " + again);
    try (Stream<java.nio.file.Path> index = Files.list(dir.resolve("repo-killed-index/index"))) {
      assertEquals(1, index.count());
    }
    assertEquals(0, Cli.run(conf, "verify", "--repo", repo, "--json").json().get("danglingIndexRows").asLong());
  }

  @Test
  void aRepairPointsKilledBeforeForgettingIsFinishedByTheNextNotRepeated() throws Exception {
    String repo = twoPoints("repo-killed-points");
    deleteLargestPack("repo-killed-points");
    Cli.Result killed = Cli.child(dir.resolve("hadoop-tmp"), "repair", "points", "-D",
        CrashPoints.KEY + "=repair.points.published", "--repo", repo, "--forget");
    assertEquals(CrashPoints.STATUS, killed.exitCode, killed.toString());
    JsonNode points = Cli.run(conf, "list", "--repo", repo, "--json").json().get("points");
    assertEquals(3, points.size(), "the repaired point is published, the original not yet forgotten");
    // The repaired point carries its original's time: the two sort by their random suffixes.
    String original = null;
    String repaired = null;
    for (int i = 1; i < points.size(); i++) {
      if (points.get(i).get("type").asText().equals("repaired")) {
        repaired = points.get(i).get("id").asText();
      } else {
        original = points.get(i).get("id").asText();
      }
    }

    Cli.Result again = Cli.run(conf, "repair", "points", "--repo", repo, "--forget", "--json");
    assertEquals(0, again.exitCode, again.toString());
    JsonNode row = again.json().get("points").get(0);
    assertEquals(original, row.get("point").asText());
    assertEquals(repaired, row.get("repaired").asText(), "the earlier repaired point is kept, not made twice");
    assertEquals(1, row.get("filesDropped").asLong());
    assertTrue(row.get("forgotten").asBoolean());
    points = Cli.run(conf, "list", "--repo", repo, "--json").json().get("points");
    assertEquals(2, points.size(), points.toString());
    assertEquals(repaired, points.get(1).get("id").asText());
    assertEquals("repaired", points.get(1).get("type").asText());
  }

  /**
   * A repair points whose lock is removed while it runs (taken as stale, by unlock) stops before
   * it forgets a point: another writer may hold the repository by then. Before, it went on
   * deleting point records under a lock it no longer had.
   */
  @Test
  void aRepairPointsWhoseLockIsRemovedStopsBeforeForgetting() throws Exception {
    String repo = twoPoints("repo-repair-lock-lost");
    deleteLargestPack("repo-repair-lock-lost");
    PausedCommand repair = PausedCommand.start(conf, dir.resolve("pause-repair-lock-lost"), "repair.points.published",
        "repair", "points", "--repo", repo, "--forget");
    PausedCommand.takeLocksAway(conf, dir.resolve("repo-repair-lock-lost"));
    Cli.Result[] result = {repair.release()};
    assertEquals(1, result[0].exitCode, result[0].toString());
    assertTrue(result[0].stderr.contains("stopped before forgetting point"), result[0].stderr);
    JsonNode points = Cli.run(conf, "list", "--repo", repo, "--json").json().get("points");
    assertEquals(3, points.size(), "the repaired point is published, the original is not forgotten: " + points);
  }

  /**
   * A file named like the whole-point marker is one file: repairing its point drops that file
   * alone. Before, its path was taken for "the record is damaged" and --forget removed the point
   * with every readable file of it.
   */
  @Test
  void aFileNamedLikeTheWholePointMarkerIsOneFile() throws Exception {
    String repo = dir.resolve("repo-marker-name").toUri().toString();
    java.nio.file.Path tree = dir.resolve("tree-repo-marker-name");
    VerifyIT.copyTree(source, tree);
    byte[] big = new byte[1_500_000];
    new Random(6).nextBytes(big);
    assertEquals(0, Cli.run(conf, "backup", "--source", tree.toString(), "--repo", repo).exitCode);
    Files.write(tree.resolve("(the whole point)"), big);
    assertEquals(0, Cli.run(conf, "backup", "--source", tree.toString(), "--repo", repo).exitCode);
    deleteLargestPack("repo-marker-name");
    Cli.Result verify = Cli.run(conf, "verify", "--repo", repo, "--json");
    assertEquals(3, verify.exitCode, verify.toString());
    JsonNode affected = verify.json().get("affected");
    assertEquals(1, affected.size(), affected.toString());
    assertEquals("(the whole point)", affected.get(0).get("path").asText());
    assertFalse(affected.get(0).has("wholePoint"), affected.toString());

    Cli.Result repair = Cli.run(conf, "repair", "points", "--repo", repo, "--forget", "--json");
    assertEquals(0, repair.exitCode, repair.toString());
    JsonNode row = repair.json().get("points").get(0);
    assertEquals(1, row.get("filesDropped").asLong(), row.toString());
    assertTrue(row.hasNonNull("repaired"), row.toString());
    String target = dir.resolve("restored-marker-name").toUri().toString();
    assertEquals(0, Cli.run(conf, "restore", "--repo", repo, "--point", row.get("repaired").asText(), "--target",
        target).exitCode);
    TreeMap<String, FileStatus> expected = Trees.snapshot(fs, new Path(tree.toUri()));
    expected.remove("(the whole point)");
    Trees.assertSameTree(expected, fs, fs, new Path(target), false, false);
  }

  /**
   * A point record of a newer format version is not damage this hbackup may act on: verify
   * reports it (it cannot vouch for it), but repair points --forget leaves it for the hbackup
   * that reads it. Before, it was forgotten.
   */
  @Test
  void aPointOfANewerFormatIsNeverForgotten() throws Exception {
    String repo = twoPoints("repo-newer-point");
    java.nio.file.Path records = dir.resolve("repo-newer-point/points");
    java.nio.file.Path newest;
    try (Stream<java.nio.file.Path> list = Files.list(records)) {
      newest = list.max(Comparator.naturalOrder()).orElseThrow();
    }
    String json = Files.readString(newest);
    Files.writeString(newest, json.replaceFirst("\"version\"\\s*:\\s*\\d+", "\"version\" : 99"));
    Cli.Result verify = Cli.run(conf, "verify", "--repo", repo, "--json");
    assertEquals(3, verify.exitCode, verify.toString());
    JsonNode whole = verify.json().get("affected").get(0);
    assertTrue(whole.get("wholePoint").asBoolean(), whole.toString());
    assertTrue(whole.get("path").isNull(), whole.toString());
    assertTrue(verify.stderr.contains(":(the whole point)"), verify.stderr);

    Cli.Result repair = Cli.run(conf, "repair", "points", "--repo", repo, "--forget", "--json");
    JsonNode row = repair.json().get("points").get(0);
    assertFalse(row.get("forgotten").asBoolean(), row.toString());
    assertTrue(row.get("problem").asText().contains("newer format version"), row.toString());
    assertTrue(Files.exists(newest), "the record is kept");
  }

  /**
   * A damage record outlives the damage (a pack put back from a copy, a block HDFS restored):
   * verify still names the pack from its record, but reads the recorded blob again and lists no
   * file that reads back, so repair points --forget drops nothing. It dropped the recorded chunk's
   * files from every point and forgot the originals while they restored (found by a probe).
   */
  @Test
  void aDamageRecordThatNoLongerHoldsLosesNoFile() throws Exception {
    String repo = twoPoints("repo-stale-record");
    java.nio.file.Path pack = largestPack("repo-stale-record");
    byte[] good = Files.readAllBytes(pack);
    byte[] flipped = good.clone();
    flipped[30] ^= 1;
    Files.write(pack, flipped);
    Cli.Result damaged = Cli.run(conf, "restore", "--repo", repo, "--point", "latest", "--target",
        dir.resolve("restored-stale-1").toUri().toString());
    assertEquals(3, damaged.exitCode, damaged.toString());
    try (Stream<java.nio.file.Path> records = Files.list(dir.resolve("repo-stale-record/damage"))) {
      assertEquals(1, records.count(), "the restore recorded the pack");
    }
    Cli.Result stillBad = Cli.run(conf, "verify", "--repo", repo, "--json");
    assertEquals(3, stillBad.exitCode, stillBad.toString());
    assertTrue(stillBad.json().get("affectedFiles").asLong() > 0, "read again, it is still bad: " + stillBad.stdout);
    Files.write(pack, good);
    List<String> before = pointIds(repo);

    Cli.Result verify = Cli.run(conf, "verify", "--repo", repo, "--json");
    assertEquals(3, verify.exitCode, "the record is still reported: " + verify);
    assertEquals(0, verify.json().get("affectedFiles").asLong(), "but no file is lost: " + verify.stdout);
    Cli.Result repair = Cli.run(conf, "repair", "points", "--repo", repo, "--forget", "--json");
    assertEquals(0, repair.exitCode, repair.toString());
    assertEquals(0, repair.json().get("points").size(), "nothing to drop: " + repair);
    List<String> after = pointIds(repo);
    assertEquals(before, after, "no point was forgotten");
    String target = dir.resolve("restored-stale-2").toUri().toString();
    assertEquals(0, Cli.run(conf, "restore", "--repo", repo, "--point", "latest", "--target", target).exitCode);
    Trees.assertSameTree(Trees.snapshot(fs, new Path(dir.resolve("tree-repo-stale-record").toUri())), fs, fs,
        new Path(target), false, false);
  }

  /**
   * A pack whose trailer is cut off still holds blobs that a restore reads through the index:
   * verify names the pack (exit 3) but no file as lost, and repair points --forget drops and
   * forgets nothing. Before, verify listed every file of the pack as one that cannot be restored,
   * and repair points --forget replaced the point by one without them while it still restored.
   */
  @Test
  void aPackWhoseTrailerIsLostLosesNoFileThatStillRestores() throws Exception {
    String repo = twoPoints("repo-cut-trailer-points");
    java.nio.file.Path pack = largestPack("repo-cut-trailer-points");
    byte[] bytes = Files.readAllBytes(pack);
    Files.write(pack, java.util.Arrays.copyOf(bytes, bytes.length - 60));
    List<String> before = pointIds(repo);

    for (String mode : new String[] {"--json", "--read-data"}) {
      Cli.Result verify = Cli.run(conf, "verify", "--repo", repo, mode, "--json");
      assertEquals(3, verify.exitCode, verify.toString());
      JsonNode report = verify.json();
      assertTrue(report.toString().contains(pack.getFileName().toString()), "the cut pack is named: " + report);
      assertEquals(0, report.get("affectedFiles").asLong(), "every file still restores: " + report);
      assertEquals(0, report.get("affectedPoints").asLong(), report.toString());
    }
    Cli.Result repair = Cli.run(conf, "repair", "points", "--repo", repo, "--forget", "--json");
    assertEquals(0, repair.exitCode, repair.toString());
    assertEquals(0, repair.json().get("points").size(), "nothing to drop: " + repair);
    List<String> after = pointIds(repo);
    assertEquals(before, after, "no point was forgotten");

    String target = dir.resolve("restored-cut-trailer-points").toUri().toString();
    Cli.Result restore = Cli.run(conf, "restore", "--repo", repo, "--point", before.get(1), "--target", target);
    assertEquals(0, restore.exitCode, restore.toString());
    Trees.assertSameTree(Trees.snapshot(fs, new Path(dir.resolve("tree-repo-cut-trailer-points").toUri())), fs, fs,
        new Path(target), false, false);
  }

  /**
   * A pack whose trailer is lost (cut short, as by a copy that stopped) still holds blobs that a
   * restore reads through the index. Repair index keeps those rows, reading each blob back first;
   * before, it dropped every chunk of the pack, and a point that restored before the repair did
   * not after it.
   */
  @Test
  void repairIndexKeepsTheReadableBlobsOfAPackWhoseTrailerIsLost() throws Exception {
    String repo = twoPoints("repo-cut-trailer");
    java.nio.file.Path pack = largestPack("repo-cut-trailer");
    byte[] bytes = Files.readAllBytes(pack);
    Files.write(pack, java.util.Arrays.copyOf(bytes, bytes.length - 60));
    String latest = Cli.run(conf, "list", "--repo", repo, "--json").json().get("points").get(1).get("id").asText();

    Cli.Result dry = Cli.run(conf, "repair", "index", "--repo", repo, "--dry-run", "--json");
    assertEquals(0, dry.exitCode, dry.toString());
    assertTrue(dry.json().get("chunksSalvaged").asLong() > 0, dry.toString());
    assertFalse(Files.exists(dir.resolve("repo-cut-trailer/damage")), "a dry run records no damage either");

    Cli.Result repair = Cli.run(conf, "repair", "index", "--repo", repo, "--json");
    assertEquals(0, repair.exitCode, repair.toString());
    JsonNode report = repair.json();
    assertTrue(report.get("chunksSalvaged").asLong() > 0, report.toString());
    assertEquals(0, report.get("chunksDropped").asLong(), report.toString());
    assertEquals(1, report.get("damagedPacks").asLong(), report.toString());

    String target = dir.resolve("restored-cut-trailer").toUri().toString();
    Cli.Result restore = Cli.run(conf, "restore", "--repo", repo, "--point", latest, "--target", target);
    assertEquals(0, restore.exitCode, restore.toString());
    Trees.assertSameTree(Trees.snapshot(fs, new Path(dir.resolve("tree-repo-cut-trailer").toUri())), fs, fs,
        new Path(target), false, false);

    // The salvaged blobs were copied into a new pack: verify finds every file deliverable (the cut
    // pack itself is still named), repair points has nothing to drop, and prune removes the cut pack.
    Cli.Result verify = Cli.run(conf, "verify", "--repo", repo, "--read-data", "--json");
    assertEquals(0, verify.json().get("affectedFiles").asLong(), verify.toString());
    Cli.Result points = Cli.run(conf, "repair", "points", "--repo", repo, "--json");
    assertEquals(0, points.json().get("points").size(), points.toString());
    Cli.Result prune = Cli.run(conf, "prune", "-D", "hbackup.prune.grace.seconds=0", "--repo", repo, "--json");
    assertEquals(0, prune.exitCode, prune.toString());
    Cli.Result clean = Cli.run(conf, "verify", "--repo", repo, "--read-data");
    assertEquals(0, clean.exitCode, "after prune the repository is whole: " + clean);
  }

  /**
   * Writes the golden repository of format version 3 (see common/src/test/resources/golden/v3):
   * run only when {@code -Dhbackup.golden.v3.out=DIR} asks for it, once per format version.
   */
  @Test
  void writesTheVersion3GoldenRepositoryWhenAsked() throws Exception {
    java.nio.file.Path target = GoldenTrees.requestedOutput("hbackup.golden.v3.out");
    java.nio.file.Path tree = target.resolve("source");
    java.nio.file.Path repoDir = target.resolve("repo");
    String repo = repoDir.toUri().toString();
    GoldenTrees.write(tree, "hello, golden version 3\n", 3);
    Files.setPosixFilePermissions(tree.resolve("hello.txt"), java.nio.file.attribute.PosixFilePermissions.fromString("rw-r-----"));
    assertEquals(0, Cli.run(conf, "backup", "--source", tree.toString(), "--repo", repo).exitCode);
    List<java.nio.file.Path> firstPacks = packs(repoDir);
    GoldenTrees.add(tree, "lost.bin", 4, 200_000);
    assertEquals(0, Cli.run(conf, "backup", "--source", tree.toString(), "--repo", repo).exitCode);
    for (java.nio.file.Path pack : packs(repoDir)) {
      if (!firstPacks.contains(pack)) {
        Files.delete(pack);
      }
    }
    assertEquals(0, Cli.run(conf, "repair", "index", "--repo", repo).exitCode);
    assertEquals(0, Cli.run(conf, "repair", "points", "--repo", repo, "--forget").exitCode);
    assertEquals(0, Cli.run(conf, "backup", "--source", tree.toString(), "--repo", repo).exitCode);
    assertEquals(0, Cli.run(conf, "verify", "--repo", repo, "--read-data").exitCode);
    FileSystems.raw(new Path(repo), conf).delete(new Path(repo, "tmp"), true);
  }

  private static List<java.nio.file.Path> packs(java.nio.file.Path repo) throws Exception {
    try (Stream<java.nio.file.Path> walk = Files.walk(repo.resolve("packs"))) {
      return walk.filter(p -> p.toString().endsWith(".pack")).toList();
    }
  }
}
