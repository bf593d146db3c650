package org.hbackup.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.util.ArrayList;
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
import org.hbackup.common.repo.TmpReclaimer;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Failure injection: a backup or restore is killed outright (its JVM halted: no finally block, no
 * shutdown hook) at every stage, in a process of its own as {@code bin/hbackup} runs it. After
 * each kill no half-made point is visible, the next run succeeds and reclaims what the killed one
 * left, and every listed point restores exactly.
 */
class CrashIT {
  @TempDir
  static java.nio.file.Path dir;

  private static Configuration conf;
  private static FileSystem fs;
  private static java.nio.file.Path source;
  private static TreeMap<String, FileStatus> expected;

  @BeforeAll
  static void makeSource() throws IOException {
    conf = new Configuration();
    conf.set("hadoop.tmp.dir", dir.resolve("hadoop-tmp").toString());
    conf.setLong(TmpReclaimer.GRACE, 0);
    source = dir.resolve("source");
    for (int i = 0; i < 40; i++) {
      Files.createDirectories(source.resolve("d" + (i % 4)));
      Files.writeString(source.resolve("d" + (i % 4) + "/f" + i + ".txt"), ("crash test " + i + "\n").repeat(i + 1));
    }
    byte[] big = new byte[2_500_000];
    new Random(3).nextBytes(big);
    Files.write(source.resolve("big.bin"), big);
    Files.createSymbolicLink(source.resolve("link"), java.nio.file.Paths.get("big.bin"));
    fs = FileSystems.raw(new Path(source.toUri()), conf);
    expected = Trees.snapshot(fs, new Path(source.toUri()));
  }

  private static Cli.Result child(String... args) throws Exception {
    return Cli.child(dir.resolve("hadoop-tmp"), args);
  }

  private static String uri(String name) {
    return dir.resolve(name).toUri().toString();
  }

  private static List<String> points(String repo) throws Exception {
    Cli.Result list = Cli.run(conf, "list", "--repo", repo, "--json");
    assertEquals(0, list.exitCode, list.toString());
    List<String> ids = new ArrayList<>();
    list.json().get("points").forEach(p -> ids.add(p.get("id").asText()));
    return ids;
  }

  private static void assertEveryPointRestores(String repo, String name) throws Exception {
    int n = 0;
    for (String point : points(repo)) {
      String target = uri("restored-" + name + "-" + n++);
      Cli.Result restore = Cli.run(conf, "restore", "--repo", repo, "--point", point, "--target", target);
      assertEquals(0, restore.exitCode, restore.toString());
      Trees.assertSameTree(expected, fs, fs, new Path(target), false, false);
    }
  }

  @ParameterizedTest
  @ValueSource(strings = {"backup.listed", "backup.map", "backup.reduce", "publish.packs", "publish.index",
      "publish.segments", "publish.manifest", "backup.committed"})
  void aBackupKilledAtAnyStageLeavesNoHalfPointAndTheNextOneRecovers(String stage) throws Exception {
    String repo = uri("repo-" + stage);
    assertEquals(0, Cli.run(conf, "backup", "--source", source.toString(), "--repo", repo).exitCode);
    List<String> before = points(repo);
    Cli.Result killed = child("backup", "-D", CrashPoints.KEY + "=" + stage,
        "--source", source.toString(), "--repo", repo);
    assertEquals(CrashPoints.STATUS, killed.exitCode, killed.toString());
    List<String> after = points(repo);
    if (stage.equals("backup.committed")) {
      assertEquals(before.size() + 1, after.size(), "the point record was the commit");
    } else {
      assertEquals(before, after, "no half-made point is visible");
    }
    assertEveryPointRestores(repo, stage + "-killed");

    Cli.Result next = Cli.run(conf, "backup", "--source", source.toString(), "--repo", repo, "--json");
    assertEquals(0, next.exitCode, next.toString());
    JsonNode report = next.json();
    if (!stage.equals("backup.committed")) {
      assertTrue(report.get("stagingReclaimed").asLong() >= 1, "what the killed run left is reclaimed: " + report);
    }
    try (Stream<java.nio.file.Path> tmp = Files.list(dir.resolve("repo-" + stage + "/tmp"))) {
      assertEquals(List.of(), tmp.toList(), "nothing is left in tmp/");
    }
    try (Stream<java.nio.file.Path> locks = Files.list(dir.resolve("repo-" + stage + "/locks"))) {
      assertEquals(List.of(), locks.toList(), "the killed run's lock is gone too");
    }
    assertEveryPointRestores(repo, stage + "-next");
  }

