package org.hbackup.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.util.TreeMap;

import com.fasterxml.jackson.databind.JsonNode;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FSDataOutputStream;
import org.apache.hadoop.fs.FileStatus;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.apache.hadoop.fs.RemoteIterator;
import org.apache.hadoop.fs.LocatedFileStatus;
import org.apache.hadoop.hdfs.MiniDFSCluster;
import org.apache.hadoop.mapreduce.v2.MiniMRYarnCluster;
import org.hbackup.backup.BackupConfigKeys;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Backup and restore as MapReduce jobs on a real YARN cluster over HDFS: one MiniDFSCluster and
 * one MiniMRYarnCluster for the whole class, since each start costs about 20 seconds.
 */
class MiniClusterRoundTripIT {
  /**
   * Task and application master JVMs live a few seconds on a few MB here: the client compiler
   * only and the serial collector start them sooner (they are not what the test measures).
   */
  private static final String JAVA_OPTS = "-Xmx400m -XX:TieredStopAtLevel=1 -XX:+UseSerialGC"
      + " --add-opens java.base/java.lang=ALL-UNNAMED"
      + " --add-opens java.base/java.util=ALL-UNNAMED --add-opens java.base/java.nio=ALL-UNNAMED"
      + " --add-opens java.base/sun.nio.ch=ALL-UNNAMED --add-opens java.base/java.io=ALL-UNNAMED";

  private static MiniDFSCluster dfs;
  private static MiniMRYarnCluster yarn;
  private static Configuration conf;
  private static FileSystem fs;
  private static Path source;
  private static TreeMap<String, FileStatus> sourceBefore;

  @BeforeAll
  static void startClusters() throws IOException {
    Configuration base = new Configuration();
    base.setInt("dfs.replication", 1);
    base.setLong("dfs.blocksize", 1024 * 1024);
    base.setInt("dfs.namenode.fs-limits.min-block-size", 4096);
    dfs = new MiniDFSCluster.Builder(base).numDataNodes(1).build();
    dfs.waitActive();
    Configuration yarnConf = new Configuration(dfs.getConfiguration(0));
    yarnConf.set("fs.defaultFS", dfs.getFileSystem().getUri().toString());
    yarnConf.set("yarn.app.mapreduce.am.command-opts", JAVA_OPTS);
    yarnConf.set("mapreduce.map.java.opts", JAVA_OPTS);
    yarnConf.set("mapreduce.reduce.java.opts", JAVA_OPTS);
    yarnConf.setInt("yarn.app.mapreduce.am.resource.mb", 512);
    yarnConf.setInt("mapreduce.map.memory.mb", 512);
    yarnConf.setInt("mapreduce.reduce.memory.mb", 512);
    yarnConf.setInt("yarn.nodemanager.resource.memory-mb", 4096);
    yarnConf.setInt("yarn.scheduler.minimum-allocation-mb", 256);
    // Containers are handed out on heartbeats (node managers' to the resource manager, the
    // application master's to it), every second by default: several seconds of each small job.
    yarnConf.setInt("yarn.resourcemanager.nodemanagers.heartbeat-interval-ms", 100);
    yarnConf.setInt("yarn.app.mapreduce.am.scheduler.heartbeat.interval-ms", 100);
    yarn = new MiniMRYarnCluster(MiniClusterRoundTripIT.class.getSimpleName(), 1);
    yarn.init(yarnConf);
    yarn.start();
    conf = new Configuration(yarn.getConfig());
    fs = dfs.getFileSystem();
    source = fs.makeQualified(new Path("/data/source"));
    Trees.generate(fs, source, new String[] {"alice", "analysts"});
    // HDFS metadata that the local file system does not have.
    fs.setReplication(new Path(source, "top.txt"), (short) 2);
    try (FSDataOutputStream out = fs.create(new Path(source, "data/small-blocks.bin"), true, 4096, (short) 1, 512 * 1024)) {
      out.write(new byte[1_500_000]);
    }
  }

  @AfterAll
  static void stopClusters() throws IOException {
    if (yarn != null) {
      yarn.stop();
    }
    if (dfs != null) {
      dfs.shutdown();
    }
  }

