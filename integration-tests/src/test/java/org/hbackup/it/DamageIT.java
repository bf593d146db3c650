package org.hbackup.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import java.util.stream.Stream;

import com.fasterxml.jackson.databind.JsonNode;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileStatus;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.hbackup.common.io.FileSystems;
import org.hbackup.common.manifest.RelativePaths;
import org.hbackup.common.repo.Repository;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.api.io.TempDir;

/**
 * Every kind of repository file, damaged every way a disk can: a byte flipped at its start, middle
 * and end, cut in half, or gone. A restore then restores every file it can byte for byte, names
 * every entry it cannot and exits 3 (or 0 when nothing it needs was hit); and the next backup of
 * the same source makes a point that restores exactly: damage is never built upon.
 */
class DamageIT {
  @TempDir
  static java.nio.file.Path dir;

  private static Configuration conf;
  private static FileSystem fs;
  private static java.nio.file.Path source;
  private static java.nio.file.Path template;
  private static String point;
  private static TreeMap<String, FileStatus> expected;

  enum Kind { PACK, INDEX, SEGMENT, MANIFEST_LIST, POINT_RECORD, CHANGE_LIST }

  /** FLIP_HEADER flips byte 5: the low byte of a binary file's format version. */
  enum Damage { FLIP_FIRST, FLIP_HEADER, FLIP_MIDDLE, FLIP_LAST, TRUNCATE, DELETE }

  /** A tree whose manifest spans several segments, backed up twice (the second with a change list). */
  @BeforeAll
  static void backUpTwice() throws Exception {
    conf = new Configuration();
    conf.set("hadoop.tmp.dir", dir.resolve("hadoop-tmp").toString());
    source = dir.resolve("source");
    for (int i = 0; i < 1200; i++) {
      java.nio.file.Path f = source.resolve(String.format("d%02d/file-%04d.txt", i % 30, i));
      Files.createDirectories(f.getParent());
      Files.writeString(f, ("line of file " + i + "\n").repeat(1 + i % 7));
    }
    byte[] big = new byte[3_000_000];
    new Random(7).nextBytes(big);
    Files.createDirectories(source.resolve("big"));
    Files.write(source.resolve("big/data.bin"), big);
    Files.createSymbolicLink(source.resolve("link"), java.nio.file.Paths.get("big/data.bin"));
    fs = FileSystems.raw(new Path(source.toUri()), conf);
    template = dir.resolve("template");
    String repo = template.toUri().toString();
    assertEquals(0, Cli.run(conf, "backup", "--source", source.toString(), "--repo", repo).exitCode);
    Files.writeString(source.resolve("d00/file-0000.txt"), "appended\n", java.nio.file.StandardOpenOption.APPEND);
    Cli.Result second = Cli.run(conf, "backup", "--source", source.toString(), "--repo", repo, "--json");
    assertEquals(0, second.exitCode, second.toString());
    point = second.json().get("point").asText();
    Repository repository = Repository.open(new Path(repo), conf);
    assertTrue(repository.readManifest(org.hbackup.common.id.PointId.parse(point)).segments().size() >= 2,
        "the manifest spans segments, so a damaged one leaves others to restore");
    expected = Trees.snapshot(fs, new Path(source.toUri()));
  }

  static Stream<Arguments> cases() {
    List<Arguments> all = new ArrayList<>();
    for (Kind k : Kind.values()) {
      for (Damage d : Damage.values()) {
        all.add(Arguments.of(k, d));
      }
    }
    return all.stream();
  }

  @ParameterizedTest(name = "{0} {1}")
  @MethodSource("cases")
  void aRestoreNamesWhatItCannotRestoreAndTheNextBackupStoresItAgain(Kind kind, Damage damage) throws Exception {
    String name = kind + "-" + damage;
    java.nio.file.Path repo = dir.resolve("repo-" + name);
    copyTree(template, repo);
    java.nio.file.Path file = fileOf(kind, repo);
    damage(file, damage);

    Cli.Result restore = Cli.run(conf, "restore", "--repo", repo.toUri().toString(), "--point", point,
        "--target", dir.resolve("restored-" + name).toUri().toString(), "--json");
    checkRestore(kind, damage, restore, dir.resolve("restored-" + name));

    Cli.Result backup = Cli.run(conf, "backup", "--source", source.toString(), "--repo", repo.toUri().toString(),
        "--json");
    assertEquals(0, backup.exitCode, "the next backup works around the damage: " + backup);
    String next = backup.json().get("point").asText();
    Cli.Result again = Cli.run(conf, "restore", "--repo", repo.toUri().toString(), "--point", next,
        "--target", dir.resolve("again-" + name).toUri().toString(), "--json");
    assertEquals(0, again.exitCode, "the new point restores whole: " + again);
    Trees.assertSameTree(expected, fs, fs, new Path(dir.resolve("again-" + name).toUri()), false, false);
  }

