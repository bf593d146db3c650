package org.hbackup.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.DataOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.util.List;
import java.util.TreeMap;
import java.util.stream.Stream;

import com.fasterxml.jackson.databind.JsonNode;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileStatus;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.hbackup.backup.BackupConfigKeys;
import org.hbackup.job.JobCompletion;
import org.hbackup.common.id.ContentId;
import org.hbackup.common.id.PointId;
import org.hbackup.common.io.FileSystems;
import org.hbackup.common.io.Json;
import org.hbackup.common.manifest.ManifestList;
import org.hbackup.common.manifest.ManifestTotals;
import org.hbackup.common.manifest.SegmentRef;
import org.hbackup.common.point.PointRecord;
import org.hbackup.common.point.PointType;
import org.hbackup.common.repo.Repository;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Backup and restore on the embedded default: the local job runner over file:// paths. */
class LocalRunnerRoundTripIT {
  @TempDir
  static java.nio.file.Path dir;

  private static Configuration conf;
  private static FileSystem fs;
  private static Path source;
  /**
   * The source as the next backup will list it. Taken anew before each backup, because reading
   * the source (the previous backup did) moves its access times.
   */
  private static TreeMap<String, FileStatus> sourceBefore;

  @BeforeAll
  static void generateSource() throws IOException {
    conf = new Configuration();
    conf.set("hadoop.tmp.dir", dir.resolve("hadoop-tmp").toString());
    source = new Path(dir.resolve("source").toUri());
    fs = FileSystems.raw(source, conf);
    boolean root = "root".equals(System.getProperty("user.name"));
    Trees.generate(fs, source, root ? new String[] {"daemon", "daemon"} : null);
    // A symlink is kept as a link, not followed.
    Files.createSymbolicLink(dir.resolve("source/link-to-top"), java.nio.file.Paths.get("top.txt"));
  }

  @org.junit.jupiter.api.BeforeEach
  void snapshotSource() throws IOException {
    sourceBefore = Trees.snapshot(fs, source);
  }

  private static String uri(String name) {
    return dir.resolve(name).toUri().toString();
  }

  @Test
  void backsUpAndRestoresATreeByteForByteWithItsMetadata() throws Exception {
    Cli.Result backup = Cli.run(conf, "backup", "--source", source.toString(), "--repo", uri("repo-a"), "--json");
    assertEquals(0, backup.exitCode, backup.toString());
    JsonNode report = backup.json();
    long files = sourceBefore.values().stream().filter(FileStatus::isFile).count();
    long directories = sourceBefore.values().stream().filter(FileStatus::isDirectory).count() + 1;
    long bytes = sourceBefore.values().stream().mapToLong(s -> s.isFile() ? s.getLen() : 0).sum();
    assertEquals("full", report.get("type").asText());
    assertTrue(report.get("base").isNull());
    assertEquals(files, report.get("files").asLong());
    assertEquals(directories, report.get("directories").asLong());
    assertEquals(1, report.get("symlinks").asLong());
    assertEquals(bytes, report.get("bytesRead").asLong());
    assertEquals(bytes, report.get("bytesNew").asLong(), "a first backup stores every byte");
    assertTrue(report.get("bytesStored").asLong() < bytes, "logs compress");
    assertTrue(report.get("durationMs").asLong() > 0);
    assertEquals(org.hbackup.common.HbackupVersion.get(), report.get("version").asText());

    Cli.Result restore = Cli.run(conf, "restore", "--repo", uri("repo-a"), "--point", "latest",
        "--target", uri("restored-a"), "--json");
    assertEquals(0, restore.exitCode, restore.toString());
    JsonNode r = restore.json();
    assertEquals(report.get("point").asText(), r.get("point").asText());
    assertEquals(files, r.get("files").asLong());
    assertEquals(1, r.get("symlinks").asLong());
    assertEquals(bytes, r.get("bytesWritten").asLong());
    assertEquals(0, r.get("failed").size());
    Trees.assertSameTree(sourceBefore, fs, fs, new Path(uri("restored-a")), false);

    Cli.Result list = Cli.run(conf, "list", "--repo", uri("repo-a"), "--json");
    JsonNode point = list.json().get("points").get(0);
    assertEquals(report.get("point").asText(), point.get("id").asText());
    assertEquals(files, point.get("files").asLong());
    assertEquals(bytes, point.get("bytes").asLong());
    assertEquals(source.toString(), point.get("source").asText());
    assertEquals(org.hbackup.common.HbackupVersion.get(), point.get("writtenBy").asText(), "the record says who wrote it");
  }

  @Test
  void aSecondFullBackupStoresNothingNewAndSharesManifestSegments() throws Exception {
    assertEquals(0, Cli.run(conf, "backup", "--source", source.toString(), "--repo", uri("repo-b")).exitCode);
    Cli.Result second = Cli.run(conf, "backup", "--source", source.toString(), "--repo", uri("repo-b"), "--json");
    assertEquals(0, second.exitCode, second.toString());
    assertEquals(0, second.json().get("bytesNew").asLong());
    assertEquals(0, second.json().get("bytesStored").asLong());
    assertEquals(0, second.json().get("packsWritten").asLong());
    Repository repository = Repository.open(new Path(uri("repo-b")), conf);
    List<PointRecord> points = repository.listPoints();
    assertEquals(2, points.size());
    try (Stream<java.nio.file.Path> segments = Files.walk(dir.resolve("repo-b/manifests/segments"))) {
      long files = segments.filter(Files::isRegularFile).count();
      assertEquals(repository.readManifest(points.get(1).id()).segments().size(), files,
          "identical points share every segment");
    }
  }

  @Test
  void restoresSelectedPathsOnly() throws Exception {
    assertEquals(0, Cli.run(conf, "backup", "--source", source.toString(), "--repo", uri("repo-c")).exitCode);
    Cli.Result restore = Cli.run(conf, "restore", "--repo", uri("repo-c"), "--point", "latest",
        "--target", uri("restored-c"), "--path", "nested/d1", "--path", "/top.txt", "--json");
    assertEquals(0, restore.exitCode, restore.toString());
    assertTrue(Files.exists(dir.resolve("restored-c/top.txt")));
    assertTrue(Files.exists(dir.resolve("restored-c/nested/d1/file-1.log")));
    assertFalse(Files.exists(dir.resolve("restored-c/nested/d0")));
    assertFalse(Files.exists(dir.resolve("restored-c/data")));
    Cli.Result nothing = Cli.run(conf, "restore", "--repo", uri("repo-c"), "--point", "latest",
        "--target", uri("restored-c2"), "--path", "no/such/path");
    assertEquals(1, nothing.exitCode, nothing.toString());
    assertTrue(nothing.stderr.contains("no entry of point"), nothing.stderr);
    assertFalse(Files.exists(dir.resolve("restored-c2")), "a restore that wrote nothing leaves no empty target");
    Files.createDirectories(dir.resolve("restored-c3"));
    assertEquals(1, Cli.run(conf, "restore", "--repo", uri("repo-c"), "--point", "latest",
        "--target", uri("restored-c3"), "--path", "no/such/path").exitCode);
    assertTrue(Files.isDirectory(dir.resolve("restored-c3")), "a target the user made stays");
    // A mistyped path beside one that matches: refused, naming it, before anything is written.
    Cli.Result partly = Cli.run(conf, "restore", "--repo", uri("repo-c"), "--point", "latest",
        "--target", uri("restored-c4"), "--path", "top.txt", "--path", "nested/no-such-dir");
    assertEquals(1, partly.exitCode, partly.toString());
    assertTrue(partly.stderr.contains("nested/no-such-dir") && !partly.stderr.contains("top.txt"), partly.stderr);
    assertFalse(Files.exists(dir.resolve("restored-c4")));
  }

