package org.hbackup.it;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.FileTime;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.TreeMap;
import java.util.stream.Stream;

import com.fasterxml.jackson.databind.JsonNode;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileStatus;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.hbackup.common.CrashPoints;
import org.hbackup.common.id.PointId;
import org.hbackup.common.io.FileSystems;
import org.hbackup.common.repo.Repository;
import org.hbackup.common.repo.RepositoryLock;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * forget and prune on the embedded default, over a chain of nine points of a tree that changes
 * every time (appends, deletes, renames, a large file rewritten, new files): every remaining point
 * restores byte- and metadata-exactly, the repository shrinks by what only the forgotten points
 * used, verify --read-data passes; a dry run changes nothing; a process killed at every step of
 * forget and prune leaves every remaining point restorable, and the next prune finishes the work
 * and reaches the same size; backups meet the prune's lock, and one that ignores it still gets a
 * point that restores.
 */
class PruneIT {
  private static final int POINTS = 9;
  private static final int KEEP = 3;

  @TempDir
  static java.nio.file.Path dir;

  private static Configuration conf;
  private static FileSystem fs;
  /** The tree as each point saw it, copied with its metadata, oldest first. */
  private static final List<java.nio.file.Path> trees = new ArrayList<>();
  private static final List<String> points = new ArrayList<>();
  private static java.nio.file.Path template;
  /** Size of the repository after an uninterrupted forget --keep-last 3 --prune. */
  private static long prunedSize;
  private static long onlyForgottenBytes;

  @BeforeAll
  static void makeChain() throws Exception {
    conf = new Configuration();
    conf.set("hadoop.tmp.dir", dir.resolve("hadoop-tmp").toString());
    // The chain is made within seconds: everything in it is "young" to the default grace period.
    conf.setLong("hbackup.prune.grace.seconds", 0);
    conf.setLong("hbackup.tmp.reclaim.grace.seconds", 0);
    java.nio.file.Path source = dir.resolve("source");
    template = dir.resolve("template");
    fs = FileSystems.raw(new Path(source.toUri()), conf);
    Random random = new Random(42);
    Files.createDirectories(source.resolve("a/deep"));
    Files.createDirectories(source.resolve("b"));
    Files.createDirectories(source.resolve("empty-dir"));
    for (int i = 0; i < 24; i++) {
      write(source.resolve((i % 3 == 0 ? "a/deep/" : i % 2 == 0 ? "a/" : "b/") + "f" + i + ".dat"),
          bytes(random, 2_000 + random.nextInt(30_000)));
    }
    write(source.resolve("big1.bin"), bytes(random, 1_600_000));
    write(source.resolve("big2.bin"), bytes(random, 1_200_000));
    Files.createSymbolicLink(source.resolve("link"), java.nio.file.Paths.get("a/f2.dat"));
    for (int p = 0; p < POINTS; p++) {
      if (p > 0) {
        change(source, p, random);
      }
      java.nio.file.Path copy = dir.resolve("tree-" + p);
      copyWithMetadata(source, copy);
      trees.add(copy);
      Cli.Result backup = Cli.run(conf, "backup", "--source", source.toString(), "--repo", uri(template), "--json");
      assertEquals(0, backup.exitCode, backup.toString());
      points.add(backup.json().get("point").asText());
    }
    onlyForgottenBytes = onlyForgottenBytes();
    java.nio.file.Path reference = dir.resolve("reference");
    VerifyIT.copyTree(template, reference);
    Cli.Result pruned = Cli.run(conf, "forget", "--repo", uri(reference), "--keep-last", Integer.toString(KEEP),
        "--prune", "--json");
    assertEquals(0, pruned.exitCode, pruned.toString());
    prunedSize = size(reference);
  }

  /** One step of change: an append, a delete, a rename, a new file, and every third step big1.bin rewritten. */
  private static void change(java.nio.file.Path root, int step, Random random) throws Exception {
    List<java.nio.file.Path> files;
    try (Stream<java.nio.file.Path> walk = Files.walk(root)) {
      files = walk.filter(f -> Files.isRegularFile(f, java.nio.file.LinkOption.NOFOLLOW_LINKS)
          && f.getFileName().toString().startsWith("f")).sorted().toList();
    }
    java.nio.file.Path appended = files.get(step % files.size());
    Files.write(appended, bytes(random, 4_000), java.nio.file.StandardOpenOption.APPEND);
    Files.delete(files.get((step * 7 + 3) % files.size()));
    java.nio.file.Path renamed = files.get((step * 5 + 1) % files.size());
    if (Files.exists(renamed) && !renamed.equals(appended)) {
      Files.move(renamed, renamed.resolveSibling("r" + step + "-" + renamed.getFileName()));
    }
    write(root.resolve("b/new-" + step + ".dat"), bytes(random, 5_000 + random.nextInt(40_000)));
    if (step % 3 == 0) {
      write(root.resolve("big1.bin"), bytes(random, 1_600_000));
    }
  }

  private static byte[] bytes(Random random, int n) {
    byte[] b = new byte[n];
    random.nextBytes(b);
    return b;
  }

  private static void write(java.nio.file.Path p, byte[] content) throws Exception {
    Files.write(p, content);
  }

  private static void copyWithMetadata(java.nio.file.Path from, java.nio.file.Path to) throws Exception {
    try (Stream<java.nio.file.Path> walk = Files.walk(from)) {
      for (java.nio.file.Path p : walk.toList()) {
        java.nio.file.Path target = to.resolve(from.relativize(p).toString());
        if (Files.isSymbolicLink(p)) {
          Files.createSymbolicLink(target, Files.readSymbolicLink(p));
          java.nio.file.attribute.BasicFileAttributes a = Files.readAttributes(p,
              java.nio.file.attribute.BasicFileAttributes.class, java.nio.file.LinkOption.NOFOLLOW_LINKS);
          Files.getFileAttributeView(target, java.nio.file.attribute.BasicFileAttributeView.class,
              java.nio.file.LinkOption.NOFOLLOW_LINKS).setTimes(a.lastModifiedTime(), a.lastAccessTime(), null);
        } else if (Files.isDirectory(p)) {
          Files.createDirectories(target);
        } else {
          Files.copy(p, target, StandardCopyOption.COPY_ATTRIBUTES);
        }
      }
    }
    // Directories' times after their contents were copied.
    try (Stream<java.nio.file.Path> walk = Files.walk(from)) {
      for (java.nio.file.Path p : walk.filter(Files::isDirectory).toList()) {
        FileTime t = Files.getLastModifiedTime(p);
        Files.setLastModifiedTime(to.resolve(from.relativize(p).toString()), t);
      }
    }
  }

