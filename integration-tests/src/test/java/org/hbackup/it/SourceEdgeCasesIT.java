package org.hbackup.it;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.ServerSocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.TreeMap;
import java.util.stream.Stream;

import com.fasterxml.jackson.databind.JsonNode;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileStatus;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.hbackup.common.io.FileSystems;
import org.hbackup.common.testing.FaultFileSystem;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Source entries that are not plain files and directories, or that the backup may not read, on
 * the embedded default: every one is accounted for, in the point or in the report, and never
 * read as data when it is not data.
 */
class SourceEdgeCasesIT {
  @TempDir
  static java.nio.file.Path dir;

  private static Configuration conf;
  private static FileSystem fs;

  @BeforeAll
  static void setUp() throws IOException {
    conf = new Configuration();
    conf.set("hadoop.tmp.dir", dir.resolve("hadoop-tmp").toString());
    FaultFileSystem.register(conf);
    fs = FileSystems.raw(new Path(dir.toUri()), conf);
  }

  private static String uri(String name) {
    return dir.resolve(name).toUri().toString();
  }

  private static List<String> skippedPaths(JsonNode report) {
    List<String> paths = new ArrayList<>();
    report.get("skipped").forEach(n -> paths.add(n.get("path").asText()));
    return paths;
  }

  @Test
  @Timeout(120)
  void specialFilesAreNeverReadAsDataAndAreReported() throws Exception {
    java.nio.file.Path tree = Files.createDirectories(dir.resolve("special"));
    Files.writeString(tree.resolve("plain.txt"), "plain\n");
    Assumptions.assumeTrue(new ProcessBuilder("mkfifo", tree.resolve("fifo").toString()).start().waitFor() == 0,
        "mkfifo is needed");
    List<String> specials = new ArrayList<>(List.of("fifo", "socket"));
    try (ServerSocketChannel socket = ServerSocketChannel.open(StandardProtocolFamily.UNIX)) {
      socket.bind(UnixDomainSocketAddress.of(tree.resolve("socket")));
      // /dev/zero's numbers: a device read as data never ends. Only root may make one.
      if (new ProcessBuilder("mknod", tree.resolve("zero").toString(), "c", "1", "5").start().waitFor() == 0) {
        specials.add("zero");
      }
      Cli.Result backup = Cli.run(conf, "backup", "--source", tree.toString(), "--repo", uri("repo-special"), "--json");
      assertEquals(0, backup.exitCode, backup.toString());
      JsonNode report = backup.json();
      assertEquals(specials.size(), report.get("specialFilesSkipped").asLong(), backup.toString());
      assertEquals(1, report.get("files").asLong());
      assertEquals(6, report.get("bytesRead").asLong(), "only the plain file is read");
      List<String> named = skippedPaths(report);
      java.util.Collections.sort(specials);
      assertEquals(specials, named);
      assertTrue(backup.stderr.contains("special files skipped"), backup.stderr);
    }
    Cli.Result restore = Cli.run(conf, "restore", "--repo", uri("repo-special"), "--point", "latest",
        "--target", uri("restored-special"));
    assertEquals(0, restore.exitCode, restore.toString());
    try (Stream<java.nio.file.Path> entries = Files.list(dir.resolve("restored-special"))) {
      assertEquals(List.of("plain.txt"), entries.map(p -> p.getFileName().toString()).toList());
    }
  }