  @Test
  void refusesANonEmptyTargetUnlessAskedToOverwrite() throws Exception {
    assertEquals(0, Cli.run(conf, "backup", "--source", source.toString(), "--repo", uri("repo-d")).exitCode);
    Files.createDirectories(dir.resolve("restored-d"));
    Files.write(dir.resolve("restored-d/top.txt"), "stale".getBytes(StandardCharsets.UTF_8));
    Cli.Result refused = Cli.run(conf, "restore", "--repo", uri("repo-d"), "--point", "latest", "--target", uri("restored-d"));
    assertEquals(1, refused.exitCode, refused.toString());
    assertTrue(refused.stderr.contains("not empty"), refused.stderr);
    assertEquals("stale", Files.readString(dir.resolve("restored-d/top.txt")));
    Cli.Result overwritten = Cli.run(conf, "restore", "--repo", uri("repo-d"), "--point", "latest",
        "--target", uri("restored-d"), "--overwrite");
    assertEquals(0, overwritten.exitCode, overwritten.toString());
    Trees.assertSameTree(sourceBefore, fs, fs, new Path(uri("restored-d")), false);
  }

  @Test
  void aFlippedByteInAPackFailsThatFileWithExitCode3() throws Exception {
    assertEquals(0, Cli.run(conf, "backup", "--source", source.toString(), "--repo", uri("repo-e")).exitCode);
    java.nio.file.Path pack;
    try (Stream<java.nio.file.Path> packs = Files.walk(dir.resolve("repo-e/packs"))) {
      pack = packs.filter(p -> p.toString().endsWith(".pack")).findFirst().orElseThrow();
    }
    byte[] bytes = Files.readAllBytes(pack);
    // The big random file is stored raw; a byte in the middle of the pack belongs to it.
    bytes[bytes.length / 2] ^= 0x01;
    Files.write(pack, bytes);
    Cli.Result restore = Cli.run(conf, "restore", "--repo", uri("repo-e"), "--point", "latest",
        "--target", uri("restored-e"), "--json");
    assertEquals(3, restore.exitCode, restore.toString());
    assertTrue(restore.stderr.contains("data/big.bin"), restore.stderr);
    JsonNode r = restore.json();
    assertEquals(1, r.get("filesFailed").asLong());
    assertEquals("data/big.bin", r.get("failed").get(0).asText());
    assertFalse(Files.exists(dir.resolve("restored-e/data/big.bin")), "a damaged file never appears");
    assertTrue(Files.exists(dir.resolve("restored-e/top.txt")), "undamaged files are restored");
  }

  /**
   * On YARN the client may lose a finished job (the history server does not have it yet:
   * "Unknown Job"). A backup whose point was published exits 0 with the point record's figures;
   * counters that come late are asked for again; a job that failed stays a failure.
   */
  @Test
  void aPublishedPointIsNeverReportedAsAFailureWhenTheClientLosesTheJob() throws Exception {
    long files = sourceBefore.values().stream().filter(FileStatus::isFile).count();
    long bytes = sourceBefore.values().stream().mapToLong(s -> s.isFile() ? s.getLen() : 0).sum();
    Cli.Result lost = Cli.run(conf, "backup", "-D", JobCompletion.TEST_LOSE_TRACK + "=wait",
        "--source", source.toString(), "--repo", uri("repo-lost"), "--json");
    assertEquals(0, lost.exitCode, lost.toString());
    JsonNode report = lost.json();
    assertTrue(report.get("lostTrack").asText().contains("Unknown Job"), report.toString());
    assertTrue(lost.stderr.contains("is published, but the job's figures could not be read"), lost.stderr);
    assertEquals(files, report.get("files").asLong(), "from the point record");
    assertEquals(bytes, report.get("bytesNew").asLong(), "from the point record");
    assertEquals(report.get("point").asText(),
        Cli.run(conf, "list", "--repo", uri("repo-lost"), "--json").json().get("points").get(0).get("id").asText());
    assertEquals(0, Cli.run(conf, "restore", "--repo", uri("repo-lost"), "--point", "latest", "--target",
        uri("restored-lost")).exitCode);
    Trees.assertSameTree(sourceBefore, fs, fs, new Path(uri("restored-lost")), false);

    snapshotSource();
    Cli.Result late = Cli.run(conf, "backup", "-D", JobCompletion.TEST_LOSE_TRACK + "=2",
        "-D", JobCompletion.STATUS_BACKOFF_MS + "=10", "--type", "full",
        "--source", source.toString(), "--repo", uri("repo-lost"), "--json");
    assertEquals(0, late.exitCode, late.toString());
    assertTrue(late.json().get("lostTrack").isNull(), "the third fetch got the counters");
    assertEquals(bytes, late.json().get("bytesRead").asLong(), "a figure only the job's counters hold");

    Cli.Result failed = Cli.run(conf, "backup", "-D", JobCompletion.TEST_LOSE_TRACK + "=wait",
        "-D", BackupConfigKeys.TEST_FAIL_BEFORE_POINT_RECORD + "=true",
        "--source", source.toString(), "--repo", uri("repo-lost"), "--json");
    assertEquals(1, failed.exitCode, "no point was published: " + failed);
    assertEquals(2, Cli.run(conf, "list", "--repo", uri("repo-lost"), "--json").json().get("points").size());
  }

  @Test
  void aJobThatFailsForGoodLeavesNoPointAndAUsableRepository() throws Exception {
    Cli.Result failed = Cli.run(conf, "backup", "-D", BackupConfigKeys.TEST_FAIL_BEFORE_POINT_RECORD + "=true",
        "--source", source.toString(), "--repo", uri("repo-f"), "--json");
    assertEquals(1, failed.exitCode, failed.toString());
    assertTrue(failed.stderr.contains("no point was published"), failed.stderr);
    assertEquals(0, Cli.run(conf, "list", "--repo", uri("repo-f"), "--json").json().get("points").size());
    snapshotSource();
    Cli.Result next = Cli.run(conf, "backup", "--source", source.toString(), "--repo", uri("repo-f"), "--json");
    assertEquals(0, next.exitCode, next.toString());
    assertEquals(0, next.json().get("bytesNew").asLong(),
        "the failed run published its data before failing; the next backup reuses it");
    assertEquals(0, Cli.run(conf, "restore", "--repo", uri("repo-f"), "--point", "latest", "--target",
        uri("restored-f")).exitCode);
    Trees.assertSameTree(sourceBefore, fs, fs, new Path(uri("restored-f")), false);
    try (Stream<java.nio.file.Path> tmp = Files.list(dir.resolve("repo-f/tmp"))) {
      assertEquals(0, tmp.count(), "no staging is left behind");
    }
  }

  @Test
  void refusesAHostileManifestWithExitCode3() throws Exception {
    assertEquals(0, Cli.run(conf, "backup", "--source", source.toString(), "--repo", uri("repo-g")).exitCode);
    Repository repository = Repository.open(new Path(uri("repo-g")), conf);
    PointId point = PointId.create(java.time.Instant.now());
    byte[] segment = hostileSegment("../../escaped");
    ContentId id = ContentId.of(segment);
    Path segmentPath = repository.layout().segment(id);
    fs.mkdirs(segmentPath.getParent());
    Trees.write(fs, segmentPath, segment);
    ManifestList list = new ManifestList(List.of(new SegmentRef(id, "../../escaped", "../../escaped", 1, 0, 0)),
        new ManifestTotals(0, 1, 0, 0));
    Trees.write(fs, repository.layout().manifestList(list.contentId()), list.toJson());
    PointRecord record = PointRecord.builder(point, PointType.FULL).source("file:/x")
        .completed(java.time.Instant.now()).manifestList(list.contentId()).build();
    Trees.write(fs, repository.layout().point(point), record.toJson());
    Cli.Result restore = Cli.run(conf, "restore", "--repo", uri("repo-g"), "--point", point.toString(),
        "--target", uri("restored-g/inner"));
    assertEquals(3, restore.exitCode, restore.toString());
    assertTrue(restore.stderr.contains("refusing manifest path '../../escaped'"), restore.stderr);
    assertFalse(Files.exists(dir.resolve("escaped")));
  }