  /**
   * The catalog commands and "latest" on a damaged repository: each names the damage (exit 3),
   * never answers for an older point, with another point's change list, or with a JSON document
   * that reads as complete.
   */
  @org.junit.jupiter.api.Test
  void catalogCommandsNameTheDamageAndNeverGiveAnOlderOrShorterAnswer() throws Exception {
    java.nio.file.Path repo = dir.resolve("repo-catalog");
    copyTree(template, repo);
    String uri = repo.toUri().toString();
    Cli.Result third = Cli.run(conf, "backup", "--source", source.toString(), "--repo", uri, "--json");
    assertEquals(0, third.exitCode, third.toString());
    String latest = third.json().get("point").asText();

    // A missing change list is damage, as a missing segment is.
    java.nio.file.Path changes = repo.resolve("manifests/" + point + ".changes");
    byte[] list = Files.readAllBytes(changes);
    Files.delete(changes);
    Cli.Result missing = Cli.run(conf, "diff", "--repo", uri, "--to", point);
    assertEquals(3, missing.exitCode, missing.toString());
    assertTrue(missing.stderr.contains(point + ".changes"), missing.stderr);
    Files.write(changes, list);

    // Another point's change list under this one's name: its counts are not the record's.
    java.nio.file.Path latestChanges = repo.resolve("manifests/" + latest + ".changes");
    byte[] latestList = Files.readAllBytes(latestChanges);
    Files.write(latestChanges, list);
    Cli.Result copied = Cli.run(conf, "diff", "--repo", uri, "--to", latest);
    assertEquals(3, copied.exitCode, copied.toString());
    assertTrue(copied.stderr.contains("not that point's change list"), copied.stderr);
    Cli.Result verified = Cli.run(conf, "verify", "--repo", uri, "--point", latest, "--json");
    assertEquals(3, verified.exitCode, verified.toString());
    assertTrue(verified.stdout.contains(latest + ".changes"), verified.stdout);
    Files.write(latestChanges, latestList);

    // The newest record damaged: "latest" is not the point before it.
    java.nio.file.Path record = repo.resolve("points/" + latest + ".json");
    Files.write(record, new byte[0]);
    for (String[] command : new String[][] {
        {"restore", "--repo", uri, "--point", "latest", "--target", dir.resolve("restored-latest").toUri().toString()},
        {"verify", "--repo", uri, "--point", "latest"},
        {"show", "--repo", uri, "--point", "latest"},
        {"diff", "--repo", uri, "--to", "latest"}}) {
      Cli.Result r = Cli.run(conf, command);
      assertEquals(3, r.exitCode, r.toString());
      assertTrue(r.stderr.contains(latest + ".json") && r.stderr.contains("--point " + point), r.stderr);
    }
    assertFalse(Files.exists(dir.resolve("restored-latest")), "nothing restored");
    Cli.Result older = Cli.run(conf, "restore", "--repo", uri, "--point", point,
        "--target", dir.resolve("restored-older").toUri().toString());
    assertEquals(0, older.exitCode, older.toString());

    // A segment damaged half way through a listing: the JSON is not a complete, shorter list.
    damage(fileOf(Kind.SEGMENT, repo), Damage.FLIP_MIDDLE);
    Cli.Result show = Cli.run(conf, "show", "--repo", uri, "--point", point, "--json");
    assertEquals(3, show.exitCode, show.toString());
    assertThrows(java.io.IOException.class, () -> new com.fasterxml.jackson.databind.ObjectMapper().readTree(show.stdout),
        "an unterminated document: " + show.stdout);
  }