  @BeforeEach
  void snapshotSource() throws IOException {
    sourceBefore = Trees.snapshot(fs, source);
  }

  private static String hdfs(String path) {
    return fs.makeQualified(new Path(path)).toString();
  }

  @Test
  void backsUpAndRestoresAnHdfsTreeOnYarnByteForByteWithItsMetadata() throws Exception {
    Cli.Result backup = Cli.run(conf, "backup", "--source", source.toString(), "--repo", hdfs("/backups/a"), "--json");
    assertEquals(0, backup.exitCode, backup.toString());
    JsonNode report = backup.json();
    assertEquals(sourceBefore.values().stream().filter(FileStatus::isFile).count(), report.get("files").asLong());
    assertTrue(report.get("jobId").asText().startsWith("job_"), "ran on YARN");
    assertTrue(!report.get("jobId").asText().contains("local"), "not on the local runner");

    Cli.Result restore = Cli.run(conf, "restore", "--repo", hdfs("/backups/a"), "--point", "latest",
        "--target", hdfs("/restored/a"), "--json");
    assertEquals(0, restore.exitCode, restore.toString());
    assertEquals(0, restore.json().get("ownershipNotApplied").asLong(), "the test user is the HDFS superuser");
    Trees.assertSameTree(sourceBefore, fs, fs, new Path(hdfs("/restored/a")), true);
  }

  /**
   * verify and both repairs as YARN jobs against an HDFS repository that lost a pack: repair
   * points names what it drops and makes a point without it, repair index forgets the lost
   * chunks, and verify --read-data then reads every blob and finds the repository whole.
   */
  @Test
  void verifyAndRepairRunOnYarnAgainstAnHdfsRepository() throws Exception {
    String repo = hdfs("/backups/v");
    // Small splits: several map tasks, each with a pack of its own. The backup runs on the local
    // runner (the other tests back up on YARN); what runs on YARN here is verify and repair.
    Configuration local = new Configuration(conf);
    local.set("mapreduce.framework.name", "local");
    assertEquals(0, Cli.run(local, "backup", "-D", BackupConfigKeys.MIN_SPLIT_BYTES + "=1048576",
        "--source", source.toString(), "--repo", repo).exitCode);
    LocatedFileStatus largest = null;
    RemoteIterator<LocatedFileStatus> files = fs.listFiles(new Path(repo, "packs"), true);
    while (files.hasNext()) {
      LocatedFileStatus f = files.next();
      if (f.getPath().getName().endsWith(".pack") && (largest == null || f.getLen() > largest.getLen())) {
        largest = f;
      }
    }
    assertTrue(fs.delete(largest.getPath(), false));

    Cli.Result points = Cli.run(conf, "repair", "points", "-D", "hbackup.verify.reducers=2", "--repo", repo,
        "--forget", "--json");
    assertEquals(0, points.exitCode, points.toString());
    JsonNode row = points.json().get("points").get(0);
    assertTrue(row.get("filesDropped").asLong() > 0, row.toString());
    assertTrue(row.get("forgotten").asBoolean());
    String dropped = row.get("dropped").get(0).asText();
    assertTrue(sourceBefore.containsKey(dropped), dropped);

    Cli.Result index = Cli.run(conf, "repair", "index", "-D", "hbackup.verify.reducers=2", "--repo", repo, "--json");
    assertEquals(0, index.exitCode, index.toString());
    assertTrue(index.json().get("newRows").asLong() < index.json().get("oldRows").asLong(), index.stdout);

    Cli.Result verify = Cli.run(conf, "verify", "-D", "hbackup.verify.reducers=2", "--repo", repo, "--read-data",
        "--json");
    assertEquals(0, verify.exitCode, verify.toString());
    assertTrue(index.json().get("newRows").asLong() > 0, "some packs are left: " + index.stdout);
    assertEquals(index.json().get("newRows").asLong(), verify.json().get("blobsRead").asLong(), verify.stdout);
    assertEquals(1, verify.json().get("points").asLong());
    assertEquals("repaired", Cli.run(conf, "list", "--repo", repo, "--json").json().get("points").get(0)
        .get("type").asText());
  }