  private static byte[] hostileSegment(String path) throws IOException {
    java.io.ByteArrayOutputStream body = new java.io.ByteArrayOutputStream();
    DataOutputStream out = new DataOutputStream(body);
    out.writeByte(2);
    byte[] p = path.getBytes(StandardCharsets.UTF_8);
    out.writeInt(p.length);
    out.write(p);
    out.writeLong(0);
    out.writeShort(0755);
    out.writeInt(0);
    out.writeInt(0);
    out.writeLong(0);
    out.writeLong(0);
    out.writeShort(0);
    out.writeLong(0);
    byte[] raw = body.toByteArray();
    return ByteBuffer.allocate(20 + raw.length).put("HBMS".getBytes(StandardCharsets.US_ASCII))
        .putShort((short) 1).put((byte) 0).put((byte) 0).putInt(1).putLong(raw.length).put(raw).array();
  }

  @Test
  void reportsBadInputWithOneLineAndADocumentedExitCode() throws Exception {
    Cli.Result missing = Cli.run(conf, "backup", "--source", uri("no-such-source"), "--repo", uri("repo-h"));
    assertEquals(1, missing.exitCode, missing.toString());
    assertTrue(missing.stderr.contains("does not exist"), missing.stderr);
    assertEquals(1, missing.stderr.trim().lines().count(), missing.stderr);

    Files.createDirectories(dir.resolve("not-a-repo"));
    Files.write(dir.resolve("not-a-repo/file"), new byte[] {1});
    Cli.Result notRepo = Cli.run(conf, "backup", "--source", source.toString(), "--repo", uri("not-a-repo"));
    assertEquals(1, notRepo.exitCode, notRepo.toString());
    assertTrue(notRepo.stderr.contains("is not an hbackup repository"), notRepo.stderr);
    Cli.Result noBase = Cli.run(conf, "backup", "--source", source.toString(), "--repo", uri("repo-none"), "--type", "incremental");
    assertEquals(1, noBase.exitCode, noBase.toString());
    assertFalse(Files.exists(dir.resolve("repo-none")), "a refused incremental creates no repository");
    Cli.Result noSnapshots = Cli.run(conf, "backup", "--source", source.toString(), "--repo", uri("repo-snap"), "--snapshot");
    assertEquals(1, noSnapshots.exitCode, noSnapshots.toString());
    assertTrue(noSnapshots.stderr.contains("--snapshot needs an HDFS source"), noSnapshots.stderr);
    assertFalse(Files.exists(dir.resolve("repo-snap")), "a refused --snapshot creates no repository");
    Files.createDirectories(dir.resolve("empty-dir"));
    assertEquals(1, Cli.run(conf, "backup", "--source", source.toString(), "--repo", uri("empty-dir")).exitCode,
        "an existing directory is never turned into a repository by backup");
    assertEquals(0, Cli.run(conf, "init", "--repo", uri("empty-dir")).exitCode, "init may use an empty directory");

    assertEquals(2, Cli.run(conf, "backup", "--source", source.toString()).exitCode);
    assertEquals(2, Cli.run(conf, "frobnicate").exitCode);
    assertEquals(2, Cli.run(conf, "backup", "--source", source.toString(), "--repo", uri("r"), "--type", "weekly").exitCode);
    assertEquals(2, Cli.run(conf, "restore", "--repo", uri("repo-h"), "--point", "yesterday", "--target", uri("t")).exitCode);
    Cli.Result badPoint = Cli.run(conf, "init", "--repo", uri("repo-i"), "--compression", "brotli");
    assertEquals(2, badPoint.exitCode, badPoint.toString());
  }

  @Test
  void initCreatesARepositoryWithTheChosenCompression() throws Exception {
    Cli.Result init = Cli.run(conf, "init", "--repo", uri("repo-j"), "--compression", "lz4");
    assertEquals(0, init.exitCode, init.toString());
    assertEquals(1, Cli.run(conf, "init", "--repo", uri("repo-j")).exitCode, "init twice is refused");
    assertEquals(0, Cli.run(conf, "backup", "--source", source.toString(), "--repo", uri("repo-j")).exitCode);
    assertEquals(0, Cli.run(conf, "restore", "--repo", uri("repo-j"), "--point", "latest", "--target",
        uri("restored-j")).exitCode);
    Trees.assertSameTree(sourceBefore, fs, fs, new Path(uri("restored-j")), false);
    try (java.io.InputStream in = Files.newInputStream(dir.resolve("repo-j/config.json"))) {
      assertEquals("lz4", Json.parse(in, "config").get("compression").asText());
    }
  }

  @Test
  void showsEntriesAndDiffsAnyTwoPoints() throws Exception {
    java.nio.file.Path tree = dir.resolve("changing");
    Files.createDirectories(tree.resolve("logs"));
    Files.writeString(tree.resolve("logs/app.log"), "line 1\n");
    Files.writeString(tree.resolve("keep.txt"), "same\n");
    Files.writeString(tree.resolve("chmod.txt"), "same\n");
    Files.writeString(tree.resolve("gone.txt"), "bye\n");
    Files.writeString(tree.resolve("becomes-dir"), "file for now\n");
    assertEquals(0, Cli.run(conf, "backup", "--source", tree.toString(), "--repo", uri("repo-k")).exitCode);
    String first = Cli.run(conf, "list", "--repo", uri("repo-k"), "--json").json().get("points").get(0).get("id").asText();

    Files.writeString(tree.resolve("logs/app.log"), "line 2\n", java.nio.file.StandardOpenOption.APPEND);
    Files.setPosixFilePermissions(tree.resolve("chmod.txt"), java.nio.file.attribute.PosixFilePermissions.fromString("rw-------"));
    Files.delete(tree.resolve("gone.txt"));
    Files.writeString(tree.resolve("new.txt"), "hello\n");
    Files.delete(tree.resolve("becomes-dir"));
    Files.createDirectories(tree.resolve("becomes-dir"));
    assertEquals(0, Cli.run(conf, "backup", "--source", tree.toString(), "--repo", uri("repo-k")).exitCode);

    Cli.Result diff = Cli.run(conf, "diff", "--repo", uri("repo-k"), "--from", first, "--to", "latest", "--json");
    assertEquals(0, diff.exitCode, diff.toString());
    java.util.Map<String, String> changes = new java.util.TreeMap<>();
    for (JsonNode c : diff.json().get("changes")) {
      changes.put(c.get("path").asText(), c.get("change").asText());
    }
    java.util.Map<String, String> expected = new java.util.TreeMap<>(java.util.Map.of(
        "logs/app.log", "modified", "chmod.txt", "metadata", "gone.txt", "deleted", "new.txt", "added",
        "becomes-dir", "type-changed"));
    // Deleting and creating entries moved the root directory's modification time; appending to
    // logs/app.log did not touch logs/.
    expected.put(".", "metadata");
    assertEquals(expected, changes);

    Cli.Result show = Cli.run(conf, "show", "--repo", uri("repo-k"), "--point", "latest", "--path", "logs", "--json");
    assertEquals(0, show.exitCode, show.toString());
    JsonNode entries = show.json().get("entries");
    assertEquals(2, entries.size());
    assertEquals("logs", entries.get(0).get("path").asText());
    assertEquals("directory", entries.get(0).get("type").asText());
    assertEquals("logs/app.log", entries.get(1).get("path").asText());
    assertEquals(14, entries.get(1).get("size").asLong());
    assertEquals("0644", entries.get(1).get("permission").asText());
    Cli.Result all = Cli.run(conf, "show", "--repo", uri("repo-k"), "--point", first);
    assertEquals(7, all.stdout.lines().count(), all.stdout);
  }