  @org.junit.jupiter.api.Test
  void aSegmentTheDiskCannotReadIsDamageAndTheNextBackupWorksAroundIt() throws Exception {
    java.nio.file.Path repo = dir.resolve("repo-eio");
    copyTree(template, repo);
    java.nio.file.Path segment = fileOf(Kind.SEGMENT, repo);
    Configuration failing = new Configuration(conf);
    org.hbackup.common.testing.FaultFileSystem.register(failing);
    failing.set(org.hbackup.common.testing.FaultFileSystem.FAIL_READS, segment.getFileName().toString());
    String faulty = org.hbackup.common.testing.FaultFileSystem.SCHEME + ":" + repo;
    Cli.Result restore = Cli.run(failing, "restore", "--repo", faulty, "--point", point,
        "--target", dir.resolve("restored-eio").toUri().toString(), "--json");
    assertEquals(3, restore.exitCode, restore.toString());
    assertTrue(restore.stderr.contains("Input/output error"), restore.stderr);
    Cli.Result backup = Cli.run(failing, "backup", "--source", source.toString(), "--repo", faulty, "--json");
    assertEquals(0, backup.exitCode, "a base the disk cannot read is passed over: " + backup);
    Cli.Result again = Cli.run(conf, "restore", "--repo", repo.toUri().toString(), "--point",
        backup.json().get("point").asText(), "--target", dir.resolve("again-eio").toUri().toString());
    assertEquals(0, again.exitCode, again.toString());
    Trees.assertSameTree(expected, fs, fs, new Path(dir.resolve("again-eio").toUri()), false, false);
  }

  /**
   * One flipped bit in an index row's raw length: the next backup stores that chunk again rather
   * than reusing the row (the chunk's hash fixes its length, so the row is damaged), and its point
   * restores. Before, the backup reused the row ("11 B new") and every point failed that file.
   */
  @org.junit.jupiter.api.Test
  void anIndexRowWithAWrongRawLengthIsNotReused() throws Exception {
    java.nio.file.Path repo = dir.resolve("repo-raw-length");
    copyTree(template, repo);
    java.nio.file.Path index = fileOf(Kind.INDEX, repo);
    byte[] bytes = Files.readAllBytes(index);
    int rows = (int) java.nio.ByteBuffer.wrap(bytes, bytes.length - 36, 8).getLong();
    for (int row = 0; row < rows; row++) {
      bytes[8 + row * 64 + 61] ^= 0x01; // bit 16 of every row's raw length
    }
    Files.write(index, bytes);
    Cli.Result backup = Cli.run(conf, "backup", "--source", source.toString(), "--repo", repo.toUri().toString(),
        "--json");
    assertEquals(0, backup.exitCode, backup.toString());
    assertTrue(backup.json().get("bytesNew").asLong() > 0, "the chunks of the damaged rows are stored again: " + backup);
    Cli.Result again = Cli.run(conf, "restore", "--repo", repo.toUri().toString(), "--point",
        backup.json().get("point").asText(), "--target", dir.resolve("again-raw-length").toUri().toString());
    assertEquals(0, again.exitCode, again.toString());
    Trees.assertSameTree(expected, fs, fs, new Path(dir.resolve("again-raw-length").toUri()), false, false);
  }

