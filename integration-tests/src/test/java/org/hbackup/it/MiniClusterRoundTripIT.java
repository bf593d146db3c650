package org.hbackup.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
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
  private static final String JAVA_OPTS = "-Xmx400m --add-opens java.base/java.lang=ALL-UNNAMED"
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
    Cli.Result restore = Cli.run(conf, "restore", "--repo", hdfs("/backups/b"), "--point", "latest",
        "--target", hdfs("/restored/b"));
    assertEquals(0, restore.exitCode, restore.toString());
    Trees.assertSameTree(sourceBefore, fs, fs, new Path(hdfs("/restored/b")), true);
  }
}