  /** Copies a tree with its metadata, to compare an old point with the source as it was then. */
  private static Path keepCopy(java.nio.file.Path tree, String name) throws Exception {
    java.nio.file.Path copy = dir.resolve(name);
    Process cp = new ProcessBuilder("cp", "-a", tree.toString(), copy.toString()).inheritIO().start();
    assertEquals(0, cp.waitFor());
    return new Path(copy.toUri());
  }

  private static void writeRandom(java.nio.file.Path file, int length, long seed, boolean append) throws IOException {
    byte[] data = new byte[length];
    new java.util.Random(seed).nextBytes(data);
    if (append) {
      Files.write(file, data, java.nio.file.StandardOpenOption.APPEND);
    } else {
      Files.write(file, data);
    }
  }

  @Test
  void anIncrementalChainRestoresEveryPointAndReadsOnlyWhatChanged() throws Exception {
    java.nio.file.Path tree = dir.resolve("chain");
    Files.createDirectories(tree.resolve("data"));
    writeRandom(tree.resolve("data/big.bin"), 3_000_000, 1, false);
    writeRandom(tree.resolve("data/small.bin"), 40_000, 2, false);
    writeRandom(tree.resolve("to-delete.bin"), 10_000, 3, false);
    writeRandom(tree.resolve("chmod-only.bin"), 10_000, 4, false);
    String repo = uri("repo-chain");

    JsonNode p1 = Cli.run(conf, "backup", "--source", tree.toString(), "--repo", repo, "--json").json();
    assertEquals("full", p1.get("type").asText(), "auto starts with a full backup");
    Path copy1 = keepCopy(tree, "chain-1");

    writeRandom(tree.resolve("data/big.bin"), 20_000, 5, true);
    Files.delete(tree.resolve("to-delete.bin"));
    Files.setPosixFilePermissions(tree.resolve("chmod-only.bin"), java.nio.file.attribute.PosixFilePermissions.fromString("r--------"));
    Files.createDirectories(tree.resolve("new-empty-dir"));
    writeRandom(tree.resolve("data/new.bin"), 50_000, 6, false);
    Files.copy(tree.resolve("data/big.bin"), tree.resolve("big-copy.bin"));
    Cli.Result second = Cli.run(conf, "backup", "--source", tree.toString(), "--repo", repo, "--json");
    assertEquals(0, second.exitCode, second.toString());
    JsonNode p2 = second.json();
    assertEquals("incremental", p2.get("type").asText());
    assertEquals(p1.get("point").asText(), p2.get("base").asText());
    // chmod-only.bin too: a chmod moves the ctime, and so the change stamp (as in restic).
    long changedBytes = 3_020_000L + 50_000 + 3_020_000 + 10_000;
    assertEquals(changedBytes, p2.get("bytesRead").asLong(), "only changed and new files are read");
    assertEquals(1, p2.get("filesCarriedOver").asLong(), "small.bin is not read");
    assertTrue(p2.get("bytesNew").asLong() <= 50_000 + 4 * 1024 * 1024,
        "the append stores at most its boundary chunk, the copy nothing: " + p2.get("bytesNew"));
    Path copy2 = keepCopy(tree, "chain-2");

    Files.setLastModifiedTime(tree.resolve("data/small.bin"), java.nio.file.attribute.FileTime.fromMillis(1_234_567_000L));
    Cli.Result third = Cli.run(conf, "backup", "--source", tree.toString(), "--repo", repo, "--type", "differential", "--json");
    assertEquals(0, third.exitCode, third.toString());
    JsonNode p3 = third.json();
    assertEquals("differential", p3.get("type").asText());
    assertEquals(p1.get("point").asText(), p3.get("base").asText(), "differential compares with the full point");
    assertEquals(0, p3.get("bytesNew").asLong(), "an mtime-only change and data already stored add nothing");
    Path copy3 = keepCopy(tree, "chain-3");

    JsonNode points = Cli.run(conf, "list", "--repo", repo, "--json").json().get("points");
    assertEquals(3, points.size());
    assertEquals(p1.get("point").asText(), points.get(2).get("base").asText());
    Path[] copies = {copy1, copy2, copy3};
    JsonNode[] reports = {p1, p2, p3};
    for (int i = 0; i < 3; i++) {
      String target = uri("chain-restored-" + i);
      Cli.Result restore = Cli.run(conf, "restore", "--repo", repo, "--point", reports[i].get("point").asText(),
          "--target", target);
      assertEquals(0, restore.exitCode, restore.toString());
      Trees.assertSameTree(Trees.snapshot(fs, copies[i]), fs, fs, new Path(target), false, false);
    }
  }

  /**
   * The chain of changes the HDFS snapshot test makes, over file:// without snapshots or
   * checksums: changes come from joining the listing with the base manifest on path, so a rename
   * is a deletion and an addition whose files are read again, yet store nothing new.
   */
  @Test
  void theChangeChainWithoutSnapshotsReadsOnlyChangedPathsAndEveryPointRestores() throws Exception {
    java.nio.file.Path tree = dir.resolve("change-chain");
    Path root = new Path(tree.toUri());
    ChangeChain chain = new ChangeChain(fs, root);
    String repo = uri("repo-change-chain");
    java.util.List<Path> copies = new java.util.ArrayList<>();
    java.util.List<String> points = new java.util.ArrayList<>();

    chain.initial();
    copies.add(keepCopy(tree, "change-chain-1"));
    JsonNode p1 = backup(tree, repo);
    points.add(p1.get("point").asText());
    assertTrue(p1.get("readLive").asBoolean(), "the local file system has no snapshots");
    // 12 MiB, 16 MiB and 6 MiB files in 4 MiB ranges.
    assertEquals(3 + 4 + 2, p1.get("ranges").asLong(), p1.toString());

    chain.appendRenameCopy();
    copies.add(keepCopy(tree, "change-chain-2"));
    JsonNode p2 = backup(tree, repo);
    points.add(p2.get("point").asText());
    // dir-b/f<i>.dat holds 200,000 + i bytes.
    long renamedBytes = 3 * 200_000 + (0 + 1 + 2);
    assertEquals(ChangeChain.LOG_BYTES + ChangeChain.APPENDED_BYTES + ChangeChain.BIG_BYTES + renamedBytes,
        p2.get("bytesRead").asLong(), p2.toString());
    assertEquals(0, p2.get("pathsRenamed").asLong(), p2.toString());
    assertEquals(ChangeChain.RENAMED_FILES + 1, p2.get("pathsDeleted").asLong(), p2.toString());
    assertEquals(ChangeChain.RENAMED_FILES + 1 + 2, p2.get("pathsAdded").asLong(), p2.toString());
    assertTrue(p2.get("bytesNew").asLong() <= ChangeChain.APPENDED_BYTES + 4 * ChangeChain.MIB,
        "renamed and copied files store nothing new: " + p2);
    assertTrue(p2.get("bytesNew").asLong() >= ChangeChain.APPENDED_BYTES, p2.toString());

    chain.editAndDelete();
    copies.add(keepCopy(tree, "change-chain-3"));
    JsonNode p3 = backup(tree, repo);
    points.add(p3.get("point").asText());
    assertEquals(ChangeChain.BIG_BYTES, p3.get("bytesRead").asLong(), p3.toString());
    assertTrue(p3.get("chunksNew").asLong() >= 1 && p3.get("chunksNew").asLong() <= 2, p3.toString());
    assertEquals(1, p3.get("pathsDeleted").asLong(), p3.toString());

    chain.truncateChmodTouch();
    copies.add(keepCopy(tree, "change-chain-4"));
    JsonNode p4 = backup(tree, repo);
    points.add(p4.get("point").asText());
    // perm.txt too: a chmod moves the ctime, and so the change stamp (as in restic).
    assertEquals(ChangeChain.TRUNCATED_TO + ChangeChain.touchBytes() + Files.size(tree.resolve("perm.txt")),
        p4.get("bytesRead").asLong(), p4.toString());
    assertEquals(2, p4.get("pathsMetadataOnly").asLong(), p4.toString());
    assertTrue(p4.get("bytesNew").asLong() <= 4 * ChangeChain.MIB, p4.toString());

    chain.replaceFileByDirectory();
    copies.add(keepCopy(tree, "change-chain-5"));
    JsonNode p5 = backup(tree, repo, "--type", "differential");
    points.add(p5.get("point").asText());
    assertEquals(p1.get("point").asText(), p5.get("base").asText());
    assertEquals(1, p5.get("pathsTypeChanged").asLong(), p5.toString());
    assertEquals(ChangeChain.INNER_BYTES, p5.get("bytesNew").asLong(), p5.toString());

    for (int i = 0; i < points.size(); i++) {
      String target = uri("change-chain-restored-" + (i + 1));
      Cli.Result restore = Cli.run(conf, "restore", "--repo", repo, "--point", points.get(i), "--target", target);
      assertEquals(0, restore.exitCode, restore.toString());
      Trees.assertSameTree(Trees.snapshot(fs, copies.get(i)), fs, fs, new Path(target), false, false);
    }
  }