  @Test
  void aMapAttemptThatFailsOnceStillGivesACompletePoint() throws Exception {
    Cli.Result backup = Cli.run(conf, "backup", "-D", BackupConfigKeys.TEST_FAIL_MAP_TASK_ONCE + "=0",
        "-D", BackupConfigKeys.MIN_SPLIT_BYTES + "=1048576",
        "--source", source.toString(), "--repo", hdfs("/backups/b"), "--json");
    assertEquals(0, backup.exitCode, backup.toString());
    long packs = 0;
    RemoteIterator<LocatedFileStatus> files = fs.listFiles(new Path(hdfs("/backups/b/packs")), true);
    while (files.hasNext()) {
      if (files.next().getPath().getName().endsWith(".pack")) {
        packs++;
      }
    }
    assertEquals(backup.json().get("packsWritten").asLong(), packs,
        "the failed attempt's packs never reach the repository");
    // The point is checked by restoring it on the local runner (the first test restores on YARN).
    Configuration local = new Configuration(conf);
    local.set("mapreduce.framework.name", "local");
    Cli.Result restore = Cli.run(local, "restore", "--repo", hdfs("/backups/b"), "--point", "latest",
        "--target", hdfs("/restored/b"));
    assertEquals(0, restore.exitCode, restore.toString());
    Trees.assertSameTree(sourceBefore, fs, fs, new Path(hdfs("/restored/b")), true);
  }

  /** A backup of the chain's source; its JSON report. */
  private static JsonNode chainBackup(Configuration runner, String source, String repo, String... extra)
      throws Exception {
    java.util.List<String> args = new java.util.ArrayList<>(java.util.List.of(
        "backup", "--source", source, "--repo", repo, "--json"));
    args.addAll(java.util.List.of(extra));
    Cli.Result r = Cli.run(runner, args.toArray(new String[0]));
    assertEquals(0, r.exitCode, r.toString());
    return r.json();
  }