  /** Bytes of file contents that only the forgotten (oldest) points hold: what prune should reclaim. */
  private static long onlyForgottenBytes() throws Exception {
    Map<String, Long> forgotten = new HashMap<>();
    Set<String> kept = new HashSet<>();
    for (int p = 0; p < POINTS; p++) {
      try (Stream<java.nio.file.Path> walk = Files.walk(trees.get(p))) {
        for (java.nio.file.Path f : walk.filter(x -> Files.isRegularFile(x, java.nio.file.LinkOption.NOFOLLOW_LINKS))
            .toList()) {
          byte[] content = Files.readAllBytes(f);
          String hash = HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(content));
          if (p < POINTS - KEEP) {
            forgotten.put(hash, (long) content.length);
          } else {
            kept.add(hash);
          }
        }
      }
    }
    kept.forEach(forgotten::remove);
    return forgotten.values().stream().mapToLong(Long::longValue).sum();
  }

  /**
   * Two map tasks store the same new chunks, so each has a copy in two packs. Whichever copy is
   * flipped, prune keeps the one that reads back: before, it kept the newest pack's copy
   * unread and dropped the other, and a file that restored before the prune did not after it
   * (exit 0; found by a probe).
   */
  @Test
  void ofTwoCopiesPruneKeepsOneThatReadsBack() throws Exception {
    java.nio.file.Path source = dir.resolve("twins");
    byte[] data = bytes(new Random(9), 3_000_000);
    Files.createDirectories(source.resolve("one"));
    Files.createDirectories(source.resolve("two"));
    write(source.resolve("one/twin.bin"), data);
    write(source.resolve("two/twin.bin"), data);
    java.nio.file.Path original = dir.resolve("twins-repo");
    Cli.Result backup = Cli.run(conf, "backup", "-D", "hbackup.backup.min.split.bytes=1048576", "--source",
        source.toString(), "--repo", uri(original), "--max-maps", "2", "--json");
    assertEquals(0, backup.exitCode, backup.toString());
    Map<org.hbackup.common.id.ContentId, List<Object[]>> copies = new java.util.HashMap<>();
    try (Stream<java.nio.file.Path> walk = Files.walk(original.resolve("packs"))) {
      for (java.nio.file.Path pack : walk.filter(p -> p.toString().endsWith(".pack")).toList()) {
        try (org.hbackup.common.pack.PackReader reader = new org.hbackup.common.pack.PackReader(
            fs.open(new Path(pack.toUri())), Files.size(pack), pack.toString())) {
          for (org.hbackup.common.pack.PackEntry e : reader.entries()) {
            copies.computeIfAbsent(e.chunkId(), k -> new ArrayList<>())
                .add(new Object[] {original.relativize(pack).toString(), e.offset(), e.storedLength()});
          }
        }
      }
    }
    List<Object[]> twice = copies.values().stream().filter(l -> l.size() == 2).findFirst().orElse(null);
    org.junit.jupiter.api.Assumptions.assumeTrue(twice != null, "the two files went to one map task");
    for (int flipped = 0; flipped < 2; flipped++) {
      java.nio.file.Path repo = dir.resolve("twins-repo-" + flipped);
      VerifyIT.copyTree(original, repo);
      Object[] copy = twice.get(flipped);
      java.nio.file.Path pack = repo.resolve((String) copy[0]);
      byte[] bytes = Files.readAllBytes(pack);
      bytes[(int) ((Long) copy[1] + (Integer) copy[2] / 2)] ^= 0x20;
      Files.write(pack, bytes);
      Cli.Result prune = Cli.run(conf, "prune", "--repo", uri(repo), "--max-unused", "0");
      assertEquals(0, prune.exitCode, prune.toString());
      java.nio.file.Path restored = dir.resolve("twins-restored-" + flipped);
      Cli.Result restore = Cli.run(conf, "restore", "--repo", uri(repo), "--point", "latest",
          "--target", uri(restored));
      assertEquals(0, restore.exitCode, "flipped copy " + flipped + ": " + restore);
      assertArrayEquals(data, Files.readAllBytes(restored.resolve("one/twin.bin")));
      assertArrayEquals(data, Files.readAllBytes(restored.resolve("two/twin.bin")));
    }
  }

  /**
   * A pack whose trailer is damaged still holds blobs a restore reads through the index. A backup
   * that found it damaged stored its chunk again in a new pack, whose copy then went bad too:
   * prune deleted the damaged pack (its trailer lists nothing, so prune knew no copy there) with
   * exit 0 and neither point restored after it, and `repair index` kept the new pack's unread copy
   * and dropped the old row, with the same effect (found by a probe). Now prune stops (exit 3,
   * nothing deleted) while an index file names the damaged pack; repair index reads the chunk's
   * copies and keeps one that reads back; then prune deletes the damaged pack, and both restore.
   */
  @Test
  void aPackWithADamagedTrailerIsDeletedOnlyOnceNoIndexFileNamesIt() throws Exception {
    java.nio.file.Path source = Files.createDirectories(dir.resolve("trailer-source"));
    byte[] data = bytes(new Random(12), 700_000);
    write(source.resolve("f"), data);
    java.nio.file.Path repo = dir.resolve("trailer-repo");
    assertEquals(0, Cli.run(conf, "backup", "--source", source.toString(), "--repo", uri(repo)).exitCode);
    java.nio.file.Path first = packs(repo).get(0);
    flip(first, Files.size(first) - 60);
    Cli.run(conf, "backup", "--type", "full", "--source", source.toString(), "--repo", uri(repo));
    List<java.nio.file.Path> both = packs(repo);
    assertEquals(2, both.size(), "the chunk was stored again: " + both);
    java.nio.file.Path second = both.get(0).equals(first) ? both.get(1) : both.get(0);
    flip(second, 100_000);
    List<String> ids = pointIds(repo);
    assertEquals(2, ids.size());
    assertBothRestore(repo, ids, data, "before");

    Cli.Result stopped = Cli.run(conf, "prune", "--repo", uri(repo), "--json");
    assertEquals(3, stopped.exitCode, stopped.toString());
    assertTrue(stopped.stdout.contains(first.getFileName().toString()), stopped.stdout);
    assertTrue(Files.exists(first), "nothing deleted");
    assertBothRestore(repo, ids, data, "after the stopped prune");

    Cli.Result repaired = Cli.run(conf, "repair", "index", "--repo", uri(repo), "--json");
    assertEquals(0, repaired.exitCode, repaired.toString());
    assertBothRestore(repo, ids, data, "after repair index");
    Cli.Result pruned = Cli.run(conf, "prune", "--repo", uri(repo), "--json");
    assertEquals(0, pruned.exitCode, pruned.toString());
    assertFalse(Files.exists(first), "no index file names it now: deleted");
    assertBothRestore(repo, ids, data, "after the prune");
    assertEquals(0, Cli.run(conf, "verify", "--repo", uri(repo), "--read-data").exitCode);
  }

  /**
   * The only copy of a chunk the remaining points use is damaged, and verify has recorded it. prune
   * went on with exit 0, "deleted": true and no problem, on a repository it knew could not restore
   * that file (found by a probe; the README says it stops, exit 3, naming it). Now it reads that
   * copy, names the chunk and its pack, and deletes nothing; once `repair points --forget` drops
   * the file, prune goes on.
   */
  @Test
  void aUsedChunkWhoseOnlyCopyIsRecordedDamagedStopsThePrune() throws Exception {
    java.nio.file.Path source = Files.createDirectories(dir.resolve("recorded-source"));
    byte[] data = bytes(new Random(21), 700_000);
    write(source.resolve("f"), data);
    write(source.resolve("g"), bytes(new Random(22), 5_000));
    java.nio.file.Path repo = dir.resolve("recorded-repo");
    assertEquals(0, Cli.run(conf, "backup", "--source", source.toString(), "--repo", uri(repo)).exitCode);
    java.nio.file.Path pack = packs(repo).get(0);
    flip(pack, 300_000);
    assertEquals(3, Cli.run(conf, "verify", "--repo", uri(repo), "--read-data").exitCode);
    Set<String> packsBefore = names(repo.resolve("packs"), ".pack");
    Set<String> indexBefore = names(repo.resolve("index"), ".idx");

    Cli.Result stopped = Cli.run(conf, "prune", "-D", "hbackup.prune.grace.seconds=0", "--repo", uri(repo),
        "--json");
    assertEquals(3, stopped.exitCode, stopped.toString());
    assertFalse(stopped.json().get("deleted").asBoolean(), stopped.toString());
    String stem = pack.getFileName().toString().replace(".pack", "");
    boolean named = false;
    for (JsonNode problem : stopped.json().get("problemList")) {
      named |= problem.get("file").asText().startsWith("chunk ")
          && problem.get("reason").asText().contains("no copy of it reads back")
          && problem.get("reason").asText().contains(stem);
    }
    assertTrue(named, "the chunk and its pack are named: " + stopped.stdout);
    assertTrue(Files.exists(pack));
    assertEquals(packsBefore, names(repo.resolve("packs"), ".pack"), "no pack deleted");
    assertEquals(indexBefore, names(repo.resolve("index"), ".idx"), "no index file deleted");

    Cli.Result repaired = Cli.run(conf, "repair", "points", "--repo", uri(repo), "--forget");
    assertEquals(0, repaired.exitCode, repaired.toString());
    Cli.Result pruned = Cli.run(conf, "prune", "-D", "hbackup.prune.grace.seconds=0", "--repo", uri(repo),
        "--json");
    assertEquals(0, pruned.exitCode, "the damaged file is no longer used: " + pruned);
    java.nio.file.Path restored = dir.resolve("recorded-restored");
    assertEquals(0, Cli.run(conf, "restore", "--repo", uri(repo), "--point", "latest", "--target", uri(restored))
        .exitCode);
    assertFalse(Files.exists(restored.resolve("f")), "the repaired point dropped the damaged file");
    assertArrayEquals(Files.readAllBytes(source.resolve("g")), Files.readAllBytes(restored.resolve("g")));
  }

  /**
   * A fan-out directory of packs/ that is a symbolic link to a directory outside the repository:
   * Hadoop's local listing follows it, and prune deleted a file there named like a damaged pack
   * (found by a probe). Now the repository is refused (exit 3) and nothing outside is touched.
   */
  @Test
  void aFanOutDirectoryThatIsASymlinkIsRefusedAndNothingOutsideIsDeleted() throws Exception {
    java.nio.file.Path repo = copyOfTemplate("fanout-link");
    java.nio.file.Path pack = packs(repo).get(0);
    java.nio.file.Path fan = pack.getParent();
    java.nio.file.Path elsewhere = dir.resolve("fanout-elsewhere");
    Files.move(fan, elsewhere);
    Files.createSymbolicLink(fan, elsewhere);
    String name = pack.getFileName().toString();
    java.nio.file.Path foreign = elsewhere.resolve(name.substring(0, 2) + "0".repeat(name.length() - 7) + ".pack");
    Files.writeString(foreign, "someone's file");
    Cli.Result prune = Cli.run(conf, "prune", "--repo", uri(repo));
    assertEquals(3, prune.exitCode, prune.toString());
    assertTrue(prune.stderr.contains("symbolic link"), prune.stderr);
    assertEquals("someone's file", Files.readString(foreign));
    assertTrue(Files.exists(elsewhere.resolve(name)));
  }

  /**
   * Two prunes within the grace period: the first writes a new index (young, so the second keeps
   * it) naming packs the second then deleted, and verify reported its rows dangling (exit 3) for a
   * repository that restores (found by a probe). The second prune keeps whole the packs a young
   * index file names; verify passes, and a prune after the grace period reclaims them.
   */
  @Test
  void packsThatAYoungIndexFileNamesStayWhole() throws Exception {
    java.nio.file.Path source = Files.createDirectories(dir.resolve("young-index-source"));
    java.nio.file.Path repo = dir.resolve("young-index-repo");
    Random random = new Random(13);
    List<String> ids = new ArrayList<>();
    String[][] steps = {{"A", "B"}, {"C"}, {"D"}};
    String[] removed = {null, "B", "A"};
    for (int i = 0; i < steps.length; i++) {
      if (removed[i] != null) {
        Files.delete(source.resolve(removed[i]));
      }
      for (String name : steps[i]) {
        write(source.resolve(name), bytes(random, 700_000));
      }
      Cli.Result b = Cli.run(conf, "backup", "--source", source.toString(), "--repo", uri(repo), "--json");
      assertEquals(0, b.exitCode, b.toString());
      ids.add(b.json().get("point").asText());
    }
    long twoHoursAgo = System.currentTimeMillis() - 2 * 3600_000L;
    try (Stream<java.nio.file.Path> walk = Files.walk(repo)) {
      for (java.nio.file.Path p : walk.toList()) {
        Files.setLastModifiedTime(p, java.nio.file.attribute.FileTime.fromMillis(twoHoursAgo));
      }
    }
    String grace = "hbackup.prune.grace.seconds=900";
    assertEquals(0, Cli.run(conf, "forget", "-D", grace, "--repo", uri(repo), "--point", ids.get(0), "--prune",
        "--max-unused", "100").exitCode);
    assertEquals(0, Cli.run(conf, "forget", "-D", grace, "--repo", uri(repo), "--point", ids.get(1), "--prune")
        .exitCode);
    Cli.Result verified = Cli.run(conf, "verify", "--repo", uri(repo), "--read-data");
    assertEquals(0, verified.exitCode, verified.toString());
    assertRestores(repo, ids.get(2), source, "young-index");
    Cli.Result later = Cli.run(conf, "prune", "--repo", uri(repo), "--json");
    assertEquals(0, later.exitCode, later.toString());
    assertEquals(0, Cli.run(conf, "verify", "--repo", uri(repo)).exitCode);
    assertRestores(repo, ids.get(2), source, "young-index-later");
  }

  /**
   * Found by a probe: `forget --source A --point P` removed P of source B (the source was ignored);
   * `prune --dry-run` wrote a damage record for a pack with a damaged trailer while reporting that
   * it changed nothing; a negative grace period was taken (a cutoff in the future).
   */
  @Test
  void forgetKeepsToItsSourceADryRunWritesNothingAndANegativeGraceIsRefused() throws Exception {
    java.nio.file.Path repo = copyOfTemplate("odd-options");
    List<String> ids = pointIds(repo);
    Cli.Result other = Cli.run(conf, "forget", "--repo", uri(repo), "--source", dir.resolve("elsewhere").toString(),
        "--point", ids.get(0));
    assertEquals(1, other.exitCode, other.toString());
    assertTrue(other.stderr.contains("is of source"), other.stderr);
    assertEquals(ids, pointIds(repo), "nothing removed");

    java.nio.file.Path pack = packs(repo).get(0);
    flip(pack, Files.size(pack) - 40);
    Cli.Result dry = Cli.run(conf, "prune", "--repo", uri(repo), "--dry-run");
    assertFalse(Files.exists(repo.resolve("damage")) && Files.list(repo.resolve("damage")).findAny().isPresent(),
        "a dry run records nothing: " + dry);

    Cli.Result negative = Cli.run(conf, "prune", "-D", "hbackup.prune.grace.seconds=-60", "--repo", uri(repo));
    assertEquals(1, negative.exitCode, negative.toString());
    assertTrue(negative.stderr.contains("0 or more seconds"), negative.stderr);
    assertTrue(Files.exists(pack));
  }

  private static List<java.nio.file.Path> packs(java.nio.file.Path repo) throws Exception {
    try (Stream<java.nio.file.Path> walk = Files.walk(repo.resolve("packs"))) {
      return walk.filter(p -> p.toString().endsWith(".pack")).sorted().toList();
    }
  }

  private static void flip(java.nio.file.Path file, long at) throws Exception {
    byte[] bytes = Files.readAllBytes(file);
    bytes[(int) at] ^= (byte) 0xff;
    file.toFile().setWritable(true);
    Files.write(file, bytes);
  }

  private static void assertBothRestore(java.nio.file.Path repo, List<String> ids, byte[] data, String when)
      throws Exception {
    for (String id : ids) {
      java.nio.file.Path target = dir.resolve("trailer-restored-" + when.replace(' ', '-') + "-" + id);
      Cli.Result r = Cli.run(conf, "restore", "--repo", uri(repo), "--point", id, "--target", uri(target));
      assertEquals(0, r.exitCode, when + ": " + r);
      assertArrayEquals(data, Files.readAllBytes(target.resolve("f")), when);
    }
  }

  private static String uri(java.nio.file.Path p) {
    return p.toUri().toString();
  }

  private static long size(java.nio.file.Path root) throws Exception {
    try (Stream<java.nio.file.Path> walk = Files.walk(root)) {
      return walk.filter(Files::isRegularFile).mapToLong(p -> p.toFile().length()).sum();
    }
  }

  /** The repository's files but its locks and staging, by path, with their lengths. */
  private static Map<String, Long> files(java.nio.file.Path root) throws Exception {
    try (Stream<java.nio.file.Path> walk = Files.walk(root)) {
      Map<String, Long> files = new TreeMap<>();
      walk.filter(Files::isRegularFile)
          .filter(p -> !root.relativize(p).startsWith("locks") && !root.relativize(p).startsWith("tmp"))
          .forEach(p -> files.put(root.relativize(p).toString(), p.toFile().length()));
      return files;
    }
  }

  private static java.nio.file.Path copyOfTemplate(String name) throws Exception {
    java.nio.file.Path copy = dir.resolve(name);
    VerifyIT.copyTree(template, copy);
    return copy;
  }

  /** Every point the repository lists restores exactly as its tree was. */
  private static void assertRemainingPointsRestore(java.nio.file.Path repo, String label) throws Exception {
    JsonNode list = Cli.run(conf, "list", "--repo", uri(repo), "--json").json().get("points");
    assertTrue(list.size() >= KEEP, label + ": " + list);
    for (JsonNode p : list) {
      String id = p.get("id").asText();
      int n = points.indexOf(id);
      assertTrue(n >= 0, id);
      java.nio.file.Path target = dir.resolve("restored-" + label + "-" + n);
      Cli.Result restore = Cli.run(conf, "restore", "--repo", uri(repo), "--point", id, "--target", target.toString());
      assertEquals(0, restore.exitCode, label + " point " + n + ": " + restore);
      TreeMap<String, FileStatus> expected = Trees.snapshot(fs, new Path(trees.get(n).toUri()));
      Trees.assertSameTree(expected, fs, fs, new Path(target.toUri()), false, false);
    }
  }

  @Test
  void forgetAndPruneKeepWhatTheRemainingPointsNeedAndReclaimWhatOnlyTheOthersUsed() throws Exception {
    java.nio.file.Path repo = copyOfTemplate("repo-main");
    long before = size(repo);

    Cli.Result dry = Cli.run(conf, "forget", "--repo", uri(repo), "--keep-last", Integer.toString(KEEP), "--prune",
        "--dry-run", "--json");
    assertEquals(0, dry.exitCode, dry.toString());
    assertEquals(POINTS - KEEP, dry.json().get("removed").asInt());
    assertTrue(dry.json().get("prune").get("bytesUnused").asLong() > 0, dry.stdout);
    assertEquals(before, size(repo), "a dry run changes nothing");
    assertEquals(POINTS, Cli.run(conf, "list", "--repo", uri(repo), "--json").json().get("points").size());

    Cli.Result forget = Cli.run(conf, "forget", "--repo", uri(repo), "--keep-last", Integer.toString(KEEP), "--prune",
        "--json");
    assertEquals(0, forget.exitCode, forget.toString());
    JsonNode report = forget.json();
    JsonNode source = report.get("sources").get(0);
    assertEquals(KEEP, source.get("kept").size());
    assertEquals(POINTS - KEEP, source.get("removed").size());
    assertEquals("last point", source.get("kept").get(0).get("reasons").get(0).asText());
    JsonNode prune = report.get("prune");
    assertTrue(prune.get("deleted").asBoolean(), prune.toString());
    assertEquals(0, prune.get("problems").asLong());
    assertEquals(KEEP, prune.get("points").asLong());
    assertTrue(prune.get("packsRepacked").asLong() + prune.get("packsDeleted").asLong() > 0, prune.toString());
    assertTrue(prune.get("segmentsDeleted").asLong() > 0, prune.toString());
    assertEquals(2L * (POINTS - KEEP) - 1, prune.get("manifestFilesDeleted").asLong(),
        "every forgotten point's manifest list and change list (the first, full, point has none)");
    assertEquals(size(repo), prune.get("bytesAfter").asLong());

    long reclaimed = before - size(repo);
    // What only the forgotten points held goes, with their manifests; at most --max-unused (5%) of a
    // kept pack may stay as garbage inside it.
    assertTrue(reclaimed >= onlyForgottenBytes * 0.9, reclaimed + " reclaimed of " + onlyForgottenBytes);
    assertTrue(reclaimed <= onlyForgottenBytes + 200_000, reclaimed + " reclaimed of " + onlyForgottenBytes);
    assertRemainingPointsRestore(repo, "main");
    Cli.Result verify = Cli.run(conf, "verify", "--repo", uri(repo), "--read-data", "--json");
    assertEquals(0, verify.exitCode, verify.toString());
    assertEquals(0, verify.json().get("unusedPacks").asLong());

    Cli.Result again = Cli.run(conf, "prune", "--repo", uri(repo), "--json");
    assertEquals(0, again.exitCode, again.toString());
    assertEquals(0, again.json().get("packsDeleted").asLong() + again.json().get("packsRepacked").asLong(),
        "a second prune finds nothing to do: " + again.stdout);
    assertEquals(prunedSize, size(repo), "same size as the reference run");
  }

  @ParameterizedTest
  @ValueSource(strings = {"forget.removed", "prune.repack", "prune.planned", "publish.packs", "publish.index",
      "prune.published", "prune.index.deleted", "prune.packs.deleted", "prune.segments.deleted"})
  void aForgetOrPruneKilledAtAnyStepLeavesEveryPointRestorableAndTheNextPruneFinishes(String stage) throws Exception {
    java.nio.file.Path repo = copyOfTemplate("repo-" + stage);
    Cli.Result killed = Cli.child(dir.resolve("hadoop-tmp"), "forget", "-D", CrashPoints.KEY + "=" + stage,
        "-D", "hbackup.prune.grace.seconds=0", "--repo", uri(repo), "--keep-last", Integer.toString(KEEP), "--prune");
    assertEquals(CrashPoints.STATUS, killed.exitCode, killed.toString());
    assertRemainingPointsRestore(repo, stage);
    Cli.Result verify = Cli.run(conf, "verify", "--repo", uri(repo));
    assertEquals(0, verify.exitCode, stage + ": " + verify);

    // The forget may have stopped after its first removal: finishing means running it again.
    Cli.Result finish = Cli.run(conf, "forget", "--repo", uri(repo), "--keep-last", Integer.toString(KEEP), "--prune",
        "--json");
    assertEquals(0, finish.exitCode, stage + ": " + finish);
    assertEquals(KEEP, Cli.run(conf, "list", "--repo", uri(repo), "--json").json().get("points").size());
    assertRemainingPointsRestore(repo, stage + "-finished");
    assertEquals(prunedSize, size(repo), stage + ": the finished prune reaches the size of an uninterrupted one");
  }

  @Test
  void backupsMeetThePrunesLockAndOneThatIgnoresItStillGetsAPointThatRestores() throws Exception {
    java.nio.file.Path repo = copyOfTemplate("repo-concurrent");
    PausedCommand pruning = PausedPrune.start(repo, "prune.planned", "concurrent");

    java.nio.file.Path source = dir.resolve("source");
    Cli.Result refused = Cli.run(conf, "backup", "--source", source.toString(), "--repo", uri(repo));
    assertEquals(1, refused.exitCode, refused.toString());
    assertTrue(refused.stderr.contains("locked by forget"), refused.stderr);

    java.nio.file.Path extra = dir.resolve("source-extra");
    copyWithMetadata(source, extra);
    write(extra.resolve("during-prune.bin"), ChangeChain.random(77, 300_000));
    Cli.Result ignoring = Cli.run(conf, "backup", "-D", RepositoryLock.TEST_IGNORE_CONFLICTS + "=true",
        "--source", extra.toString(), "--repo", uri(repo), "--json");
    assertEquals(0, ignoring.exitCode, ignoring.toString());
    String point = ignoring.json().get("point").asText();

    Cli.Result prune = pruning.release();
    assertEquals(1, prune.exitCode, prune.toString());
    assertFalse(prune.json().get("prune").get("deleted").asBoolean(), prune.stdout);
    assertTrue(prune.stderr.contains("was published while the prune ran"), prune.stderr);
    assertRestores(repo, point, extra, "during");

    Cli.Result again = Cli.run(conf, "prune", "--repo", uri(repo), "--json");
    assertEquals(0, again.exitCode, again.toString());
    assertTrue(again.json().get("deleted").asBoolean());
    assertRestores(repo, point, extra, "after");
    assertEquals(0, Cli.run(conf, "verify", "--repo", uri(repo), "--read-data").exitCode);
  }

  /**
   * A prune whose staging directory is removed under it (by a process that took it for a dead
   * job's leftover, or by hand) publishes nothing and deletes nothing: before, it published the
   * empty rest and then deleted every old index file and pack, and no remaining point restored.
   */
  @Test
  void aPruneWhoseStagingVanishesStopsBeforePublishingOrDeletingAnything() throws Exception {
    java.nio.file.Path repo = copyOfTemplate("repo-staging-gone");
    PausedCommand prune = PausedPrune.start(repo, "prune.planned", "staging-gone");
    try (Stream<java.nio.file.Path> tmp = Files.list(repo.resolve("tmp"))) {
      List<java.nio.file.Path> stagings = tmp.filter(p -> p.getFileName().toString().startsWith("prune-")).toList();
      assertEquals(1, stagings.size(), stagings.toString());
      FileSystems.raw(new Path(repo.toUri()), conf).delete(new Path(stagings.get(0).toUri()), true);
    }
    Map<String, Long> before = files(repo);
    Cli.Result stopped = prune.release();
    assertEquals(1, stopped.exitCode, stopped.toString());
    assertTrue(stopped.stderr.contains("stopped before publishing or deleting anything"), stopped.stderr);
    assertEquals(before, files(repo), "nothing published, nothing deleted");
    assertRemainingPointsRestore(repo, "staging-gone");
    Cli.Result again = Cli.run(conf, "prune", "--repo", uri(repo), "--json");
    assertEquals(0, again.exitCode, again.toString());
    assertEquals(prunedSize, size(repo), "the next prune finishes the work");
    assertRemainingPointsRestore(repo, "staging-gone-finished");
  }

  /**
   * A prune whose lock is removed while it runs (it paused past the stale time, or the remover's
   * clock is ahead, and 'unlock' or a backup took it for stale) stops before its next step:
   * before, it went on deleting while a backup that then took the repository could deduplicate
   * against the packs it deleted.
   */
  @Test
  void aPruneWhoseLockIsRemovedStopsBeforeItsDeletes() throws Exception {
    java.nio.file.Path repo = copyOfTemplate("repo-lock-lost");
    PausedCommand prune = PausedPrune.start(repo, "prune.published", "lock-lost");
    PausedCommand.takeLocksAway(conf, repo);
    assertEquals(0, RepositoryLock.list(Repository.open(new Path(repo.toUri()), conf)).size(), "every lock removed");
    Map<String, Long> before = files(repo);
    Cli.Result stopped = prune.release();
    assertEquals(1, stopped.exitCode, stopped.toString());
    assertTrue(stopped.stderr.contains("stopped before deleting the old index files"), stopped.stderr);
    assertEquals(before, files(repo), "nothing deleted");
    assertRemainingPointsRestore(repo, "lock-lost");
    java.nio.file.Path source = dir.resolve("source");
    Cli.Result backup = Cli.run(conf, "backup", "--source", source.toString(), "--repo", uri(repo), "--json");
    assertEquals(0, backup.exitCode, backup.toString());
    assertRestores(repo, backup.json().get("point").asText(), source, "lock-lost");
    Cli.Result verify = Cli.run(conf, "verify", "--repo", uri(repo));
    assertEquals(0, verify.exitCode, verify.toString());
    Cli.Result again = Cli.run(conf, "prune", "--repo", uri(repo), "--json");
    assertEquals(0, again.exitCode, again.toString());
    assertRestores(repo, backup.json().get("point").asText(), source, "lock-lost-finished");
  }

  /**
   * A backup whose lock is taken over while it publishes (as stale: its client paused past the
   * stale time) does not publish its point record: a prune that took the lock may have planned
   * without the point and delete what it names. Before, the committer asked once, before the
   * data, and published the record whatever happened after.
   */
  @Test
  void aBackupWhoseLockIsTakenOverWhileItCommitsPublishesNoPoint() throws Exception {
    java.nio.file.Path repo = copyOfTemplate("repo-backup-lock-lost");
    List<String> before = pointIds(repo);
    java.nio.file.Path source = dir.resolve("source");
    PausedCommand backup = PausedCommand.start(conf, dir.resolve("pause-backup-lock-lost"), "backup.data.published",
        "backup", "--source", source.toString(), "--repo", uri(repo));
    PausedCommand.takeLocksAway(conf, repo);
    Cli.Result[] result = {backup.release()};
    assertTrue(result[0].exitCode != 0, result[0].toString());
    assertTrue(result[0].stderr.contains("is gone"), result[0].stderr);
    assertEquals(before, pointIds(repo), "no point published");
    assertRemainingPointsRestore(repo, "backup-lock-lost");
  }

  private static List<String> pointIds(java.nio.file.Path repo) throws Exception {
    List<String> ids = new ArrayList<>();
    Repository.open(new Path(repo.toUri()), conf).listPoints().forEach(p -> ids.add(p.id().toString()));
    return ids;
  }

  /** A forget --keep-last --prune, paused at one step until released. */
  private static final class PausedPrune {
    static PausedCommand start(java.nio.file.Path repo, String step, String label) throws Exception {
      return PausedCommand.start(conf, dir.resolve("pause-" + label), step, "forget", "--repo", uri(repo),
          "--keep-last", Integer.toString(KEEP), "--prune", "--json");
    }
  }

  private static void assertRestores(java.nio.file.Path repo, String point, java.nio.file.Path tree, String label)
      throws Exception {
    java.nio.file.Path target = dir.resolve("restored-concurrent-" + label);
    Cli.Result restore = Cli.run(conf, "restore", "--repo", uri(repo), "--point", point, "--target", target.toString());
    assertEquals(0, restore.exitCode, restore.toString());
    Trees.assertSameTree(Trees.snapshot(fs, new Path(tree.toUri())), fs, fs, new Path(target.toUri()), false, false);
  }

  /**
   * Points of an unchanged tree share one manifest list: forgetting either one and pruning must
   * keep the list while the other names it, and remove it with the last point that does.
   */
  @Test
  void aManifestListSharedByPointsStaysUntilNoRemainingPointNamesIt() throws Exception {
    java.nio.file.Path repo = dir.resolve("repo-shared-list");
    java.nio.file.Path tree = dir.resolve("shared-list-source");
    copyWithMetadata(trees.get(0), tree);
    String first = Cli.run(conf, "backup", "--source", tree.toString(), "--repo", uri(repo), "--json").json()
        .get("point").asText();
    String second = Cli.run(conf, "backup", "--source", tree.toString(), "--repo", uri(repo), "--json").json()
        .get("point").asText();
    Repository repository = Repository.open(new Path(uri(repo)), conf);
    org.hbackup.common.id.ContentId list = repository.readPoint(PointId.parse(first)).manifestList();
    assertEquals(list, repository.readPoint(PointId.parse(second)).manifestList(), "nothing changed: one list");
    java.nio.file.Path listFile = repo.resolve(repository.readPoint(PointId.parse(first)).manifestPath());
    // Files in manifests/lists/ not named as lists are no lists: prune leaves them, however old.
    java.nio.file.Path foreign = listFile.resolveSibling("notes.json");
    java.nio.file.Path upperCase = listFile.resolveSibling(list.toHex().toUpperCase(java.util.Locale.ROOT) + ".json");
    for (java.nio.file.Path p : List.of(foreign, upperCase)) {
      write(p, new byte[] {'{', '}'});
      Files.setLastModifiedTime(p, java.nio.file.attribute.FileTime.fromMillis(0));
    }

    Cli.Result forget = Cli.run(conf, "forget", "--repo", uri(repo), "--point", first, "--prune", "--json");
    assertEquals(0, forget.exitCode, forget.toString());
    assertTrue(Files.exists(listFile), "the remaining point still names the list");
    assertRestores(repo, second, tree, "shared-list");
    assertEquals(0, Cli.run(conf, "verify", "--repo", uri(repo), "--read-data").exitCode);

    // The next point of the same tree shares the list again; forget both older ones, keep it.
    String third = Cli.run(conf, "backup", "--source", tree.toString(), "--repo", uri(repo), "--json").json()
        .get("point").asText();
    assertEquals(list, repository.readPoint(PointId.parse(third)).manifestList());
    Cli.Result keepLast = Cli.run(conf, "forget", "--repo", uri(repo), "--keep-last", "1", "--prune", "--json");
    assertEquals(0, keepLast.exitCode, keepLast.toString());
    assertTrue(Files.exists(listFile));
    assertRestores(repo, third, tree, "shared-list-last");

    // A changed tree gets a list of its own; once the last point naming the old one is forgotten, it goes.
    write(tree.resolve("added.dat"), new byte[] {1, 2, 3});
    String fourth = Cli.run(conf, "backup", "--source", tree.toString(), "--repo", uri(repo), "--json").json()
        .get("point").asText();
    assertFalse(list.equals(repository.readPoint(PointId.parse(fourth)).manifestList()));
    Cli.Result last = Cli.run(conf, "forget", "--repo", uri(repo), "--point", third, "--prune", "--json");
    assertEquals(0, last.exitCode, last.toString());
    assertFalse(Files.exists(listFile), "no remaining point names the old list: " + last.stdout);
    assertTrue(Files.exists(foreign) && Files.exists(upperCase), "files not named as lists stay");
    assertEquals(0, Cli.run(conf, "verify", "--repo", uri(repo), "--read-data").exitCode);
    assertRestores(repo, fourth, tree, "shared-list-changed");
  }

  @Test
  void aPruneThatWouldLoseDataTheRemainingPointsUseStopsBeforeDeletingAnything() throws Exception {
    java.nio.file.Path repo = copyOfTemplate("repo-damaged");
    // The largest pack is the first backup's: it holds big2.bin, which every point uses.
    java.nio.file.Path lost;
    try (Stream<java.nio.file.Path> walk = Files.walk(repo.resolve("packs"))) {
      lost = walk.filter(p -> p.toString().endsWith(".pack"))
          .max(java.util.Comparator.comparingLong(p -> p.toFile().length())).orElseThrow();
    }
    Files.delete(lost);
    long before = size(repo);
    Cli.Result r = Cli.run(conf, "prune", "--repo", uri(repo), "--json");
    assertEquals(3, r.exitCode, r.toString());
    assertFalse(r.json().get("deleted").asBoolean());
    assertTrue(r.json().get("problems").asLong() > 0);
    assertTrue(r.stderr.contains("nothing was deleted"), r.stderr);
    assertEquals(before, size(repo), "nothing changed");
  }

  /**
   * A segment that a remaining point needs, missing or with one byte flipped: the prune names it
   * as a problem and deletes nothing (segments are read in the map phase of the job that also
   * decides what is unused, so the problem must stop the prune after that job).
   */
  @ParameterizedTest
  @ValueSource(strings = {"missing", "flipped"})
  void aSegmentTheRemainingPointsNeedThatIsDamagedStopsThePruneBeforeDeletingAnything(String how) throws Exception {
    java.nio.file.Path repo = copyOfTemplate("repo-segment-" + how);
    assertEquals(0, Cli.run(conf, "forget", "--repo", uri(repo), "--keep-last", Integer.toString(KEEP)).exitCode);
    java.nio.file.Path segment;
    try (Stream<java.nio.file.Path> walk = Files.walk(repo.resolve("manifests/segments"))) {
      segment = newestSegment(walk.filter(p -> p.toString().endsWith(".seg")).toList());
    }
    if (how.equals("missing")) {
      Files.delete(segment);
    } else {
      byte[] bytes = Files.readAllBytes(segment);
      bytes[bytes.length / 2] ^= 0x40;
      Files.write(segment, bytes);
    }
    long before = size(repo);
    Cli.Result r = Cli.run(conf, "prune", "-D", "hbackup.prune.grace.seconds=0", "--repo", uri(repo), "--json");
    assertEquals(3, r.exitCode, r.toString());
    assertFalse(r.json().get("deleted").asBoolean(), r.toString());
    String name = segment.getFileName().toString();
    assertTrue(r.json().get("problemList").toString().contains(name), "the segment is named: " + r.json());
    assertTrue(r.stderr.contains("nothing was deleted"), r.stderr);
    assertEquals(before, size(repo), "nothing changed");
  }

  /**
   * The used blobs of the packs a prune rewrites, damaged (bytes flipped through each pack's data,
   * its header and trailer intact): the repack, in map tasks of the job whose reducers write the
   * new index, checks each blob, records the pack's damage and names it (and those reducers name
   * the chunks left without a row); the prune then publishes and deletes nothing.
   */
  @Test
  void aDamagedBlobInAPackToRewriteStopsThePruneBeforeItPublishesOrDeletesAnything() throws Exception {
    java.nio.file.Path repo = copyOfTemplate("repo-repack-damaged");
    assertEquals(0, Cli.run(conf, "forget", "--repo", uri(repo), "--keep-last", Integer.toString(KEEP)).exitCode);
    Cli.Result plan = Cli.run(conf, "prune", "-D", "hbackup.prune.grace.seconds=0", "--repo", uri(repo), "--dry-run",
        "--json");
    assertEquals(0, plan.exitCode, plan.toString());
    assertTrue(plan.json().get("packsRepacked").asLong() > 0, "the plan rewrites a pack: " + plan.stdout);
    Set<String> packsBefore = names(repo.resolve("packs"), ".pack");
    Set<String> indexBefore = names(repo.resolve("index"), ".idx");
    for (String pack : packsBefore) {
      flipThroughData(find(repo.resolve("packs"), pack));
    }

    Cli.Result r = Cli.run(conf, "prune", "-D", "hbackup.prune.grace.seconds=0", "--repo", uri(repo), "--json");
    assertEquals(3, r.exitCode, r.toString());
    assertFalse(r.json().get("deleted").asBoolean(), r.toString());
    assertTrue(r.stderr.contains("nothing was deleted"), r.stderr);
    int packsNamed = 0;
    for (JsonNode problem : r.json().get("problemList")) {
      String file = problem.get("file").asText();
      if (file.startsWith("chunk ")) {
        // The same job's reducers: a chunk whose only copy was in a damaged blob gets no row.
        assertTrue(problem.get("reason").asText().contains("no row"), problem.toString());
        continue;
      }
      packsNamed++;
      String pack = file.substring(file.lastIndexOf('/') + 1);
      assertTrue(packsBefore.contains(pack), "a pack of the repository is named: " + problem);
      assertTrue(problem.get("reason").asText().contains("reads back as")
          || problem.get("reason").asText().contains("cannot be decoded"), problem.toString());
      String stem = pack.substring(0, pack.length() - ".pack".length());
      assertTrue(Files.exists(repo.resolve("damage").resolve(stem + ".json")), "its damage is recorded: " + pack);
    }
    assertTrue(packsNamed > 0, "the damaged pack is named: " + r.stdout);
    assertEquals(packsBefore, names(repo.resolve("packs"), ".pack"), "no pack published or deleted");
    assertEquals(indexBefore, names(repo.resolve("index"), ".idx"), "no index file published or deleted");
  }

  /** Flips one byte every 16 KiB from a tenth to three fifths of the file: blobs, not the header or trailer. */
  private static void flipThroughData(java.nio.file.Path file) throws Exception {
    byte[] bytes = Files.readAllBytes(file);
    for (int i = bytes.length / 10; i < bytes.length * 3 / 5; i += 16 * 1024) {
      bytes[i] ^= 0x20;
    }
    Files.write(file, bytes);
  }

  private static Set<String> names(java.nio.file.Path root, String suffix) throws Exception {
    try (Stream<java.nio.file.Path> walk = Files.walk(root)) {
      return walk.map(p -> p.getFileName().toString()).filter(n -> n.endsWith(suffix))
          .collect(java.util.stream.Collectors.toCollection(java.util.TreeSet::new));
    }
  }

  private static java.nio.file.Path find(java.nio.file.Path root, String name) throws Exception {
    try (Stream<java.nio.file.Path> walk = Files.walk(root)) {
      return walk.filter(p -> p.getFileName().toString().equals(name)).findFirst().orElseThrow();
    }
  }

  /**
   * The segment written last: the newest point (which forget keeps) names it, as a backup writes
   * only segments its own manifest list names, and each point of the chain changed something.
   */
  private static java.nio.file.Path newestSegment(List<java.nio.file.Path> segments) {
    return segments.stream().max(java.util.Comparator.comparingLong(p -> p.toFile().lastModified())).orElseThrow();
  }
}