  /**
   * Reading a source moves its access times (the previous backup read every file), and that
   * alone must not make the next point store its metadata again: by default an entry whose
   * modification time did not change keeps its base entry's access time, so a point of a tree
   * that was only read adds no segment. With --atime the access times as they are now are kept.
   */
  @Test
  void accessTimesMovedByReadingAddNoSegmentUnlessAskedFor() throws Exception {
    java.nio.file.Path tree = dir.resolve("atime-source");
    for (int d = 0; d < 20; d++) {
      java.nio.file.Path sub = Files.createDirectories(tree.resolve("d" + d));
      for (int f = 0; f < 100; f++) {
        Files.write(sub.resolve("f" + f + ".txt"), ("file " + d + "/" + f + "\n").repeat(f + 1)
            .getBytes(StandardCharsets.UTF_8));
      }
    }
    Files.createSymbolicLink(tree.resolve("d0/link"), java.nio.file.Paths.get("f1.txt"));
    Path treePath = new Path(tree.toUri());
    String repo = uri("repo-atime");
    TreeMap<String, FileStatus> beforeFull = Trees.snapshot(fs, treePath);
    // The test moves access times by setting them, which moves each file's ctime too (reading does
    // not): with change stamps every file would be read again. Length and times alone here.
    String[] noStamps = {"-D", "hbackup.backup.source.checksum=false"};
    String full = backup(tree, repo, noStamps).get("point").asText();
    java.nio.file.Path segments = dir.resolve("repo-atime/manifests/segments");
    TreeMap<String, Long> segmentsOfFull = filesUnder(segments);
    long manifestBytes = segmentsOfFull.values().stream().mapToLong(Long::longValue).sum();

    moveAccessTimes(tree, 3_600_000L);
    java.nio.file.Path repoDir = dir.resolve("repo-atime");
    TreeMap<String, Long> repositoryBefore = filesUnder(repoDir);
    JsonNode read = backup(tree, repo, noStamps);
    assertEquals(0, read.get("bytesRead").asLong(), "nothing changed");
    assertEquals(0, read.get("segmentsWritten").asLong(), "no segment is even staged: " + read);
    assertEquals(segmentsOfFull.size(), read.get("segmentsShared").asLong(), read.toString());
    assertEquals(segmentsOfFull, filesUnder(segments), "no segment is written for access times alone");
    TreeMap<String, Long> added = filesUnder(repoDir);
    added.keySet().removeAll(repositoryBefore.keySet());
    added.keySet().removeIf(name -> name.startsWith("tmp/") || name.startsWith("locks/"));
    assertEquals(java.util.Set.of("points/" + read.get("point").asText() + ".json",
        "manifests/" + read.get("point").asText() + ".changes"), added.keySet(),
        "a point of an unchanged tree adds its record and change list, and shares its base's manifest list");
    assertEquals(0, read.get("pathsMetadataOnly").asLong(), read.toString());
    assertEquals(0, read.get("pathsModified").asLong(), read.toString());
    PointId readPoint = PointId.parse(read.get("point").asText());
    Repository repository = Repository.open(new Path(repo), conf);
    assertEquals(repository.readManifest(PointId.parse(full)).segments().stream().map(SegmentRef::id).toList(),
        repository.readManifest(readPoint).segments().stream().map(SegmentRef::id).toList(),
        "the point names the full point's segments");
    assertEquals(repository.readPoint(PointId.parse(full)).manifestList(), repository.readPoint(readPoint).manifestList(),
        "and the same manifest list");
    String restoredRead = uri("atime-restored-read");
    assertEquals(0, Cli.run(conf, "restore", "--repo", repo, "--point", readPoint.toString(),
        "--target", restoredRead).exitCode);
    Trees.assertSameTree(beforeFull, fs, fs, new Path(restoredRead), false, true);

    moveAccessTimes(tree, 7_200_000L);
    TreeMap<String, FileStatus> beforeAtime = Trees.snapshot(fs, treePath);
    JsonNode withAtime = backup(tree, repo, "--atime", "-D", "hbackup.backup.source.checksum=false");
    TreeMap<String, Long> afterAtime = filesUnder(segments);
    long written = afterAtime.entrySet().stream().filter(e -> !segmentsOfFull.containsKey(e.getKey()))
        .mapToLong(java.util.Map.Entry::getValue).sum();
    assertTrue(written > manifestBytes / 2, "--atime stores the new access times: " + written + " of "
        + manifestBytes + " bytes of segments written");
    String restoredAtime = uri("atime-restored-atime");
    assertEquals(0, Cli.run(conf, "restore", "--repo", repo, "--point", withAtime.get("point").asText(),
        "--target", restoredAtime).exitCode);
    Trees.assertSameTree(beforeAtime, fs, fs, new Path(restoredAtime), false, true);
  }