  @ParameterizedTest
  @ValueSource(strings = {"restore.map", "restore.reduce", "restore.directories"})
  void aRestoreKilledAtAnyStageIsFinishedByTheNextWithOverwrite(String stage) throws Exception {
    String repo = uri("repo-" + stage);
    assertEquals(0, Cli.run(conf, "backup", "--source", source.toString(), "--repo", repo).exitCode);
    String target = uri("target-" + stage);
    Cli.Result killed = child("restore", "-D", CrashPoints.KEY + "=" + stage, "--repo", repo, "--point", "latest",
        "--target", target);
    assertEquals(CrashPoints.STATUS, killed.exitCode, killed.toString());
    Cli.Result refused = Cli.run(conf, "restore", "--repo", repo, "--point", "latest", "--target", target);
    assertEquals(1, refused.exitCode, refused.toString());
    // Not "is not empty", which a finished restore also gets: killed while finishing directories
    // (after its links), a restore used to have removed what tells so (found by a probe).
    assertTrue(refused.stderr.contains("did not finish"), refused.stderr);
    Cli.Result finished = Cli.run(conf, "restore", "--repo", repo, "--point", "latest", "--target", target,
        "--overwrite");
    assertEquals(0, finished.exitCode, finished.toString());
    Trees.assertSameTree(expected, fs, fs, new Path(target), false, false);
  }

  @Test
  void aRepositoryWhoseCreationWasKilledIsTakenOverByTheNextBackup() throws Exception {
    String repo = uri("repo-half");
    Cli.Result killed = child("backup", "-D", CrashPoints.KEY + "=init.config", "--source", source.toString(),
        "--repo", repo);
    assertEquals(CrashPoints.STATUS, killed.exitCode, killed.toString());
    assertTrue(Files.isDirectory(dir.resolve("repo-half/packs")));
    assertFalse(Files.exists(dir.resolve("repo-half/config.json")));
    Cli.Result next = Cli.run(conf, "backup", "--source", source.toString(), "--repo", repo);
    assertEquals(0, next.exitCode, next.toString());
    assertEveryPointRestores(repo, "half");
    Cli.Result killedInit = child("init", "-D", CrashPoints.KEY + "=init.config", "--repo", uri("repo-half-init"));
    assertEquals(CrashPoints.STATUS, killedInit.exitCode, killedInit.toString());
    assertEquals(0, Cli.run(conf, "init", "--repo", uri("repo-half-init")).exitCode);
  }

  @Test
  void aKilledRunsLocalJobFilesAreReclaimedByTheNextProcess() throws Exception {
    String repo = uri("repo-local-runs");
    Cli.Result killed = child("backup", "-D", CrashPoints.KEY + "=backup.map", "--source", source.toString(),
        "--repo", repo);
    assertEquals(CrashPoints.STATUS, killed.exitCode, killed.toString());
    java.nio.file.Path runs = dir.resolve("hadoop-tmp/hbackup-runs");
    long left;
    try (Stream<java.nio.file.Path> s = Files.list(runs)) {
      left = s.count();
    }
    assertTrue(left >= 1, "the killed process left its job files");
    Cli.Result next = child("backup", "--source", source.toString(), "--repo", repo);
    assertEquals(0, next.exitCode, next.toString());
    try (Stream<java.nio.file.Path> s = Files.list(runs)) {
      List<java.nio.file.Path> remaining = s.toList();
      for (java.nio.file.Path p : remaining) {
        assertTrue(p.getFileName().toString().startsWith(ProcessHandle.current().pid() + "-"),
            "only this test JVM's own directory may remain: " + remaining);
      }
    }
  }
}
