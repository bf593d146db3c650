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

import com.fasterxml.jackson.databind.JsonNode;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileStatus;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.LocatedFileStatus;
import org.apache.hadoop.fs.Path;
import org.apache.hadoop.fs.RemoteIterator;
import org.hbackup.common.io.FileSystems;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A repository on {@code s3a://}, against a local S3 server (s3rver) that the test installs and
 * starts: backups, an incremental one, restores byte for byte with metadata, verify with
 * --read-data, a missing pack reported as damage, and forget + prune. S3A's streams are set to
 * fail on {@code hsync}, so a writer that syncs an object store's stream fails here.
 */
class S3aRepositoryIT {
  @TempDir
  static java.nio.file.Path dir;

  private static S3rver server;
  private static Configuration conf;
  private static FileSystem local;

  @BeforeAll
  static void startServer() throws Exception {
    server = S3rver.start(dir.resolve("s3-data"));
    conf = new Configuration();
    conf.set("hadoop.tmp.dir", dir.resolve("hadoop-tmp").toString());
    server.configure(conf);
    // Everything here is seconds old: young to prune's default grace period.
    conf.setLong("hbackup.prune.grace.seconds", 0);
    conf.setLong("hbackup.tmp.reclaim.grace.seconds", 0);
    local = FileSystems.raw(new Path(dir.toUri()), conf);
  }

  @AfterAll
  static void stopServer() {
    if (server != null) {
      server.close();
    }
  }

  private static java.nio.file.Path source(String name, long seed) throws IOException {
    java.nio.file.Path root = dir.resolve(name);
    Random random = new Random(seed);
    for (int i = 0; i < 40; i++) {
      java.nio.file.Path f = root.resolve("d" + (i % 4) + "/file-" + i + ".txt");
      Files.createDirectories(f.getParent());
      Files.writeString(f, ("line " + i + " of " + name + "\n").repeat(1 + random.nextInt(400)));
    }
    writeRandom(root.resolve("big.bin"), 6 << 20, random);
    Files.createSymbolicLink(root.resolve("link"), java.nio.file.Paths.get("d0/file-0.txt"));
    Files.createDirectories(root.resolve("empty"));
    return root;
  }

  private static void writeRandom(java.nio.file.Path file, int length, Random random) throws IOException {
    byte[] data = new byte[length];
    random.nextBytes(data);
    Files.write(file, data);
  }

  private static TreeMap<String, FileStatus> snapshot(java.nio.file.Path root) throws IOException {
    return Trees.snapshot(local, new Path(root.toUri()));
  }

  private static void assertRestores(String repo, String point, TreeMap<String, FileStatus> expected, String target)
      throws Exception {
    java.nio.file.Path to = dir.resolve(target);
    Cli.Result restore = Cli.run(conf, "restore", "--repo", repo, "--point", point, "--target", to.toUri().toString());
    assertEquals(0, restore.exitCode, restore.toString());
    Trees.assertSameTree(expected, local, local, new Path(to.toUri()), false, false);
  }

  private static List<Path> files(String uri) throws IOException {
    Path root = new Path(uri);
    FileSystem fs = root.getFileSystem(conf);
    List<Path> files = new ArrayList<>();
    if (!fs.exists(root)) {
      return files;
    }
    RemoteIterator<LocatedFileStatus> it = fs.listFiles(root, true);
    while (it.hasNext()) {
      files.add(it.next().getPath());
    }
    return files;
  }

  /**
   * A source on S3 whose large object is written again under its key between the tasks that read
   * its ranges (a job that rewrites its output): the tasks after the rewrite read the new object.
   * Each range is read from the object version (ETag) its task found, and the ranges' versions
   * are compared where they are joined, so the backup names the file (exit 4); it was joined from
   * two objects with exit 0. Objects left alone are not flagged, and the next backup stores the
   * new object whole.
   */
  @Test
  void aSourceObjectWrittenAgainBetweenItsRangesIsNamedNeverSilentlyJoined() throws Exception {
    Path big = new Path(server.uri("rewritten/big.bin"));
    FileSystem s3 = big.getFileSystem(conf);
    Random random = new Random(7);
    byte[] before = new byte[4 << 20];
    random.nextBytes(before);
    byte[] after = new byte[4 << 20];
    random.nextBytes(after);
    byte[] steady = new byte[3 << 20];
    random.nextBytes(steady);
    writeObject(s3, big, before);
    writeObject(s3, new Path(server.uri("rewritten/steady.bin")), steady);
    String source = server.uri("rewritten");
    String repo = dir.resolve("repo-of-s3-source").toUri().toString();
    PausedCommand backup = PausedCommand.start(conf, dir.resolve("pause-rewritten"), "backup.map", "backup",
        "-D", "hbackup.backup.range.bytes=1048576", "--max-maps", "1", "--source", source, "--repo", repo, "--json");
    writeObject(s3, big, after);
    Cli.Result mixed = backup.release();
    assertEquals(4, mixed.exitCode, mixed.toString());
    assertEquals(1, mixed.json().get("filesChanging").asLong(), mixed.stdout);
    assertEquals("big.bin", mixed.json().get("changing").get(0).asText(), mixed.stdout);

    Cli.Result next = Cli.run(conf, "backup", "-D", "hbackup.backup.range.bytes=1048576", "--source", source,
        "--repo", repo, "--json");
    assertEquals(0, next.exitCode, "nothing rewritten, nothing flagged: " + next);
    assertEquals(0, next.json().get("filesChanging").asLong(), next.stdout);
    java.nio.file.Path target = dir.resolve("restored-of-s3-source");
    Cli.Result restore = Cli.run(conf, "restore", "--repo", repo, "--point", "latest", "--target",
        target.toUri().toString());
    assertEquals(0, restore.exitCode, restore.toString());
    org.junit.jupiter.api.Assertions.assertArrayEquals(after, Files.readAllBytes(target.resolve("big.bin")));
    org.junit.jupiter.api.Assertions.assertArrayEquals(steady, Files.readAllBytes(target.resolve("steady.bin")));
  }

  /**
   * An object written again after the listing and before any of its ranges was read: every range
   * then names the same version, so the versions agree; its new length, which the store gives with
   * that version, is not the listed one, and the file is named (it was joined, cut to the listed
   * length, with exit 0).
   */
  @Test
  void aSourceObjectWrittenAgainAfterTheListingIsNamed() throws Exception {
    Path big = new Path(server.uri("relisted/big.bin"));
    FileSystem s3 = big.getFileSystem(conf);
    Random random = new Random(8);
    byte[] before = new byte[3 << 20];
    random.nextBytes(before);
    byte[] after = new byte[(3 << 20) + 4096];
    random.nextBytes(after);
    writeObject(s3, big, before);
    Cli.Result backup = Cli.runPausedAt(conf, "backup.listed", dir, () -> writeObject(s3, big, after), "backup", "-D", "hbackup.backup.range.bytes=1048576", "--source", server.uri("relisted"), "--repo",
        dir.resolve("repo-relisted").toUri().toString(), "--json");
    assertEquals(4, backup.exitCode, backup.toString());
    assertEquals(1, backup.json().get("filesChanging").asLong(), backup.stdout);
    assertEquals("big.bin", backup.json().get("changing").get(0).asText(), backup.stdout);
  }

  private static void writeObject(FileSystem s3, Path path, byte[] data) throws IOException {
    try (org.apache.hadoop.fs.FSDataOutputStream out = s3.create(path, true)) {
      out.write(data);
    }
  }

  @Test
  void s3aStreamsAreWrittenInPlaceAndNeverSynced() throws Exception {
    Path probe = new Path(server.uri("probe/file"));
    FileSystem s3 = probe.getFileSystem(conf);
    assertTrue(FileSystems.visibleWholeOnClose(s3, probe), "an S3A object appears when its upload completes");
    try (org.apache.hadoop.fs.FSDataOutputStream out = s3.create(probe)) {
      assertFalse(FileSystems.syncs(out), "S3A declares no hsync");
      out.write(1);
      FileSystems.sync(out);
    }
    FileSystems.writeAtomically(s3, new Path(server.uri("probe/record")), new byte[] {42},
        new Path(server.uri("probe/tmp")));
    assertEquals(1, s3.getFileStatus(new Path(server.uri("probe/record"))).getLen());
    assertFalse(s3.exists(new Path(server.uri("probe/tmp"))), "no scratch copy on an object store");
    org.junit.jupiter.api.Assertions.assertThrows(IOException.class, () -> FileSystems.writeAtomically(s3,
        new Path(server.uri("probe/record")), new byte[] {1, 2}, new Path(server.uri("probe/tmp"))));
    assertEquals(1, s3.getFileStatus(new Path(server.uri("probe/record"))).getLen(), "never replaced");
  }

  @Test
  void backsUpToS3aIncrementallyAndRestoresEveryPointExactly() throws Exception {
    java.nio.file.Path src = source("source-a", 1);
    String repo = server.uri("repo-a");
    Cli.Result full = Cli.run(conf, "backup", "--source", src.toUri().toString(), "--repo", repo, "--json");
    assertEquals(0, full.exitCode, full.toString());
    String firstPoint = full.json().get("point").asText();
    // The first version, kept aside (times and modes too) to compare its restore with.
    java.nio.file.Path firstCopy = dir.resolve("source-a-v1");
    assertEquals(0, new ProcessBuilder("cp", "-a", src.toString(), firstCopy.toString()).inheritIO().start().waitFor());
    TreeMap<String, FileStatus> first = snapshot(firstCopy);

    Files.writeString(src.resolve("d1/file-1.txt"), "changed on S3\n");
    Files.delete(src.resolve("d2/file-2.txt"));
    Files.writeString(src.resolve("d3/new.txt"), "new\n");
    TreeMap<String, FileStatus> second = snapshot(src);
    Cli.Result incremental = Cli.run(conf, "backup", "--source", src.toUri().toString(), "--repo", repo, "--json");
    assertEquals(0, incremental.exitCode, incremental.toString());
    JsonNode figures = incremental.json();
    assertTrue(figures.get("bytesRead").asLong() < 1000, "only the changed files are read: " + figures);

    assertRestores(repo, firstPoint, first, "restored-a1");
    assertRestores(repo, "latest", second, "restored-a2");

    Cli.Result verify = Cli.run(conf, "verify", "--repo", repo, "--read-data", "--json");
    assertEquals(0, verify.exitCode, verify.toString());
    assertTrue(verify.json().get("bytesRead").asLong() > 6 << 20, verify.stdout);
    assertEquals(2, Cli.run(conf, "list", "--repo", repo, "--json").json().get("points").size());
    // Staging is gone, and the point records were written in place (no scratch copies left).
    assertEquals(List.of(), files(repo + "/tmp"), "nothing left in tmp/");
    assertEquals(2, files(repo + "/points").size());
    assertEquals(List.of(), files(repo + "/locks"), "every lock released");
  }

  /**
   * What a killed backup left in tmp/ on S3 (a staging tree, a listing) goes with a later backup,
   * but not while it is young: an S3 directory has no time of its own (S3A reports 0 or the time
   * of the listing, which kept it forever), so its age is its newest object's.
   */
  @Test
  void aKilledBackupsStagingOnS3IsReclaimedOnceOld() throws Exception {
    java.nio.file.Path src = source("source-d", 4);
    String repo = server.uri("repo-d");
    assertEquals(0, Cli.run(conf, "backup", "--source", src.toUri().toString(), "--repo", repo).exitCode);
    String killed = "20200101T000000000Z-0badc0de";
    Path staging = new Path(repo + "/tmp/" + killed);
    FileSystem s3 = staging.getFileSystem(conf);
    // (s3rver lists a prefix only when an object lies directly in it; S3 lists it anyway.)
    for (String name : new String[] {"packs/ab/abcdef.pack", "index/partial", "stats.json"}) {
      try (org.apache.hadoop.fs.FSDataOutputStream out = s3.create(new Path(staging, name))) {
        out.write(new byte[4096]);
      }
    }
    try (org.apache.hadoop.fs.FSDataOutputStream out = s3.create(new Path(repo + "/tmp/" + killed + ".listing"))) {
      out.write(1);
    }
    Cli.Result young = Cli.run(conf, "backup", "-D", "hbackup.tmp.reclaim.grace.seconds=600",
        "--source", src.toUri().toString(), "--repo", repo, "--json");
    assertEquals(0, young.exitCode, young.toString());
    assertEquals(0, young.json().get("stagingReclaimed").asLong(), young.stdout);
    assertTrue(s3.exists(new Path(staging, "packs/ab/abcdef.pack")), "a young staging tree stays");

    Cli.Result next = Cli.run(conf, "backup", "--source", src.toUri().toString(), "--repo", repo, "--json");
    assertEquals(0, next.exitCode, next.toString());
    assertEquals(2, next.json().get("stagingReclaimed").asLong(), next.stdout);
    assertEquals(3 * 4096 + 1, next.json().get("stagingBytesReclaimed").asLong(), next.stdout);
    assertFalse(s3.exists(staging), "the staging tree is gone");
    assertEquals(List.of(), files(repo + "/tmp"), "nothing left in tmp/");
  }

  @Test
  void aMissingPackOnS3IsReportedAsDamageWithItsName() throws Exception {
    java.nio.file.Path src = source("source-b", 2);
    String repo = server.uri("repo-b");
    assertEquals(0, Cli.run(conf, "backup", "--source", src.toUri().toString(), "--repo", repo).exitCode);
    List<Path> packs = files(repo + "/packs");
    assertFalse(packs.isEmpty());
    Path lost = packs.get(0);
    assertTrue(lost.getFileSystem(conf).delete(lost, false));

    Cli.Result verify = Cli.run(conf, "verify", "--repo", repo);
    assertEquals(3, verify.exitCode, verify.toString());
    assertTrue(verify.stdout.contains(lost.getName()) || verify.stderr.contains(lost.getName()),
        "the missing pack is named: " + verify);
  }

  @Test
  void forgetAndPruneOnS3KeepWhatTheRemainingPointNeeds() throws Exception {
    java.nio.file.Path src = source("source-c", 3);
    String repo = server.uri("repo-c");
    assertEquals(0, Cli.run(conf, "backup", "--source", src.toUri().toString(), "--repo", repo).exitCode);
    writeRandom(src.resolve("big.bin"), 6 << 20, new Random(33));
    TreeMap<String, FileStatus> latest = snapshot(src);
    assertEquals(0, Cli.run(conf, "backup", "--source", src.toUri().toString(), "--repo", repo).exitCode);
    long before = bytes(repo);

    Cli.Result prune = Cli.run(conf, "forget", "--repo", repo, "--keep-last", "1", "--prune", "--json");
    assertEquals(0, prune.exitCode, prune.toString());
    // A pack holding small files and the old big.bin is rewritten: the repack-and-index job writes
    // packs and its problems into the repository's staging on S3 while its inputs are in the local
    // work directory.
    assertTrue(prune.json().get("prune").get("packsRepacked").asLong() > 0, prune.stdout);
    long after = bytes(repo);
    assertTrue(before - after > 5 << 20, "the first version of big.bin is reclaimed: " + before + " -> " + after);
    assertRestores(repo, "latest", latest, "restored-c");
    Cli.Result verify = Cli.run(conf, "verify", "--repo", repo, "--read-data");
    assertEquals(0, verify.exitCode, verify.toString());
  }

  private static long bytes(String uri) throws IOException {
    Path root = new Path(uri);
    return root.getFileSystem(conf).getContentSummary(root).getLength();
  }
}