  /**
   * A backup leaves out of its staging the segments its base point already has, byte for byte,
   * and the committer checks each of them again before it publishes: a base segment damaged or
   * gone while the job ran stops the point (exit 3, naming the segment), and the next backup
   * does not build on it.
   */
  @Test
  void aSharedSegmentIsCheckedAndNeverBuiltUponWhenDamagedOrGone() throws Exception {
    java.nio.file.Path tree = dir.resolve("shared-source");
    for (int d = 0; d < 20; d++) {
      java.nio.file.Path sub = Files.createDirectories(tree.resolve("d" + d));
      for (int f = 0; f < 250; f++) {
        Files.write(sub.resolve("f" + f), ("shared " + d + "/" + f + "\n").repeat(f % 7 + 1)
            .getBytes(StandardCharsets.UTF_8));
      }
    }
    TreeMap<String, FileStatus> before = Trees.snapshot(fs, new Path(tree.toUri()));
    String repo = uri("repo-shared");
    JsonNode full = backup(tree, repo);
    Repository repository = Repository.open(new Path(repo), conf);
    List<SegmentRef> segments = repository.readManifest(PointId.parse(full.get("point").asText())).segments();
    assertTrue(segments.size() >= 3, "the tree spans segments: " + segments.size());
    assertEquals(segments.size(), full.get("segmentsWritten").asLong(), full.toString());

    // A base segment damaged after the backup chose its base (which checks the base's segments):
    // the tasks that read it fail the job as damage (the reducer's byte comparison, which would
    // stage its own copy, is SegmentStagerTest's case).
    java.nio.file.Path damaged = java.nio.file.Paths.get(repository.layout().segment(segments.get(1).id()).toUri());
    byte[] intact = Files.readAllBytes(damaged);
    int pointsBefore = repository.listPoints().size();
    Cli.Result refused = backupPausedAt("backup.listed", tree, repo, () -> {
      byte[] bytes = intact.clone();
      bytes[bytes.length / 2] ^= 0x10;
      Files.write(damaged, bytes);
    });
    assertEquals(3, refused.exitCode, refused.toString());
    assertTrue(refused.stderr.contains(damaged.getFileName().toString()), refused.stderr);
    assertEquals(pointsBefore, repository.listPoints().size(), "no point was published");
    Files.write(damaged, intact);

    // A shared segment deleted after the reducer compared it, before the commit: no point either.
    java.nio.file.Path gone = java.nio.file.Paths.get(repository.layout().segment(segments.get(2).id()).toUri());
    Cli.Result stopped = backupPausedAt("backup.reduce", tree, repo, () -> Files.delete(gone));
    assertEquals(3, stopped.exitCode, stopped.toString());
    assertTrue(stopped.stderr.contains(gone.getFileName().toString()) && stopped.stderr.contains("shares with its base"),
        stopped.stderr);
    assertEquals(pointsBefore, repository.listPoints().size(), "no point was published");

    // The next backup does not build on the damaged point, and its point restores.
    TreeMap<String, FileStatus> now = Trees.snapshot(fs, new Path(tree.toUri())); // access times moved by reading
    JsonNode again = backup(tree, repo);
    assertRestores(repo, again.get("point").asText(), now, "shared-again");
    assertEquals(0, Cli.run(conf, "verify", "--repo", repo, "--point", again.get("point").asText()).exitCode);
  }

  /** A backup that pauses at {@code place} while {@code meanwhile} runs, then goes on. */
  private static Cli.Result backupPausedAt(String place, java.nio.file.Path tree, String repo, Cli.Meanwhile meanwhile)
      throws Exception {
    return Cli.runPausedAt(conf, place, dir, meanwhile, "backup", "--source", tree.toString(), "--repo", repo, "--json");
  }

  private static void assertRestores(String repo, String point, TreeMap<String, FileStatus> tree, String target)
      throws Exception {
    Cli.Result restore = Cli.run(conf, "restore", "--repo", repo, "--point", point, "--target", uri(target));
    assertEquals(0, restore.exitCode, restore.toString());
    Trees.assertSameTree(tree, fs, fs, new Path(uri(target)), false);
  }

  /**
   * Writes the golden repository of format version 6 (common/src/test/resources/golden/v6):
   * a full point, a point of the unchanged tree that shares its manifest list, and a point after
   * a file was added. Run only when {@code -Dhbackup.golden.v6.out=DIR} asks for it, once.
   */
  @Test
  void writesTheVersion6GoldenRepositoryWhenAsked() throws Exception {
    java.nio.file.Path target = GoldenTrees.requestedOutput("hbackup.golden.v6.out");
    java.nio.file.Path tree = target.resolve("source");
    java.nio.file.Path repoDir = target.resolve("repo");
    String repo = repoDir.toUri().toString();
    GoldenTrees.write(tree, "hello, golden version 6\n", 6);
    backup(tree, repo);
    backup(tree, repo);
    GoldenTrees.add(tree, "added.bin", 7, 100_000);
    backup(tree, repo);
    assertEquals(0, Cli.run(conf, "verify", "--repo", repo, "--read-data").exitCode);
    FileSystems.raw(new Path(repo), conf).delete(new Path(repo, "tmp"), true);
    FileSystems.raw(new Path(repo), conf).delete(new Path(repo, "locks"), true);
  }

  /** Sets every entry's access time (a symlink's own) to now plus {@code ahead} milliseconds. */
  private static void moveAccessTimes(java.nio.file.Path tree, long ahead) throws IOException {
    java.nio.file.attribute.FileTime time = java.nio.file.attribute.FileTime.fromMillis(
        System.currentTimeMillis() + ahead);
    try (Stream<java.nio.file.Path> entries = Files.walk(tree)) {
      for (java.nio.file.Path p : (Iterable<java.nio.file.Path>) entries::iterator) {
        Files.getFileAttributeView(p, java.nio.file.attribute.BasicFileAttributeView.class,
            java.nio.file.LinkOption.NOFOLLOW_LINKS).setTimes(null, time, null);
      }
    }
  }

  /** Each regular file under {@code root} (relative name) with its length. */
  private static TreeMap<String, Long> filesUnder(java.nio.file.Path root) throws IOException {
    TreeMap<String, Long> files = new TreeMap<>();
    try (Stream<java.nio.file.Path> entries = Files.walk(root)) {
      for (java.nio.file.Path p : (Iterable<java.nio.file.Path>) entries::iterator) {
        if (Files.isRegularFile(p)) {
          files.put(root.relativize(p).toString(), Files.size(p));
        }
      }
    }
    return files;
  }

  /**
   * --exclude and --exclude-file leave entries out (an excluded directory with all it holds),
   * the report counts them, the restore holds exactly the rest, and the next backup with the
   * same rules reads nothing.
   */
  @Test
  void excludedEntriesAreLeftOutAndCounted() throws Exception {
    java.nio.file.Path tree = dir.resolve("exclude-source");
    Files.createDirectories(tree.resolve("logs/old"));
    Files.createDirectories(tree.resolve("cache/deep"));
    Files.createDirectories(tree.resolve("src/cache"));
    Files.writeString(tree.resolve("keep.txt"), "kept");
    Files.writeString(tree.resolve("scratch.tmp"), "left out by name");
    Files.writeString(tree.resolve("logs/a.gz"), "left out by path");
    Files.writeString(tree.resolve("logs/a.txt"), "kept");
    Files.writeString(tree.resolve("logs/old/b.gz"), "kept: * does not cross /");
    Files.writeString(tree.resolve("cache/deep/c.bin"), "under an excluded directory");
    Files.writeString(tree.resolve("src/cache/d.bin"), "under an excluded directory too");
    Files.writeString(tree.resolve("src/main.c"), "kept");
    java.nio.file.Path rules = dir.resolve("exclude-rules.txt");
    Files.writeString(rules, "# left out of every backup\n\n**/cache\n");
    Path treePath = new Path(tree.toUri());
    String repo = uri("repo-exclude");
    String[] excludes = {"--exclude", "*.tmp", "--exclude", "logs/*.gz", "--exclude-file", rules.toString()};
    TreeMap<String, FileStatus> expected = Trees.snapshot(fs, treePath);
    for (String gone : List.of("scratch.tmp", "logs/a.gz", "cache", "cache/deep", "cache/deep/c.bin", "src/cache",
        "src/cache/d.bin")) {
      assertTrue(expected.remove(gone) != null, gone);
    }
    JsonNode first = backup(tree, repo, excludes);
    assertEquals(4, first.get("excluded").asLong(), "scratch.tmp, logs/a.gz, cache, src/cache: " + first);
    assertEquals(expected.values().stream().filter(FileStatus::isFile).count(), first.get("files").asLong());
    String restored = uri("restored-exclude");
    assertEquals(0, Cli.run(conf, "restore", "--repo", repo, "--point", "latest", "--target", restored).exitCode);
    Trees.assertSameTree(expected, fs, fs, new Path(restored), false, false);

    JsonNode again = backup(tree, repo, excludes);
    assertEquals(0, again.get("bytesRead").asLong(), "the excluded entries are not 'added' again");
    assertEquals(0, again.get("pathsAdded").asLong());
    assertEquals(0, again.get("pathsDeleted").asLong());

    Cli.Result missing = Cli.run(conf, "backup", "--source", tree.toString(), "--repo", repo,
        "--exclude-file", dir.resolve("no-such-rules").toString());
    assertEquals(2, missing.exitCode, missing.toString());
    Cli.Result malformed = Cli.run(conf, "backup", "--source", tree.toString(), "--repo", repo, "--exclude", "[x");
    assertEquals(2, malformed.exitCode, malformed.toString());
    Cli.Result lineBreak = Cli.run(conf, "backup", "--source", tree.toString(), "--repo", repo, "--exclude",
        "keep.txt\nsrc");
    assertEquals(2, lineBreak.exitCode, "a line break would split one pattern into two: " + lineBreak);

    // Every --exclude-file counts; a byte order mark is not part of the first pattern.
    java.nio.file.Path second = dir.resolve("exclude-rules-2.txt");
    Files.write(second, "\uFEFFkeep.txt\r\n".getBytes(StandardCharsets.UTF_8));
    JsonNode both = backup(tree, repo, "--exclude-file", rules.toString(), "--exclude-file", second.toString(),
        "--exclude", "./scratch.tmp");
    assertEquals(4, both.get("excluded").asLong(), "cache, src/cache, keep.txt, scratch.tmp: " + both);
  }

