package org.hbackup.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.TreeMap;

import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileStatus;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.hbackup.common.io.FileSystems;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * What a restore does with its target, found by a probe: a directory of the point that looks like
 * a staging directory is the user's data, never removed; a running restore's staging directory
 * keeps every other restore out of the target; a restore whose job fails leaves the target marked
 * unfinished; directories a restore makes are never wider than their owner until their mode is
 * applied; and a dry run refuses what the restore refuses.
 */
class RestoreTargetIT {
  @TempDir
  static java.nio.file.Path dir;

  private static Configuration conf;
  private static FileSystem fs;
  private static String repo;
  private static java.nio.file.Path source;

  @BeforeAll
  static void backUp() throws Exception {
    conf = new Configuration();
    conf.set("hadoop.tmp.dir", dir.resolve("hadoop-tmp").toString());
    source = dir.resolve("source");
    // A directory named and built as a restore's staging directory is, holding the user's file:
    // what a backup of a target that a restore was writing into keeps.
    java.nio.file.Path lookalike = Files.createDirectories(source.resolve(".hbackup-restore-0badf00d"));
    Files.writeString(lookalike.resolve(".hbackup-staging"), "{\"format\":\"hbackup-restore-staging\",\"version\":1,"
        + "\"point\":\"x\",\"host\":\"elsewhere\",\"pid\":1,\"processStart\":0}");
    Files.writeString(lookalike.resolve("data"), "precious\n");
    Files.setPosixFilePermissions(lookalike, PosixFilePermissions.fromString("rwx------"));
    Files.writeString(source.resolve("normal"), "n\n");
    Files.createDirectories(source.resolve("p/q"));
    Files.writeString(source.resolve("p/q/f"), "in q\n");
    Files.setPosixFilePermissions(source.resolve("p/q"), PosixFilePermissions.fromString("rwxr-x---"));
    Files.setPosixFilePermissions(source.resolve("p"), PosixFilePermissions.fromString("rwx------"));
    Files.createDirectories(source.resolve("many"));
    for (int i = 0; i < 40; i++) {
      Files.writeString(source.resolve("many/f" + i), ("file " + i + "\n").repeat(100 + i));
    }
    repo = dir.resolve("repo").toUri().toString();
    assertEquals(0, Cli.run(conf, "init", "--repo", repo).exitCode);
    Cli.Result backup = Cli.run(conf, "backup", "--source", source.toString(), "--repo", repo);
    assertEquals(0, backup.exitCode, backup.toString());
    fs = FileSystems.raw(new Path(dir.toUri()), conf);
  }

  private static Cli.Result restore(java.nio.file.Path target, String... more) throws Exception {
    return Cli.run(conf, withTarget(target, more));
  }

  private static String[] withTarget(java.nio.file.Path target, String... more) {
    String[] base = {"restore", "--repo", repo, "--point", "latest", "--target", target.toString()};
    String[] args = java.util.Arrays.copyOf(base, base.length + more.length);
    System.arraycopy(more, 0, args, base.length, more.length);
    return args;
  }

  private static void assertRestoredExactly(java.nio.file.Path target) throws Exception {
    TreeMap<String, FileStatus> restored = Trees.snapshot(fs, new Path(target.toUri()));
    TreeMap<String, FileStatus> expected = Trees.snapshot(fs, new Path(source.toUri()));
    assertEquals(expected.keySet(), restored.keySet());
    for (String p : expected.keySet()) {
      java.nio.file.Path a = source.resolve(p.isEmpty() ? "." : p);
      if (Files.isRegularFile(a, LinkOption.NOFOLLOW_LINKS)) {
        assertEquals(-1L, Files.mismatch(a, target.resolve(p)), p);
      }
    }
  }

  /** On the old code: the second restore said "did not finish", and the third deleted the user's file with exit 0. */
  @Test
  void aDirectoryOfThePointNamedLikeAStagingDirectoryIsTheUsersData() throws Exception {
    java.nio.file.Path target = dir.resolve("t-lookalike");
    Cli.Result first = restore(target);
    assertEquals(0, first.exitCode, first.toString());
    assertRestoredExactly(target);
    Cli.Result again = restore(target);
    assertEquals(1, again.exitCode, again.toString());
    assertTrue(again.stderr.contains("is not empty"), again.stderr);
    Cli.Result selected = restore(target, "--overwrite", "--path", "normal");
    assertEquals(0, selected.exitCode, selected.toString());
    assertEquals("precious\n", Files.readString(target.resolve(".hbackup-restore-0badf00d/data")));
    assertRestoredExactly(target);
  }

  /** On the old code: the second restore removed the first one's staging directory, and the first exited 3. */
  @Test
  void aRunningRestoreKeepsEveryOtherRestoreOutOfItsTarget() throws Exception {
    java.nio.file.Path target = dir.resolve("t-concurrent");
    Cli.Result[] second = new Cli.Result[1];
    Cli.Result first = Cli.runPausedAt(conf, "restore.reduce", dir, () -> {
      second[0] = restore(target, "--overwrite");
    }, withTarget(target));
    assertEquals(1, second[0].exitCode, second[0].toString());
    assertTrue(second[0].stderr.contains("another restore is writing into target"), second[0].stderr);
    assertEquals(0, first.exitCode, first.toString());
    assertRestoredExactly(target);
    Cli.Result dryRun = restore(target, "--overwrite", "--dry-run");
    assertEquals(0, dryRun.exitCode, "once the first restore is done, the target is free: " + dryRun);
  }