  /**
   * A symlink's target is text, restored as it was read: Hadoop's Path refused "a:b" (the whole
   * backup failed with exit 1) and rewrote the rest ("../x/../y" as "../y", another place when x
   * is a link; "dir/" as "dir", which also resolves to a file).
   */
  @Test
  @Timeout(120)
  void symlinkTargetsRoundTripAsTheirExactText() throws Exception {
    java.nio.file.Path tree = Files.createDirectories(dir.resolve("links"));
    Files.writeString(tree.resolve("a:b"), "colon\n");
    String[] targets = {"a:b", "C:\\x", "http://host/x", "a//b", "dir/", "./x", "x/./y", "../x/../y",
        "/abs//path/", "%41", "#f", "?q", "-dash", "a b", "\u00e9t\u00e9"};
    for (int i = 0; i < targets.length; i++) {
      // ln(1), not the JDK, which would drop the repeated and trailing slashes before the test began.
      Process ln = new ProcessBuilder("ln", "-s", "--", targets[i], tree.resolve("l" + i).toString()).start();
      assertEquals(0, ln.waitFor(), targets[i]);
      assertEquals(targets[i], Files.readSymbolicLink(tree.resolve("l" + i)).toString());
    }
    Cli.Result backup = Cli.run(conf, "backup", "--source", tree.toString(), "--repo", uri("repo-links"), "--json");
    assertEquals(0, backup.exitCode, backup.toString());
    java.nio.file.Path restored = dir.resolve("restored-links");
    Cli.Result restore = Cli.run(conf, "restore", "--repo", uri("repo-links"), "--point", "latest",
        "--target", restored.toUri().toString(), "--json");
    assertEquals(0, restore.exitCode, restore.toString());
    assertEquals(targets.length, restore.json().get("symlinks").asLong(), restore.stdout);
    for (int i = 0; i < targets.length; i++) {
      assertEquals(targets[i], Files.readSymbolicLink(restored.resolve("l" + i)).toString(), "l" + i);
    }
    assertEquals("colon\n", Files.readString(restored.resolve("a:b")));
  }

  /**
   * A live file rewritten in place between the tasks that read its ranges: the point would join
   * ranges of two versions (a state the file never had), and said nothing, exit 0. Now named,
   * exit 4. A file rewritten after the listing but before it was read is read again as it is
   * then: its content and its time in the point are of one version.
   */
  @Test
  @Timeout(180)
  void aFileThatChangesWhileItIsReadIsNamedOrReadAgainNeverSilentlyMixed() throws Exception {
    java.nio.file.Path tree = Files.createDirectories(dir.resolve("changing"));
    java.util.Random random = new java.util.Random(5);
    byte[] big = new byte[4 << 20];
    random.nextBytes(big);
    Files.write(tree.resolve("big.bin"), big);
    PausedCommand backup = PausedCommand.start(conf, dir.resolve("pause-ranges"), "backup.map", "backup",
        "-D", "hbackup.backup.range.bytes=1048576", "--max-maps", "1", "--source", tree.toString(),
        "--repo", uri("repo-changing"), "--json");
    byte[] rewritten = new byte[big.length];
    random.nextBytes(rewritten);
    try (java.nio.channels.FileChannel f = java.nio.channels.FileChannel.open(tree.resolve("big.bin"),
        java.nio.file.StandardOpenOption.WRITE)) {
      f.write(java.nio.ByteBuffer.wrap(rewritten));
    }
    Files.setLastModifiedTime(tree.resolve("big.bin"),
        java.nio.file.attribute.FileTime.fromMillis(System.currentTimeMillis() + 5000));
    Cli.Result mixed = backup.release();
    assertEquals(4, mixed.exitCode, mixed.toString());
    assertEquals(1, mixed.json().get("filesChanging").asLong(), mixed.stdout);
    assertEquals("big.bin", mixed.json().get("changing").get(0).asText(), mixed.stdout);
    assertTrue(mixed.stderr.contains("changed while they were read") && mixed.stderr.contains("big.bin"), mixed.stderr);

    java.nio.file.Path small = Files.createDirectories(dir.resolve("changing-small")).resolve("f.txt");
    Files.writeString(small, "version one\n");
    PausedCommand listed = PausedCommand.start(conf, dir.resolve("pause-listed"), "backup.listed", "backup",
        "--source", small.getParent().toString(), "--repo", uri("repo-changing-small"), "--json");
    Files.writeString(small, "version two\n");
    long written = (System.currentTimeMillis() / 1000 + 7) * 1000;
    Files.setLastModifiedTime(small, java.nio.file.attribute.FileTime.fromMillis(written));
    Cli.Result again = listed.release();
    assertEquals(0, again.exitCode, again.toString());
    assertEquals(0, again.json().get("filesChanging").asLong(), again.stdout);
    java.nio.file.Path restored = dir.resolve("restored-changing-small");
    assertEquals(0, Cli.run(conf, "restore", "--repo", uri("repo-changing-small"), "--point", "latest",
        "--target", restored.toUri().toString()).exitCode);
    assertEquals("version two\n", Files.readString(restored.resolve("f.txt")));
    assertEquals(written, Files.getLastModifiedTime(restored.resolve("f.txt")).toMillis(),
        "the time of the version the point holds, not the listed one");
  }