  /**
   * --max-maps bounds the map tasks and --bandwidth throttles each of them (MiB/s, as DistCp's
   * -bandwidth), on backup and on restore: 3 MiB at 1 MiB/s cannot take less than about 2 s
   * (the first second's bytes come without waiting).
   */
  @Test
  void maxMapsAndBandwidthLimitBackupAndRestoreTasks() throws Exception {
    java.nio.file.Path tree = dir.resolve("throttle-source");
    Files.createDirectories(tree);
    writeRandom(tree.resolve("three-mib.bin"), 3 << 20, 11, false);
    for (int i = 0; i < 40; i++) {
      Files.writeString(tree.resolve("small-" + i + ".txt"), "small file " + i);
    }
    String repo = uri("repo-throttle");
    long started = System.nanoTime();
    JsonNode backup = backup(tree, repo, "--max-maps", "1", "--bandwidth", "1");
    long backupMs = (System.nanoTime() - started) / 1_000_000;
    assertEquals(1, backup.get("mapTasks").asLong(), backup.toString());
    assertTrue(backup.get("throttledMs").asLong() >= 1500, backup.toString());
    assertTrue(backupMs >= 1500, backupMs + " ms");

    String restored = uri("restored-throttle");
    started = System.nanoTime();
    Cli.Result restore = Cli.run(conf, "restore", "--repo", repo, "--point", "latest", "--target", restored,
        "--max-maps", "1", "--bandwidth", "1", "--json");
    long restoreMs = (System.nanoTime() - started) / 1_000_000;
    assertEquals(0, restore.exitCode, restore.toString());
    assertEquals(1, restore.json().get("mapTasks").asLong(), restore.toString());
    assertTrue(restore.json().get("throttledMs").asLong() >= 1500, restore.toString());
    assertTrue(restoreMs >= 1500, restoreMs + " ms");
    assertTrue(Trees.sameBytes(fs, new Path(tree.resolve("three-mib.bin").toUri()), fs,
        new Path(restored + "/three-mib.bin")));

    JsonNode unthrottled = backup(tree, repo, "--type", "full");
    assertEquals(0, unthrottled.get("throttledMs").asLong());
    for (String[] bad : new String[][] {{"--max-maps", "0"}, {"--max-maps", "x"}, {"--max-maps", "0.5"},
        {"--max-maps", "2147483648"}, {"--bandwidth", "-1"}, {"--bandwidth", "NaN"}, {"--bandwidth", "1e-9"},
        {"--bandwidth", "0x10"}, {"--bandwidth", ""}}) {
      Cli.Result r = Cli.run(conf, "backup", "--source", tree.toString(), "--repo", repo, bad[0], bad[1]);
      assertEquals(2, r.exitCode, String.join(" ", bad) + ": " + r);
    }
    // The same settings given as -D are checked as well: 0 maps must not quietly mean one.
    for (String bad : new String[] {"hbackup.backup.max.maps=0", "hbackup.backup.max.maps=-3",
        "hbackup.backup.bandwidth.mib=-1", "hbackup.restore.max.maps=0"}) {
      String command = bad.startsWith("hbackup.restore") ? "restore" : "backup";
      Cli.Result r = command.equals("backup")
          ? Cli.run(conf, "backup", "-D", bad, "--source", tree.toString(), "--repo", repo)
          : Cli.run(conf, "restore", "-D", bad, "--repo", repo, "--point", "latest", "--target",
              dir.resolve("never-restored").toString());
      assertEquals(2, r.exitCode, bad + ": " + r);
      assertTrue(r.stderr.contains(bad.substring(0, bad.indexOf('='))), "the setting is named: " + r);
    }
  }

  /** Setuid, setgid and sticky bits on the local file system (FsPermission holds only the sticky bit). */
  @Test
  void keepsSetuidSetgidAndStickyBits() throws Exception {
    java.nio.file.Path tree = dir.resolve("modes-source");
    Files.createDirectories(tree.resolve("shared"));
    Files.createDirectories(tree.resolve("team"));
    Files.writeString(tree.resolve("tool"), "#!/bin/sh\n");
    Files.writeString(tree.resolve("team/script"), "#!/bin/sh\n");
    java.util.Map<String, Integer> modes = new java.util.TreeMap<>(java.util.Map.of("tool", 04755, "shared", 01777,
        "team", 02775, "team/script", 06750));
    for (java.util.Map.Entry<String, Integer> m : modes.entrySet()) {
      Files.setAttribute(tree.resolve(m.getKey()), "unix:mode", m.getValue());
    }
    String repo = uri("repo-modes");
    backup(tree, repo);
    String target = uri("restored-modes");
    assertEquals(0, Cli.run(conf, "restore", "--repo", repo, "--point", "latest", "--target", target).exitCode);
    for (java.util.Map.Entry<String, Integer> m : modes.entrySet()) {
      int restored = (Integer) Files.getAttribute(dir.resolve("restored-modes").resolve(m.getKey()), "unix:mode") & 07777;
      assertEquals(Integer.toOctalString(m.getValue()), Integer.toOctalString(restored), m.getKey());
    }
  }