  /**
   * Five points of an HDFS source read from snapshots: appends, a directory rename, a copy of a
   * large file, a 4 KiB edit, a delete, a truncation, permission- and time-only changes, a file
   * replaced by a directory; each backup reads only what changed, stores only new chunks, and
   * every point restores exactly as the source was.
   */
  @Test
  void aSnapshotChainReadsOnlyWhatChangedAndEveryPointRestores() throws Exception {
    Path chainRoot = fs.makeQualified(new Path("/data/chain"));
    String repo = hdfs("/backups/chain");
    ChangeChain chain = new ChangeChain(fs, chainRoot);
    chain.initial();
    org.apache.hadoop.hdfs.DistributedFileSystem dfsClient = dfs.getFileSystem();
    java.util.List<TreeMap<String, FileStatus>> states = new java.util.ArrayList<>();
    java.util.List<String> points = new java.util.ArrayList<>();
    // Points 1 (the snapshot's set-up) and 5 (a differential) and the prune run on YARN; the
    // others, like the restores, on the local runner against the same HDFS: what they check (what
    // is read and stored) is the tasks' logic, the same on both, and each YARN job costs ~35 s.
    Configuration local = new Configuration(conf);
    local.set("mapreduce.framework.name", "local");

    // 1: full; --snapshot makes the directory snapshottable (the test user is the superuser).
    states.add(testSnapshot(dfsClient, chainRoot, 1));
    JsonNode p1 = chainBackup(conf, chainRoot.toString(), repo, "--snapshot");
    points.add(p1.get("point").asText());
    assertEquals("full", p1.get("type").asText());
    String prefix = "hbackup-" + org.hbackup.common.repo.Repository.open(new Path(repo), conf).config().id() + "-";
    assertEquals(prefix + p1.get("point").asText(), p1.get("snapshot").asText(), "snapshots are named per repository");
    assertEquals(false, p1.get("readLive").asBoolean());
    assertTrue(p1.get("sourceChecksums").asLong() > 0, "full backups keep HDFS checksums for the next run");

    // 2: append, rename a directory, copy a large file, new empty directory.
    chain.appendRenameCopy();
    states.add(testSnapshot(dfsClient, chainRoot, 2));
    JsonNode p2 = chainBackup(local, chainRoot.toString(), repo);
    points.add(p2.get("point").asText());
    assertEquals("incremental", p2.get("type").asText());
    assertEquals(p1.get("point").asText(), p2.get("base").asText());
    assertEquals(ChangeChain.LOG_BYTES + ChangeChain.APPENDED_BYTES + ChangeChain.BIG_BYTES,
        p2.get("bytesRead").asLong(), "only the appended log and the new copy are read: " + p2);
    assertEquals(ChangeChain.RENAMED_FILES, p2.get("filesRenamed").asLong(), p2.toString());
    assertEquals(ChangeChain.RENAMED_FILES + 1, p2.get("pathsRenamed").asLong(), p2.toString());
    assertEquals(0, p2.get("pathsDeleted").asLong(), "renamed paths are not deleted: " + p2);
    assertTrue(p2.get("bytesNew").asLong() <= ChangeChain.APPENDED_BYTES + 4 * ChangeChain.MIB,
        "the append stores its bytes and at most one boundary chunk; the copy nothing: " + p2);
    assertTrue(p2.get("bytesNew").asLong() >= ChangeChain.APPENDED_BYTES, p2.toString());
    assertEquals(2, p2.get("pathsAdded").asLong(), "big-copy.bin and empty-new: " + p2);

    // 3: a 4 KiB edit inside a 16 MiB file, a delete.
    chain.editAndDelete();
    states.add(testSnapshot(dfsClient, chainRoot, 3));
    JsonNode p3 = chainBackup(local, chainRoot.toString(), repo);
    points.add(p3.get("point").asText());
    assertEquals(ChangeChain.BIG_BYTES, p3.get("bytesRead").asLong(), p3.toString());
    assertTrue(p3.get("chunksNew").asLong() >= 1 && p3.get("chunksNew").asLong() <= 2,
        "a 4 KiB edit stores one chunk, two if it moved a boundary: " + p3);
    assertEquals(1, p3.get("pathsDeleted").asLong(), p3.toString());
    assertEquals(1, p3.get("pathsModified").asLong(), p3.toString());

    // 4: truncation, permission-only and mtime-only changes.
    chain.truncateChmodTouch();
    states.add(testSnapshot(dfsClient, chainRoot, 4));
    JsonNode p4 = chainBackup(local, chainRoot.toString(), repo);
    points.add(p4.get("point").asText());
    assertEquals(ChangeChain.TRUNCATED_TO + ChangeChain.touchBytes(), p4.get("bytesRead").asLong(),
        "the permission-only change is carried over unread, confirmed by its checksum: " + p4);
    assertTrue(p4.get("bytesNew").asLong() <= 4 * ChangeChain.MIB, "at most the truncated tail chunk: " + p4);
    // perm.txt, touch.txt and the root, whose modification time each snapshot creation moves.
    assertEquals(3, p4.get("pathsMetadataOnly").asLong(), recorded(repo, points.get(3)));
    assertEquals(1, p4.get("pathsModified").asLong(), p4.toString());

    // 5: differential against point 1: a file replaced by a directory.
    chain.replaceFileByDirectory();
    states.add(testSnapshot(dfsClient, chainRoot, 5));
    JsonNode p5 = chainBackup(conf, chainRoot.toString(), repo, "--type", "differential");
    points.add(p5.get("point").asText());
    assertEquals("differential", p5.get("type").asText());
    assertEquals(p1.get("point").asText(), p5.get("base").asText());
    assertEquals(1, p5.get("pathsTypeChanged").asLong(), p5.toString());
    assertEquals(ChangeChain.RENAMED_FILES + 1, p5.get("pathsRenamed").asLong(), "renames since point 1: " + p5);
    assertEquals(ChangeChain.INNER_BYTES, p5.get("bytesNew").asLong(), "everything else is in the repository: " + p5);

    // Only the snapshots a later backup can compare with are kept: the latest and the latest full.
    java.util.Set<String> kept = new java.util.TreeSet<>();
    for (FileStatus s : fs.listStatus(new Path(chainRoot, ".snapshot"))) {
      if (s.getPath().getName().startsWith("hbackup-")) {
        kept.add(s.getPath().getName());
      }
    }
    assertEquals(new java.util.TreeSet<>(java.util.Set.of(prefix + points.get(0), prefix + points.get(4))), kept);

    // A second repository backing up the same directory: neither deletes the other's snapshots.
    String other = hdfs("/backups/chain-other");
    Cli.Result otherFull = Cli.run(local, "backup", "--source", chainRoot.toString(), "--repo", other, "--json");
    assertEquals(0, otherFull.exitCode, otherFull.toString());
    String otherSnapshot = otherFull.json().get("snapshot").asText();
    assertFalse(otherSnapshot.startsWith(prefix), otherSnapshot);
    // A snapshot someone else named with this repository's prefix, not followed by a point id.
    dfsClient.createSnapshot(chainRoot, prefix + "kept-by-hand");
    Cli.Result again = Cli.run(local, "backup", "--source", chainRoot.toString(), "--repo", repo, "--json");
    assertEquals(0, again.exitCode, again.toString());
    assertTrue(fs.exists(new Path(chainRoot, ".snapshot/" + prefix + "kept-by-hand")), "not named as hbackup names");
    dfsClient.deleteSnapshot(chainRoot, prefix + "kept-by-hand");
    assertTrue(fs.exists(new Path(chainRoot, ".snapshot/" + otherSnapshot)), "the other repository's base is kept");
    assertTrue(fs.exists(new Path(chainRoot, ".snapshot/" + prefix + points.get(0))), "this one's full base is kept");
    assertFalse(fs.exists(new Path(chainRoot, ".snapshot/" + prefix + points.get(4))), "its superseded one is not");
    Cli.Result otherNext = Cli.run(local, "backup", "--source", chainRoot.toString(), "--repo", other, "--json");
    assertEquals(0, otherNext.exitCode, otherNext.toString());
    assertEquals(otherFull.json().get("point").asText(), otherNext.json().get("base").asText());
    assertEquals(0, otherNext.json().get("bytesRead").asLong(), "its base snapshot and manifest were still there");

    Cli.Result changes = Cli.run(conf, "diff", "--repo", repo, "--to", points.get(1), "--json");
    assertEquals(0, changes.exitCode, changes.toString());
    assertTrue(changes.stdout.contains("\"from\" : \"dir-a\""), changes.stdout);

    // Every point restores as the source was; restores run on the local runner to keep this short.
    for (int i = 0; i < points.size(); i++) {
      String target = hdfs("/restored/chain-" + (i + 1));
      Cli.Result restore = Cli.run(local, "restore", "--repo", repo, "--point", points.get(i), "--target", target);
      assertEquals(0, restore.exitCode, restore.toString());
      Trees.assertSameTree(states.get(i), fs, fs, new Path(target), true, false);
    }

    // forget and prune as YARN jobs: the last two points stay, and the full point's snapshot,
    // which only it needed, is deleted with it; the other repository's is untouched.
    Cli.Result forget = Cli.run(conf, "forget", "-D", "hbackup.prune.grace.seconds=0",
        "-D", "hbackup.verify.reducers=2", "--repo", repo, "--keep-last", "2", "--prune", "--json");
    assertEquals(0, forget.exitCode, forget.toString());
    assertEquals(4, forget.json().get("removed").asInt(), forget.stdout);
    assertEquals(1, forget.json().get("snapshotsDeleted").asInt(), forget.stdout);
    assertFalse(fs.exists(new Path(chainRoot, ".snapshot/" + prefix + points.get(0))));
    assertTrue(fs.exists(new Path(chainRoot, ".snapshot/" + otherSnapshot)));
    JsonNode pruned = forget.json().get("prune");
    assertTrue(pruned.get("deleted").asBoolean(), pruned.toString());
    assertTrue(pruned.get("bytesAfter").asLong() < pruned.get("bytesBefore").asLong(), pruned.toString());
    // A pack was rewritten: the new one arrived with its map task's commit, in a job whose
    // reducers wrote the index that names it.
    assertTrue(pruned.get("packsRepacked").asLong() > 0, pruned.toString());
    assertTrue(pruned.get("packsWritten").asLong() > 0, pruned.toString());
    for (String point : new String[] {points.get(4), again.json().get("point").asText()}) {
      String target = hdfs("/restored/pruned-" + point);
      Cli.Result restore = Cli.run(local, "restore", "--repo", repo, "--point", point, "--target", target);
      assertEquals(0, restore.exitCode, restore.toString());
      Trees.assertSameTree(states.get(4), fs, fs, new Path(target), true, false);
    }
  }