  @Test
  void namesOfTheLongestLengthRoundTrip() throws Exception {
    String longName = "名".repeat(85);
    assertEquals(255, longName.getBytes(StandardCharsets.UTF_8).length);
    java.nio.file.Path tree = Files.createDirectories(dir.resolve("long/" + longName));
    Files.writeString(tree.resolve(longName), "deep and long\n");
    Files.writeString(dir.resolve("long/" + "x".repeat(255)), "wide\n");
    Cli.Result backup = Cli.run(conf, "backup", "--source", dir.resolve("long").toString(), "--repo", uri("repo-long"));
    assertEquals(0, backup.exitCode, backup.toString());
    Cli.Result restore = Cli.run(conf, "restore", "--repo", uri("repo-long"), "--point", "latest",
        "--target", uri("restored-long"));
    assertEquals(0, restore.exitCode, restore.toString());
    Trees.assertSameTree(Trees.snapshot(fs, new Path(dir.resolve("long").toUri())), fs, fs,
        new Path(uri("restored-long")), false, false);
  }

  /**
   * Names that are not UTF-8 (a Latin-1 era file name) decode to U+FFFD, a string that names no
   * file: the listing used to look it up, find nothing, and leave the entry out as if deleted,
   * with exit 0. Now each is reported under its directory, and a symlink whose target is not
   * UTF-8 under its own path; the backup exits 4. Two such names in one directory are two
   * entries left out: the second was neither named nor counted.
   */
  @Test
  void entriesWhoseNameOrTargetIsNotUtf8AreReportedNeverSilentlyLeftOut() throws Exception {
    java.nio.file.Path tree = Files.createDirectories(dir.resolve("latin1"));
    Files.writeString(tree.resolve("ok.txt"), "ok\n");
    Files.writeString(java.nio.file.Paths.get(java.net.URI.create(tree.toUri() + "report%FF.txt")), "lost?\n");
    Files.writeString(java.nio.file.Paths.get(java.net.URI.create(tree.toUri() + "notes%FE.txt")), "lost too?\n");
    Files.createDirectories(tree.resolve("sub"));
    Files.writeString(java.nio.file.Paths.get(java.net.URI.create(tree.toUri() + "sub/inner%E9")), "nested\n");
    Files.createSymbolicLink(tree.resolve("link"), java.nio.file.Paths.get(java.net.URI.create("file:///nowhere/x%FE")));
    Cli.Result backup = Cli.run(conf, "backup", "--source", tree.toString(), "--repo", uri("repo-latin1"), "--json");
    assertEquals(4, backup.exitCode, "complete, with entries it could not record: " + backup);
    JsonNode report = backup.json();
    assertEquals(4, report.get("entriesUnreadable").asLong(), backup.toString());
    assertEquals(1, report.get("files").asLong(), backup.toString());
    assertEquals(List.of("", "", "link", "sub"), skippedPaths(report));
    String reasons = report.get("skipped").toString();
    assertTrue(reasons.contains("report\\\\xFF.txt") && reasons.contains("notes\\\\xFE.txt")
        && reasons.contains("inner\\\\xE9")
        && reasons.contains("its symlink target is not valid UTF-8"), reasons);
    Cli.Result restore = Cli.run(conf, "restore", "--repo", uri("repo-latin1"), "--point", "latest",
        "--target", uri("restored-latin1"));
    assertEquals(0, restore.exitCode, restore.toString());
    java.nio.file.Path restored = dir.resolve("restored-latin1");
    assertEquals("ok\n", Files.readString(restored.resolve("ok.txt")));
    try (Stream<java.nio.file.Path> entries = Files.list(restored)) {
      assertEquals(2, entries.count(), "ok.txt and sub: " + restored);
    }
    Cli.Result excluded = Cli.run(conf, "backup", "--source", tree.toString(), "--repo", uri("repo-latin1"),
        "--exclude", "*.txt", "--exclude", "sub/inner*", "--json");
    assertEquals(4, excluded.exitCode, "the link is still reported: " + excluded);
    assertEquals(List.of("link"), skippedPaths(excluded.json()), "patterns match the names as decoded");
  }