  /**
   * Long commands print progress lines on stderr (plain lines when stderr is no terminal, here
   * every 200 ms instead of 30 s), from the job's status and counters; --quiet prints none, and
   * --json keeps stdout one JSON document either way.
   */
  @Test
  void printsProgressLinesOnStderrUnlessQuiet() throws Exception {
    java.nio.file.Path tree = dir.resolve("progress-source");
    Files.createDirectories(tree);
    writeRandom(tree.resolve("three-mib.bin"), 3 << 20, 12, false);
    Files.writeString(tree.resolve("small.txt"), "small");
    String repo = uri("repo-progress");
    Cli.Result backup = Cli.run(conf, "backup", "-D", "hbackup.progress=lines", "-D", "hbackup.progress.interval.ms=200",
        "--bandwidth", "1", "--source", tree.toString(), "--repo", repo, "--json");
    assertEquals(0, backup.exitCode, backup.toString());
    backup.json();
    List<String> lines = backup.stderr.lines().filter(l -> l.startsWith("backup: ")).toList();
    assertTrue(lines.size() >= 3, backup.stderr);
    assertTrue(lines.stream().anyMatch(l -> l.matches("backup: map \\d+%, reduce \\d+%, [0-9,]+ of 2 files, .* read .*")),
        backup.stderr);

    Cli.Result restore = Cli.run(conf, "restore", "-D", "hbackup.progress=lines", "-D",
        "hbackup.progress.interval.ms=200", "--bandwidth", "1", "--repo", repo, "--point", "latest", "--target",
        uri("restored-progress"));
    assertEquals(0, restore.exitCode, restore.toString());
    assertTrue(restore.stderr.lines().anyMatch(l -> l.startsWith("restore: map ") && l.contains(" of 2 files")),
        restore.stderr);

    Cli.Result quiet = Cli.run(conf, "backup", "-D", "hbackup.progress=lines", "-D", "hbackup.progress.interval.ms=200",
        "--bandwidth", "1", "--type", "full", "--quiet", "--source", tree.toString(), "--repo", repo);
    assertEquals(0, quiet.exitCode, quiet.toString());
    assertFalse(quiet.stderr.contains("backup: map"), quiet.stderr);
  }

  /** backup --dry-run says what a backup would list, carry over and read, and writes nothing. */
  @Test
  void aDryRunBackupSaysWhatWouldBeReadAndWritesNothing() throws Exception {
    java.nio.file.Path tree = dir.resolve("dry-source");
    Files.createDirectories(tree.resolve("d"));
    writeRandom(tree.resolve("d/a.bin"), 100_000, 1, false);
    writeRandom(tree.resolve("d/b.bin"), 200_000, 2, false);
    Files.writeString(tree.resolve("c.txt"), "c");
    String repo = uri("repo-dry");
    Cli.Result first = Cli.run(conf, "backup", "--dry-run", "--source", tree.toString(), "--repo", repo, "--json");
    assertEquals(0, first.exitCode, first.toString());
    JsonNode plan = first.json();
    assertTrue(plan.get("dryRun").asBoolean());
    assertFalse(plan.get("repositoryExists").asBoolean());
    assertEquals("full", plan.get("type").asText());
    assertEquals(3, plan.get("filesToRead").asLong());
    assertEquals(300_001, plan.get("bytesToRead").asLong());
    assertFalse(Files.exists(dir.resolve("repo-dry")), "no repository is created");
    Files.createDirectories(dir.resolve("not-a-repo"));
    Files.writeString(dir.resolve("not-a-repo/x"), "x");
    Cli.Result notRepo = Cli.run(conf, "backup", "--dry-run", "--source", tree.toString(), "--repo",
        uri("not-a-repo"));
    assertEquals(1, notRepo.exitCode, "refused as the backup would be: " + notRepo);

    backup(tree, repo);
    TreeMap<String, Long> before = filesUnder(dir.resolve("repo-dry"));
    writeRandom(tree.resolve("d/b.bin"), 1_000, 3, true);
    Cli.Result second = Cli.run(conf, "backup", "--dry-run", "--exclude", "c.txt", "--source", tree.toString(),
        "--repo", repo, "--json");
    assertEquals(0, second.exitCode, second.toString());
    plan = second.json();
    assertEquals("incremental", plan.get("type").asText());
    assertEquals(2, plan.get("files").asLong());
    assertEquals(1, plan.get("filesUnchanged").asLong(), "a.bin");
    assertEquals(100_000, plan.get("bytesUnchanged").asLong());
    assertEquals(1, plan.get("filesToRead").asLong(), "b.bin, appended to");
    assertEquals(201_000, plan.get("bytesToRead").asLong());
    assertEquals(1, plan.get("excluded").asLong());
    assertEquals(before, filesUnder(dir.resolve("repo-dry")), "the repository is untouched, not even a lock");
    Cli.Result line = Cli.run(conf, "backup", "--dry-run", "--source", tree.toString(), "--repo", repo);
    assertTrue(line.stdout.startsWith("Dry run, nothing written: an incremental backup"), line.stdout);
  }

  /**
   * restore --dry-run: what would be written, the entries --overwrite would replace, and the
   * reasons a restore would fail (exit 1), with nothing written.
   */
  @Test
  void aDryRunRestoreChecksTheTargetAndWritesNothing() throws Exception {
    java.nio.file.Path tree = dir.resolve("dry-restore-source");
    Files.createDirectories(tree.resolve("d"));
    writeRandom(tree.resolve("d/a.bin"), 100_000, 1, false);
    Files.writeString(tree.resolve("c.txt"), "c");
    String repo = uri("repo-dry-restore");
    backup(tree, repo);
    java.nio.file.Path absent = dir.resolve("dry-restore-absent");
    Cli.Result fresh = Cli.run(conf, "restore", "--dry-run", "--repo", repo, "--point", "latest", "--target",
        absent.toString(), "--json");
    assertEquals(0, fresh.exitCode, fresh.toString());
    JsonNode r = fresh.json();
    assertTrue(r.get("wouldSucceed").asBoolean());
    assertEquals(2, r.get("files").asLong());
    assertEquals(100_001, r.get("bytes").asLong());
    assertEquals(0, r.get("existing").asLong());
    assertFalse(Files.exists(absent), "nothing written");

    java.nio.file.Path busy = dir.resolve("dry-restore-busy");
    Files.createDirectories(busy.resolve("d"));
    Files.writeString(busy.resolve("c.txt"), "old");
    Cli.Result refused = Cli.run(conf, "restore", "--dry-run", "--repo", repo, "--point", "latest", "--target",
        busy.toString(), "--json");
    assertEquals(1, refused.exitCode, refused.toString());
    assertFalse(refused.json().get("wouldSucceed").asBoolean());
    assertTrue(refused.stderr.contains("would fail: the target is not empty"), refused.stderr);

    Cli.Result overwrite = Cli.run(conf, "restore", "--dry-run", "--overwrite", "--repo", repo, "--point", "latest",
        "--target", busy.toString(), "--json");
    assertEquals(0, overwrite.exitCode, overwrite.toString());
    assertEquals(2, overwrite.json().get("existing").asLong(), "d and c.txt are there already");
    assertEquals("old", Files.readString(busy.resolve("c.txt")), "nothing written");

    Cli.Result underFile = Cli.run(conf, "restore", "--dry-run", "--repo", repo, "--point", "latest", "--target",
        busy.resolve("c.txt/sub").toString());
    assertEquals(1, underFile.exitCode, underFile.toString());
    assertTrue(underFile.stderr.contains("is not a directory"), underFile.stderr);
    Cli.Result noMatch = Cli.run(conf, "restore", "--dry-run", "--repo", repo, "--point", "latest", "--target",
        absent.toString(), "--path", "no-such-path");
    assertEquals(1, noMatch.exitCode, noMatch.toString());
    assertTrue(noMatch.stderr.contains("no entry of point"), noMatch.stderr);
  }

  /** A backup of the change chain; its large files are read in ranges of 4 MiB. */
  private static JsonNode backup(java.nio.file.Path tree, String repo, String... extra) throws Exception {
    java.util.List<String> args = new java.util.ArrayList<>(java.util.List.of(
        "backup", "-D", "hbackup.backup.range.bytes=" + 4 * ChangeChain.MIB,
        "--source", tree.toString(), "--repo", repo, "--json"));
    for (int i = 0; i < extra.length; i++) {
      if (extra[i].equals("-D")) {
        args.addAll(1, java.util.List.of(extra[i], extra[++i])); // generic options come first
      } else {
        args.add(extra[i]);
      }
    }
    Cli.Result r = Cli.run(conf, args.toArray(new String[0]));
    assertEquals(0, r.exitCode, r.toString());
    return r.json();
  }
}