  private static String recorded(String repo, String point) throws Exception {
    return Cli.run(conf, "diff", "--repo", repo, "--to", point).stdout;
  }

  /** The source as it is now, kept in a test snapshot so that its bytes can be compared later. */
  private static TreeMap<String, FileStatus> testSnapshot(org.apache.hadoop.hdfs.DistributedFileSystem client,
      Path root, int n) throws IOException {
    if (!client.getFileStatus(root).isSnapshotEnabled()) {
      client.allowSnapshot(root);
    }
    Path snapshot = client.createSnapshot(root, "test-" + n);
    return Trees.snapshot(fs, snapshot);
  }

  /**
   * Writes the golden repository of format version 2 (see common/src/test/resources/golden/v2):
   * run only when {@code -Dhbackup.golden.v2.out=DIR} asks for it, once per format version.
   */
  @Test
  void writesTheVersion2GoldenRepositoryWhenAsked() throws Exception {
    String out = System.getProperty("hbackup.golden.v2.out");
    org.junit.jupiter.api.Assumptions.assumeTrue(out != null, "only when -Dhbackup.golden.v2.out is set");
    Configuration local = new Configuration(conf);
    local.set("mapreduce.framework.name", "local");
    Path root = fs.makeQualified(new Path("/golden/source"));
    String repo = hdfs("/golden/repo");
    long time = 1_709_208_000_000L;
    Trees.write(fs, new Path(root, "hello.txt"), "hello, golden repository\n".getBytes());
    byte[] data = ChangeChain.random(2024, 1_300_000);
    Trees.write(fs, new Path(root, "dir/data.bin"), data);
    Trees.write(fs, new Path(root, "dir-a/moved.txt"), "this file is renamed with its directory\n".getBytes());
    Trees.write(fs, new Path(root, "empty"), new byte[0]);
    fs.mkdirs(new Path(root, "dir/empty-dir"));
    fs.setPermission(new Path(root, "hello.txt"), new org.apache.hadoop.fs.permission.FsPermission((short) 0640));
    for (String p : new String[] {"hello.txt", "dir/data.bin", "dir-a/moved.txt", "empty", "dir/empty-dir", "dir", "dir-a"}) {
      fs.setTimes(new Path(root, p), time, time);
    }
    assertEquals(0, Cli.run(local, "backup", "--source", root.toString(), "--repo", repo, "--snapshot").exitCode);
    fs.rename(new Path(root, "dir-a"), new Path(root, "dir-b"));
    try (FSDataOutputStream append = fs.append(new Path(root, "hello.txt"))) {
      append.write("appended\n".getBytes());
    }
    fs.setTimes(new Path(root, "hello.txt"), time + 1000, time + 1000);
    fs.setPermission(new Path(root, "dir/data.bin"), new org.apache.hadoop.fs.permission.FsPermission((short) 0600));
    fs.delete(new Path(root, "empty"), false);
    Cli.Result second = Cli.run(local, "backup", "--source", root.toString(), "--repo", repo, "--json");
    assertEquals(0, second.exitCode, second.toString());
    fs.delete(new Path(repo, "tmp"), true);
    FileSystem localFs = FileSystem.getLocal(conf);
    Path target = new Path(out);
    localFs.delete(target, true);
    fs.copyToLocalFile(false, new Path(repo), new Path(target, "repo"), true);
    fs.copyToLocalFile(false, root, new Path(target, "source"), true);
  }
}