  /** On the old code: the failed job's staging directory was removed, and the next restore said "not empty". */
  @Test
  void aRestoreWhoseJobFailsLeavesItsTargetMarkedUnfinished() throws Exception {
    java.nio.file.Path target = dir.resolve("t-failed");
    // A sort buffer Hadoop refuses: every map task fails as it starts, after the target was made ready.
    Configuration failing = new Configuration(conf);
    failing.set("mapreduce.task.io.sort.mb", "4096");
    Cli.Result failed = Cli.run(failing, withTarget(target));
    assertEquals(1, failed.exitCode, failed.toString());
    assertTrue(failed.stderr.contains("a restore with --overwrite finishes it"), failed.stderr);
    Cli.Result plain = restore(target);
    assertEquals(1, plain.exitCode, plain.toString());
    assertTrue(plain.stderr.contains("did not finish"), plain.stderr);
    Cli.Result finished = restore(target, "--overwrite");
    assertEquals(0, finished.exitCode, finished.toString());
    assertRestoredExactly(target);
  }

  /** On the old code: p and p/q were made with the umask's mode (755) and kept it. */
  @Test
  void directoriesAboveASelectedPathAreOwnerOnly() throws Exception {
    java.nio.file.Path target = dir.resolve("t-selected");
    Cli.Result r = restore(target, "--path", "p/q/f");
    assertEquals(0, r.exitCode, r.toString());
    assertEquals("in q\n", Files.readString(target.resolve("p/q/f")));
    assertEquals("rwx------", PosixFilePermissions.toString(Files.getPosixFilePermissions(target.resolve("p"))));
    assertEquals("rwx------", PosixFilePermissions.toString(Files.getPosixFilePermissions(target.resolve("p/q"))));
    Cli.Result whole = restore(dir.resolve("t-selected-dir"), "--path", "p");
    assertEquals(0, whole.exitCode, whole.toString());
    assertEquals("rwxr-x---", PosixFilePermissions.toString(
        Files.getPosixFilePermissions(dir.resolve("t-selected-dir/p/q"))), "a selected directory gets its own mode");
  }

  /** On the old code: "hbackup restore: <the target's path>", and nothing else. */
  @Test
  void aTargetThatIsASymlinkToNothingIsNamedAsSuch() throws Exception {
    java.nio.file.Path dangling = Files.createSymbolicLink(dir.resolve("t-dangling"), dir.resolve("nowhere"));
    Cli.Result r = restore(dangling);
    assertEquals(1, r.exitCode, r.toString());
    assertTrue(r.stderr.contains("is a symlink to nothing"), r.stderr);
    assertFalse(Files.exists(dir.resolve("nowhere"), LinkOption.NOFOLLOW_LINKS), "nothing made where it points");
  }

  /** On the old code: the dry run exited 0 ("would be replaced"), and the restore exited 3. */
  @Test
  void aDryRunRefusesWhatTheRestoreRefuses() throws Exception {
    java.nio.file.Path target = Files.createDirectories(dir.resolve("t-dry/normal/sub"));
    target = dir.resolve("t-dry");
    Cli.Result dryRun = restore(target, "--overwrite", "--dry-run", "--json");
    assertEquals(1, dryRun.exitCode, dryRun.toString());
    assertFalse(dryRun.json().get("wouldSucceed").asBoolean());
    assertTrue(dryRun.json().get("problems").toString().contains("a directory is in the way"), dryRun.stdout);
    Cli.Result real = restore(target, "--overwrite");
    assertEquals(3, real.exitCode, "the restore refuses it, as the dry run said: " + real);

    // The repository kept in the target where the point has an entry ("normal"): refused by both.
    java.nio.file.Path holder = Files.createDirectories(dir.resolve("t-holds-repo"));
    java.nio.file.Path repoCopy = holder.resolve("normal");
    java.nio.file.Path original = dir.resolve("repo");
    try (java.util.stream.Stream<java.nio.file.Path> walk = Files.walk(original)) {
      for (java.nio.file.Path p : (Iterable<java.nio.file.Path>) walk::iterator) {
        if (!p.toString().contains("/locks/")) {
          Files.copy(p, repoCopy.resolve(original.relativize(p).toString()));
        }
      }
    }
    String[] args = {"restore", "--repo", repoCopy.toUri().toString(), "--point", "latest", "--target",
        holder.toString(), "--overwrite"};
    Cli.Result dryRunIntoHolder = Cli.run(conf, append(args, "--dry-run"));
    assertEquals(1, dryRunIntoHolder.exitCode, dryRunIntoHolder.toString());
    assertTrue(dryRunIntoHolder.stderr.contains("it would overwrite the repository"), dryRunIntoHolder.stderr);
    Cli.Result realIntoHolder = Cli.run(conf, args);
    assertEquals(3, realIntoHolder.exitCode, realIntoHolder.toString());
    assertTrue(Files.exists(repoCopy.resolve("config.json")), "the repository is still there");
  }

  private static String[] append(String[] args, String more) {
    String[] all = java.util.Arrays.copyOf(args, args.length + 1);
    all[args.length] = more;
    return all;
  }
}