  /**
   * An entry whose path is longer than Linux takes in a system call (4,096 bytes with its NUL):
   * it can exist (its parent was renamed deeper) but cannot be looked at by its path, and the
   * whole backup failed on it (exit 1). It is reported under its directory and left out, with
   * what lies under it (exit 4); the rest of the tree is backed up and restores.
   */
  @Test
  void anEntryWhosePathIsTooLongIsReportedAndTheRestBackedUp() throws Exception {
    java.nio.file.Path tree = Files.createDirectories(dir.resolve("deep"));
    Files.writeString(tree.resolve("top.txt"), "top\n");
    String name = "d".repeat(200);
    java.nio.file.Path upper = tree;
    for (int i = 0; i < 12; i++) {
      upper = upper.resolve(name + (char) ('a' + i));
    }
    Files.createDirectories(upper);
    java.nio.file.Path aside = dir.resolve("deep-aside");
    java.nio.file.Path lower = aside;
    for (int i = 0; i < 10; i++) {
      lower = lower.resolve(name + (char) ('a' + i));
    }
    Files.createDirectories(lower);
    Files.writeString(lower.resolve("deepest.txt"), "too deep to look at\n");
    // Each call takes a path under the limit; the file's own path is not.
    Files.move(aside, upper.resolve("aside"));
    try {
      Cli.Result backup = Cli.run(conf, "backup", "--source", tree.toString(), "--repo", uri("repo-deep"), "--json");
      assertEquals(4, backup.exitCode, backup.toString());
      JsonNode report = backup.json();
      assertEquals(1, report.get("entriesUnreadable").asLong(), backup.stdout);
      assertEquals(1, report.get("files").asLong(), "top.txt: " + backup.stdout);
      assertTrue(report.get("skipped").get(0).get("reason").asText().contains("at most 4095"), backup.stdout);
      Cli.Result restore = Cli.run(conf, "restore", "--repo", uri("repo-deep"), "--point", "latest", "--target",
          uri("rd"));
      assertEquals(0, restore.exitCode, restore.toString());
      assertEquals("top\n", Files.readString(dir.resolve("rd/top.txt")));
    } finally {
      // Back within reach, so that the temporary directory can be deleted by path.
      Files.move(upper.resolve("aside"), dir.resolve("deep-back"));
    }
  }

