package org.hbackup.it;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.util.Random;

import com.fasterxml.jackson.databind.JsonNode;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FSDataOutputStream;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.apache.hadoop.fs.permission.AclEntry;
import org.apache.hadoop.hdfs.DistributedFileSystem;
import org.apache.hadoop.hdfs.MiniDFSCluster;
import org.apache.hadoop.io.IOUtils;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * What an HDFS source has that the local file system does not, on one MiniDFSCluster (ACLs
 * enabled) with the local job runner. Files open for write (a log being appended, a WAL) are in
 * every busy source: a backup takes them as of their visible length and flags them
 * ({@code --open-files include}, the default), leaves them out with a report ({@code skip}), or
 * fails naming them ({@code fail}); from a snapshot, as of the length the snapshot captured. ACL
 * entries and extended attributes are kept and restored (DistCp's {@code -pa -px}).
 */
class HdfsSourceIT {
  @TempDir
  static java.nio.file.Path dir;

  private static MiniDFSCluster dfs;
  private static DistributedFileSystem fs;
  private static Configuration conf;

  @BeforeAll
  static void startCluster() throws IOException {
    Configuration base = new Configuration();
    base.setInt("dfs.replication", 1);
    base.setLong("dfs.blocksize", 1024 * 1024);
    base.setInt("dfs.namenode.fs-limits.min-block-size", 4096);
    base.set("hadoop.tmp.dir", dir.resolve("hadoop-tmp").toString());
    base.setBoolean("dfs.namenode.acls.enabled", true);
    dfs = new MiniDFSCluster.Builder(base, new java.io.File(dir.toFile(), "dfs")).numDataNodes(1).build();
    dfs.waitActive();
    fs = dfs.getFileSystem();
    conf = new Configuration(dfs.getConfiguration(0));
    conf.set("hadoop.tmp.dir", dir.resolve("hadoop-tmp").toString());
  }

  @AfterAll
  static void stopCluster() {
    if (dfs != null) {
      dfs.shutdown();
    }
  }

  private static byte[] random(int length, long seed) {
    byte[] data = new byte[length];
    new Random(seed).nextBytes(data);
    return data;
  }

  /** A source with a closed file and one kept open for write: 1.5 MiB written and hflushed. */
  private static FSDataOutputStream sourceWithAnOpenFile(Path source, byte[] visible) throws IOException {
    fs.mkdirs(source);
    try (FSDataOutputStream out = fs.create(new Path(source, "closed.txt"))) {
      out.write("closed".getBytes(java.nio.charset.StandardCharsets.UTF_8));
    }
    FSDataOutputStream open = fs.create(new Path(source, "wal.log"));
    open.write(visible);
    open.hflush();
    return open;
  }

  private static byte[] read(Path file) throws IOException {
    try (InputStream in = fs.open(file)) {
      return IOUtils.readFullyToByteArray(new java.io.DataInputStream(in));
    }
  }

  @Test
  void aLiveSourceTakesAnOpenFileAsOfItsVisibleLengthAndFlagsIt() throws Exception {
    Path source = fs.makeQualified(new Path("/live"));
    byte[] visible = random(1_500_000, 1);
    try (FSDataOutputStream open = sourceWithAnOpenFile(source, visible)) {
      String repo = fs.makeQualified(new Path("/repo-live")).toString();
      Cli.Result backup = Cli.run(conf, "backup", "--source", source.toString(), "--repo", repo, "--json");
      assertEquals(0, backup.exitCode, backup.toString());
      JsonNode report = backup.json();
      assertEquals(1, report.get("filesOpenForWrite").asLong(), report.toString());
      assertEquals("wal.log", report.get("openForWrite").get(0).asText());
      open.write(random(1000, 2));
      open.hflush();

      String target = fs.makeQualified(new Path("/restored-live")).toString();
      assertEquals(0, Cli.run(conf, "restore", "--repo", repo, "--point", "latest", "--target", target).exitCode);
      assertArrayEquals(visible, read(new Path(target, "wal.log")), "as of its visible length at the backup");

      Cli.Result skip = Cli.run(conf, "backup", "--source", source.toString(), "--repo", repo, "--open-files",
          "skip", "--json");
      assertEquals(0, skip.exitCode, skip.toString());
      assertEquals(1, skip.json().get("filesOpenForWrite").asLong());
      assertTrue(skip.json().get("skipped").toString().contains("open for write"), skip.toString());
      assertEquals(1, skip.json().get("files").asLong(), "only closed.txt");

      Cli.Result fail = Cli.run(conf, "backup", "--source", source.toString(), "--repo", repo, "--open-files",
          "fail", "--json");
      assertEquals(1, fail.exitCode, fail.toString());
      assertTrue(fail.stderr.contains("wal.log"), fail.stderr);
      assertEquals(2, Cli.run(conf, "list", "--repo", repo, "--json").json().get("points").size(),
          "the failed backup published nothing");
    }
    Cli.Result closed = Cli.run(conf, "backup", "--source", source.toString(), "--repo",
        fs.makeQualified(new Path("/repo-live")).toString(), "--open-files", "fail", "--json");
    assertEquals(0, closed.exitCode, "once closed, nothing is open: " + closed);
    assertEquals(0, closed.json().get("filesOpenForWrite").asLong());
  }

  /**
   * A file read in ranges that another file is renamed over between its ranges (a job that writes
   * aside and renames over): the tasks after the rename read the new file. Each range task
   * compares the inode id with the listed one, so the backup names the file (exit 4); it was
   * joined from two files with exit 0. Ranged files left alone are not flagged.
   */
  @Test
  void aFileRenamedOverBetweenItsRangesIsNamedNeverSilentlyJoined() throws Exception {
    Path source = fs.makeQualified(new Path("/renamed-over"));
    fs.mkdirs(source);
    Path big = new Path(source, "big.bin");
    try (FSDataOutputStream out = fs.create(big)) {
      out.write(random(4 << 20, 3));
    }
    try (FSDataOutputStream out = fs.create(new Path(source, "steady.bin"))) {
      out.write(random(3 << 20, 4));
    }
    String repo = fs.makeQualified(new Path("/repo-renamed-over")).toString();
    PausedCommand backup = PausedCommand.start(conf, dir.resolve("pause-renamed-over"), "backup.map", "backup",
        "-D", "hbackup.backup.range.bytes=1048576", "--max-maps", "1", "--source", source.toString(),
        "--repo", repo, "--json");
    Path aside = new Path("/renamed-over-aside");
    try (FSDataOutputStream out = fs.create(aside)) {
      out.write(random(4 << 20, 5));
    }
    fs.rename(aside, big, org.apache.hadoop.fs.Options.Rename.OVERWRITE);
    Cli.Result mixed = backup.release();
    assertEquals(4, mixed.exitCode, mixed.toString());
    assertEquals(1, mixed.json().get("filesChanging").asLong(), mixed.stdout);
    assertEquals("big.bin", mixed.json().get("changing").get(0).asText(), mixed.stdout);

    Cli.Result after = Cli.run(conf, "backup", "-D", "hbackup.backup.range.bytes=1048576", "--source",
        source.toString(), "--repo", repo, "--json");
    assertEquals(0, after.exitCode, "nothing replaced, nothing flagged: " + after);
    assertEquals(0, after.json().get("filesChanging").asLong(), after.stdout);
  }

  @Test
  void aSnapshotTakesAnOpenFileAsOfTheLengthItCaptured() throws Exception {
    Path source = fs.makeQualified(new Path("/snap"));
    byte[] visible = random(1_200_000, 3);
    try (FSDataOutputStream open = sourceWithAnOpenFile(source, visible)) {
      fs.allowSnapshot(source);
      String repo = fs.makeQualified(new Path("/repo-snap")).toString();
      // The backup pauses once it has taken its snapshot and listed it; the writer goes on.
      Cli.Result backup = Cli.runPausedAt(conf, "backup.listed", dir, () -> {
        open.write(random(500_000, 4));
        open.hflush();
      }, "backup", "--source", source.toString(), "--repo", repo, "--json");

      assertEquals(0, backup.exitCode, backup.toString());
      JsonNode report = backup.json();
      assertFalse(report.get("snapshot").isNull(), "read from a snapshot");
      assertEquals(1, report.get("filesOpenForWrite").asLong(), report.toString());
      String target = fs.makeQualified(new Path("/restored-snap")).toString();
      assertEquals(0, Cli.run(conf, "restore", "--repo", repo, "--point", "latest", "--target", target).exitCode);
      byte[] restored = read(new Path(target, "wal.log"));
      assertArrayEquals(visible, restored, "as the snapshot captured it, nothing written after it");
    }
  }

  @Test
  void aclEntriesExtendedAttributesAndStoragePoliciesAreKeptAndRestored() throws Exception {
    Path source = fs.makeQualified(new Path("/meta"));
    Path dirWithDefaults = new Path(source, "shared");
    Path file = new Path(dirWithDefaults, "report.csv");
    fs.mkdirs(dirWithDefaults);
    try (FSDataOutputStream out = fs.create(file)) {
      out.write(random(10_000, 5));
    }
    // Made before the directory's default ACL, which it would inherit: it has no attributes.
    try (FSDataOutputStream out = fs.create(new Path(dirWithDefaults, "inherits.txt"))) {
      out.write(random(100, 6));
    }
    fs.modifyAclEntries(dirWithDefaults, AclEntry.parseAclSpec("default:user:bob:rwx,user:carol:r-x", true));
    fs.modifyAclEntries(file, AclEntry.parseAclSpec("user:bob:rw-,group:analysts:r--", true));
    fs.setXAttr(file, "user.checksum", new byte[] {0, 1, (byte) 0xfe});
    fs.setXAttr(file, "trusted.origin", "s3://bucket/x".getBytes(java.nio.charset.StandardCharsets.UTF_8));
    fs.setXAttr(dirWithDefaults, "user.owner-team", "data".getBytes(java.nio.charset.StandardCharsets.UTF_8));
    // Storage policies: one set on the directory, another on a file below it; a second file
    // inherits the directory's and must record none (entriesWithAttributes stays 2); the root has none.
    // (COLD would refuse new files here: the cluster has no ARCHIVE storage and COLD no fallback.)
    fs.setStoragePolicy(dirWithDefaults, "WARM");
    fs.setStoragePolicy(file, "ONE_SSD");
    String repo = fs.makeQualified(new Path("/repo-meta")).toString();
    Cli.Result backup = Cli.run(conf, "backup", "--source", source.toString(), "--repo", repo, "--json");
    assertEquals(0, backup.exitCode, backup.toString());
    assertEquals(2, backup.json().get("entriesWithAttributes").asLong(), backup.toString());

    Path target = fs.makeQualified(new Path("/restored-meta"));
    Cli.Result restore = Cli.run(conf, "restore", "--repo", repo, "--point", "latest", "--target", target.toString(),
        "--json");
    assertEquals(0, restore.exitCode, restore.toString());
    assertEquals(0, restore.json().get("attributesNotApplied").asLong());
    for (String relative : new String[] {"shared", "shared/report.csv"}) {
      Path from = new Path(source, relative);
      Path to = new Path(target, relative);
      assertEquals(fs.getAclStatus(from).getEntries(), fs.getAclStatus(to).getEntries(), relative + " ACL");
      assertEquals(fs.getFileStatus(from).getPermission(), fs.getFileStatus(to).getPermission(), relative + " mode");
      java.util.Map<String, byte[]> want = fs.getXAttrs(from);
      java.util.Map<String, byte[]> got = fs.getXAttrs(to);
      assertEquals(want.keySet(), got.keySet(), relative + " xattrs");
      for (String name : want.keySet()) {
        assertArrayEquals(want.get(name), got.get(name), relative + " " + name);
      }
    }
    assertArrayEquals(read(file), read(new Path(target, "shared/report.csv")));
    assertEquals("WARM", fs.getStoragePolicy(new Path(target, "shared")).getName());
    assertEquals("ONE_SSD", fs.getStoragePolicy(new Path(target, "shared/report.csv")).getName());
    assertEquals("HOT", fs.getStoragePolicy(target).getName(), "no policy where the source had none");
    assertEquals("WARM", fs.getStoragePolicy(new Path(target, "shared/inherits.txt")).getName());

    // An attribute changed alone (the modification time does not move) is a metadata change.
    fs.setXAttr(file, "user.checksum", new byte[] {9});
    fs.setStoragePolicy(file, "ALL_SSD");
    // A policy changed alone on the directory: one more metadata-only change, not one per entry below it.
    fs.setStoragePolicy(dirWithDefaults, "ONE_SSD");
    Cli.Result next = Cli.run(conf, "backup", "--source", source.toString(), "--repo", repo, "--json");
    assertEquals(0, next.exitCode, next.toString());
    assertEquals(2, next.json().get("pathsMetadataOnly").asLong(), next.toString());
    assertEquals(0, next.json().get("bytesRead").asLong(), "carried over unread, with its new attributes");
    Path second = fs.makeQualified(new Path("/restored-meta-2"));
    assertEquals(0, Cli.run(conf, "restore", "--repo", repo, "--point", "latest", "--target", second.toString())
        .exitCode);
    assertArrayEquals(new byte[] {9}, fs.getXAttr(new Path(second, "shared/report.csv"), "user.checksum"));
    assertEquals("ALL_SSD", fs.getStoragePolicy(new Path(second, "shared/report.csv")).getName());
    assertEquals("ONE_SSD", fs.getStoragePolicy(new Path(second, "shared")).getName());
    assertEquals("ONE_SSD", fs.getStoragePolicy(new Path(second, "shared/inherits.txt")).getName());

    // A target that holds neither (the local file system) gets the rest, and the report says so.
    String local = dir.resolve("restored-local").toUri().toString();
    Cli.Result toLocal = Cli.run(conf, "restore", "--repo", repo, "--point", "latest", "--target", local, "--json");
    assertEquals(0, toLocal.exitCode, toLocal.toString());
    assertEquals(2, toLocal.json().get("attributesNotApplied").asLong(), toLocal.toString());
    assertArrayEquals(read(file), Files.readAllBytes(dir.resolve("restored-local/shared/report.csv")));
  }

  /** restore --dry-run finds an HDFS space quota the restore would exceed (exit 1), and writes nothing. */
  @Test
  void aDryRunRestoreFindsAQuotaTheRestoreWouldExceed() throws Exception {
    Path source = fs.makeQualified(new Path("/quota-source"));
    fs.mkdirs(source);
    try (FSDataOutputStream out = fs.create(new Path(source, "big.bin"))) {
      out.write(random(2_000_000, 9));
    }
    String repo = fs.makeQualified(new Path("/repo-quota")).toString();
    assertEquals(0, Cli.run(conf, "backup", "--source", source.toString(), "--repo", repo).exitCode);
    Path limited = fs.makeQualified(new Path("/limited"));
    fs.mkdirs(limited);
    fs.setQuota(limited, org.apache.hadoop.hdfs.protocol.HdfsConstants.QUOTA_DONT_SET, 1_000_000);
    Cli.Result dry = Cli.run(conf, "restore", "--dry-run", "--repo", repo, "--point", "latest", "--target",
        new Path(limited, "target").toString(), "--json");
    assertEquals(1, dry.exitCode, dry.toString());
    assertTrue(dry.json().get("problems").toString().contains("space quota of"), dry.toString());
    assertFalse(fs.exists(new Path(limited, "target")), "nothing written");
    Cli.Result fits = Cli.run(conf, "restore", "--dry-run", "--repo", repo, "--point", "latest", "--target",
        fs.makeQualified(new Path("/unlimited/target")).toString(), "--json");
    assertEquals(0, fits.exitCode, fits.toString());
  }
}