  /** Exit 0 means everything restored exactly; exit 3 names everything that was not. */
  private static void checkRestore(Kind kind, Damage damage, Cli.Result r, java.nio.file.Path target) throws IOException {
    boolean json = kind == Kind.MANIFEST_LIST || kind == Kind.POINT_RECORD;
    boolean mustDetect = switch (kind) {
      case PACK -> damage != Damage.FLIP_LAST;
      case INDEX -> damage != Damage.FLIP_MIDDLE;
      case SEGMENT -> true;
      case MANIFEST_LIST, POINT_RECORD -> damage != Damage.FLIP_MIDDLE && !(json && damage == Damage.FLIP_HEADER);
      case CHANGE_LIST -> false;
    };
    if (kind == Kind.POINT_RECORD && damage == Damage.DELETE) {
      assertEquals(1, r.exitCode, "a point whose record is gone does not exist: " + r);
      return;
    }
    if (kind == Kind.CHANGE_LIST) {
      assertEquals(0, r.exitCode, "a restore never reads the change list: " + r);
    }
    if (r.exitCode == 0) {
      assertFalse(mustDetect, kind + " " + damage + " went unnoticed: " + r);
      Trees.assertSameTree(expected, fs, fs, new Path(target.toUri()), false, false);
      return;
    }
    assertEquals(3, r.exitCode, r.toString());
    assertTrue(r.stderr.contains("damage found"), r.stderr);
    if (!Files.exists(target) || r.stdout.isEmpty()) {
      return; // refused before writing: the one-line error names the damaged file
    }
    List<String> named = new ArrayList<>();
    r.json().get("failed").forEach(n -> named.add(n.asText()));
    assertFalse(named.isEmpty(), r.toString());
    try (Stream<java.nio.file.Path> walk = Files.walk(target)) {
      for (java.nio.file.Path p : walk.toList()) {
        String path = target.relativize(p).toString();
        assertTrue(p.equals(target) || expected.containsKey(path), "nothing but the point's entries: " + path);
      }
    }
    for (Map.Entry<String, FileStatus> e : expected.entrySet()) {
      String path = e.getKey();
      if (isNamed(path, named)) {
        continue;
      }
      java.nio.file.Path got = target.resolve(path);
      if (!Files.exists(got, java.nio.file.LinkOption.NOFOLLOW_LINKS)) {
        fail(path + " is neither restored nor named among " + named.size() + " failures, first " + named.get(0));
      }
      if (e.getValue().isSymlink()) {
        assertEquals(e.getValue().getSymlink().toString(), Files.readSymbolicLink(got).toString(), path);
      } else if (e.getValue().isFile()) {
        assertTrue(Trees.sameBytes(fs, e.getValue().getPath(), fs, new Path(got.toUri())), path + " content");
      }
    }
  }

  /** Whether a report entry names the path: itself, or a damaged segment's range that holds it. */
  private static boolean isNamed(String path, List<String> named) {
    for (String n : named) {
      if (n.equals(path)) {
        return true;
      }
      int dots = n.indexOf(" .. ");
      if (dots >= 0) {
        String first = n.substring(0, dots);
        String last = n.substring(dots + 4, n.lastIndexOf(" ("));
        if (RelativePaths.compare(first, path) <= 0 && RelativePaths.compare(path, last) <= 0) {
          return true;
        }
      }
    }
    return false;
  }

  private static java.nio.file.Path fileOf(Kind kind, java.nio.file.Path repo) throws IOException {
    switch (kind) {
      case PACK:
        return largest(repo.resolve("packs"), ".pack");
      case INDEX:
        return largest(repo.resolve("index"), ".idx");
      case SEGMENT:
        Repository repository = Repository.open(new Path(repo.toUri()), conf);
        String id = repository.readManifest(org.hbackup.common.id.PointId.parse(point)).segments().get(0).id().toHex();
        return repo.resolve("manifests/segments/" + id.substring(0, 2) + "/" + id + ".seg");
      case MANIFEST_LIST:
        return repo.resolve(Repository.open(new Path(repo.toUri()), conf)
            .readPoint(org.hbackup.common.id.PointId.parse(point)).manifestPath());
      case POINT_RECORD:
        return repo.resolve("points/" + point + ".json");
      default:
        return repo.resolve("manifests/" + point + ".changes");
    }
  }

  private static java.nio.file.Path largest(java.nio.file.Path under, String suffix) throws IOException {
    try (Stream<java.nio.file.Path> walk = Files.walk(under)) {
      return walk.filter(p -> p.toString().endsWith(suffix)).max(Comparator.comparingLong(p -> p.toFile().length()))
          .orElseThrow();
    }
  }

  private static void damage(java.nio.file.Path file, Damage damage) throws IOException {
    if (damage == Damage.DELETE) {
      Files.delete(file);
      return;
    }
    byte[] bytes = Files.readAllBytes(file);
    switch (damage) {
      case TRUNCATE:
        Files.write(file, java.util.Arrays.copyOf(bytes, bytes.length / 2));
        return;
      case FLIP_FIRST:
        bytes[0] ^= 0x01;
        break;
      case FLIP_HEADER:
        bytes[5] ^= 0x01;
        break;
      case FLIP_MIDDLE:
        bytes[bytes.length / 2] ^= 0x01;
        break;
      default:
        bytes[bytes.length - 1] ^= 0x01;
        break;
    }
    Files.write(file, bytes);
  }

  private static void copyTree(java.nio.file.Path from, java.nio.file.Path to) throws IOException {
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
}