  /**
   * A source given as a symlink to a directory (/data naming a mount's directory): the directory
   * it names is backed up, and the point's root is that directory. The root was recorded as the
   * symlink, with the directory's entries below it: the backup exited 0, and every restore of
   * the point refused all of it (exit 3).
   */
  @Test
  void aSourceGivenAsASymlinkIsTheDirectoryItNames() throws Exception {
    java.nio.file.Path real = Files.createDirectories(dir.resolve("linked-real/sub"));
    Files.writeString(real.resolve("a.txt"), "through the link\n");
    java.nio.file.Path link = Files.createSymbolicLink(dir.resolve("linked-source"), real.getParent());
    Cli.Result backup = Cli.run(conf, "backup", "--source", link.toString(), "--repo", uri("repo-linked"), "--json");
    assertEquals(0, backup.exitCode, backup.toString());
    assertEquals(2, backup.json().get("directories").asLong(), backup.stdout);
    Cli.Result restore = Cli.run(conf, "restore", "--repo", uri("repo-linked"), "--point", "latest", "--target",
        uri("restored-linked"));
    assertEquals(0, restore.exitCode, restore.toString());
    assertEquals("through the link\n", Files.readString(dir.resolve("restored-linked/sub/a.txt")));
    assertEquals(0, Cli.run(conf, "verify", "--repo", uri("repo-linked")).exitCode);
    Cli.Result again = Cli.run(conf, "backup", "--source", link.toString(), "--repo", uri("repo-linked"), "--json");
    assertEquals(0, again.exitCode, again.toString());
    assertEquals(1, again.json().get("filesCarriedOver").asLong(), again.stdout);
  }

  @Test
  void aRepositoryInsideItsSourceIsLeftOutAndASourceInsideTheRepositoryRefused() throws Exception {
    java.nio.file.Path tree = Files.createDirectories(dir.resolve("holder/data"));
    Files.writeString(tree.resolve("a.txt"), "a\n");
    String repo = dir.resolve("holder/backups/repo").toUri().toString();
    for (int run = 0; run < 2; run++) {
      Cli.Result backup = Cli.run(conf, "backup", "--source", dir.resolve("holder").toString(), "--repo", repo, "--json");
      assertEquals(0, backup.exitCode, backup.toString());
      assertEquals("backups/repo", backup.json().get("repositoryExcluded").asText());
    }
    Cli.Result restore = Cli.run(conf, "restore", "--repo", repo, "--point", "latest", "--target", uri("restored-holder"));
    assertEquals(0, restore.exitCode, restore.toString());
    assertTrue(Files.isDirectory(dir.resolve("restored-holder/backups")));
    assertFalse(Files.exists(dir.resolve("restored-holder/backups/repo")), "the repository is not in its own points");
    assertEquals("a\n", Files.readString(dir.resolve("restored-holder/data/a.txt")));

    Cli.Result inside = Cli.run(conf, "backup", "--source", dir.resolve("holder/backups/repo/packs").toString(),
        "--repo", repo);
    assertEquals(1, inside.exitCode, inside.toString());
    assertTrue(inside.stderr.contains("inside the repository"), inside.stderr);
  }

  @Test
  void unreadableFilesAndDirectoriesAreReportedAndTheRestBackedUp() throws Exception {
    java.nio.file.Path tree = Files.createDirectories(dir.resolve("guarded"));
    Files.writeString(tree.resolve("open.txt"), "open\n");
    Files.writeString(tree.resolve("secret.txt"), "secret\n");
    Files.createDirectories(tree.resolve("locked/inner"));
    Files.writeString(tree.resolve("locked/inner/hidden.txt"), "hidden\n");
    Configuration faults = new Configuration(conf);
    faults.set(FaultFileSystem.UNREADABLE, "secret.txt");
    faults.set(FaultFileSystem.UNLISTABLE, "locked");
    String source = FaultFileSystem.SCHEME + ":" + tree;
    Cli.Result backup = Cli.run(faults, "backup", "--source", source, "--repo", uri("repo-guarded"), "--json");
    assertEquals(4, backup.exitCode, "complete, with unreadable entries: " + backup);
    JsonNode report = backup.json();
    assertEquals(2, report.get("entriesUnreadable").asLong(), backup.toString());
    assertEquals(List.of("locked", "secret.txt"), skippedPaths(report));
    assertTrue(backup.stderr.contains("could not be read") && backup.stderr.contains("secret.txt"), backup.stderr);
    Cli.Result restore = Cli.run(conf, "restore", "--repo", uri("repo-guarded"), "--point", "latest",
        "--target", uri("restored-guarded"));
    assertEquals(0, restore.exitCode, restore.toString());
    java.nio.file.Path restored = dir.resolve("restored-guarded");
    assertEquals("open\n", Files.readString(restored.resolve("open.txt")));
    assertFalse(Files.exists(restored.resolve("secret.txt")));
    try (Stream<java.nio.file.Path> inLocked = Files.list(restored.resolve("locked"))) {
      assertEquals(0, inLocked.count(), "the directory that could not be listed is kept, empty");
    }
  }

  @Test
  void asAUserWhoMayNotReadAFileItIsReported() throws Exception {
    Assumptions.assumeFalse("root".equals(System.getProperty("user.name")), "root reads every file");
    java.nio.file.Path tree = Files.createDirectories(dir.resolve("modes"));
    Files.writeString(tree.resolve("mine.txt"), "mine\n");
    java.nio.file.Path closed = tree.resolve("closed.txt");
    Files.writeString(closed, "closed\n");
    Files.setPosixFilePermissions(closed, PosixFilePermissions.fromString("---------"));
    Cli.Result backup = Cli.run(conf, "backup", "--source", tree.toString(), "--repo", uri("repo-modes"), "--json");
    assertEquals(4, backup.exitCode, backup.toString());
    assertEquals(List.of("closed.txt"), skippedPaths(backup.json()));
  }

  @Test
  void aFullDiskIsNamedInTheErrorAndTheRepositoryStaysUsable() throws Exception {
    java.nio.file.Path tree = Files.createDirectories(dir.resolve("to-fill"));
    Files.writeString(tree.resolve("a.txt"), "some data\n");
    Configuration full = new Configuration(conf);
    full.set(FaultFileSystem.FULL, ".pack");
    String repoPath = dir.resolve("repo-full").toString();
    assertEquals(0, Cli.run(conf, "init", "--repo", uri("repo-full")).exitCode);
    Cli.Result failed = Cli.run(full, "backup", "--source", tree.toString(),
        "--repo", FaultFileSystem.SCHEME + ":" + repoPath);
    assertEquals(1, failed.exitCode, failed.toString());
    assertTrue(failed.stderr.contains("No space left on device"), failed.stderr);
    assertEquals(1, failed.stderr.trim().lines().count(), failed.stderr);
    assertEquals(0, Cli.run(conf, "list", "--repo", uri("repo-full"), "--json").json().get("points").size());
    Cli.Result next = Cli.run(conf, "backup", "--source", tree.toString(), "--repo", uri("repo-full"));
    assertEquals(0, next.exitCode, next.toString());
    Cli.Result restore = Cli.run(conf, "restore", "--repo", uri("repo-full"), "--point", "latest",
        "--target", uri("restored-full"));
    assertEquals(0, restore.exitCode, restore.toString());
    assertArrayEquals(Files.readAllBytes(tree.resolve("a.txt")), Files.readAllBytes(dir.resolve("restored-full/a.txt")));
  }

  @Test
  void everyRepositoryFileIsReadableByItsOwnerOnly() throws Exception {
    java.nio.file.Path tree = Files.createDirectories(dir.resolve("public"));
    Files.writeString(tree.resolve("world-readable.txt"), "anyone may read this here\n");
    Files.setPosixFilePermissions(tree.resolve("world-readable.txt"), PosixFilePermissions.fromString("rw-r--r--"));
    assertEquals(0, Cli.run(conf, "backup", "--source", tree.toString(), "--repo", uri("repo-modes-2")).exitCode);
    Files.writeString(tree.resolve("more.txt"), "a second point\n");
    assertEquals(0, Cli.run(conf, "backup", "--source", tree.toString(), "--repo", uri("repo-modes-2")).exitCode);
    try (Stream<java.nio.file.Path> walk = Files.walk(dir.resolve("repo-modes-2"))) {
      for (java.nio.file.Path p : walk.toList()) {
        String mode = PosixFilePermissions.toString(Files.getPosixFilePermissions(p));
        assertEquals(Files.isDirectory(p) ? "rwx------" : "rw-------", mode, p.toString());
      }
    }
    TreeMap<String, FileStatus> source = Trees.snapshot(fs, new Path(tree.toUri()));
    assertEquals(2, source.size());
  }

  /**
   * A file written again with its length kept and its modification time set back (tar, rsync -a,
   * cp -p, a build pinned to SOURCE_DATE_EPOCH): the next backup took it as unchanged by length
   * and time and carried the old content over with exit 0, into that point and every later one,
   * and a restore gave bytes the file no longer held (found by a probe). Its change stamp (inode,
   * ctime, mtime in ns) moved, so it is read; a file whose stamp did not move is not.
   */
  @Test
  @Timeout(120)
  void aFileWrittenWithItsTimeSetBackIsReadByTheNextBackup() throws Exception {
    java.nio.file.Path tree = Files.createDirectories(dir.resolve("racy"));
    java.nio.file.Path hot = tree.resolve("hot.txt");
    java.nio.file.Path settled = tree.resolve("settled.txt");
    Files.writeString(settled, "settled\n");
    Files.setLastModifiedTime(settled, java.nio.file.attribute.FileTime.fromMillis(System.currentTimeMillis() - 3_600_000));
    Files.writeString(hot, "version one\n");
    // Points record milliseconds.
    java.nio.file.attribute.FileTime tick = java.nio.file.attribute.FileTime.fromMillis(Files.getLastModifiedTime(hot).toMillis());
    Files.setLastModifiedTime(hot, tick);
    Cli.Result first = Cli.run(conf, "backup", "--source", tree.toString(), "--repo", uri("repo-racy"));
    assertEquals(0, first.exitCode, first.toString());
    Thread.sleep(20); // past the kernel's timestamp tick, so that the ctime moves
    Files.writeString(hot, "version two\n");
    Files.setLastModifiedTime(hot, tick);
    // The dry run's figures (and the split weights, from the same test) know it is to be read.
    Cli.Result dry = Cli.run(conf, "backup", "--source", tree.toString(), "--repo", uri("repo-racy"), "--dry-run",
        "--json");
    assertEquals(0, dry.exitCode, dry.toString());
    assertEquals(1, dry.json().get("filesUnchanged").asLong(), dry.stdout);
    assertEquals(1, dry.json().get("filesToRead").asLong(), dry.stdout);
    Cli.Result second = Cli.run(conf, "backup", "--source", tree.toString(), "--repo", uri("repo-racy"), "--json");
    assertEquals(0, second.exitCode, second.toString());
    java.nio.file.Path restored = dir.resolve("restored-racy");
    Cli.Result restore = Cli.run(conf, "restore", "--repo", uri("repo-racy"), "--point", "latest",
        "--target", restored.toUri().toString());
    assertEquals(0, restore.exitCode, restore.toString());
    assertEquals("version two\n", Files.readString(restored.resolve("hot.txt")));
    assertEquals("settled\n", Files.readString(restored.resolve("settled.txt")));
    assertEquals(tick, Files.getLastModifiedTime(restored.resolve("hot.txt")));
    JsonNode report = second.json();
    assertEquals(0, report.get("filesRecentInBase").asLong(), "times of a finer grain than seconds: " + second.stdout);
    assertEquals(1, report.get("filesChecksumChanged").asLong(), "its stamp moved: " + second.stdout);
    assertEquals(1, report.get("filesCarriedOver").asLong(), "the settled file is not read: " + second.stdout);
  }
}
