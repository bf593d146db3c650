package org.hbackup.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.util.ArrayDeque;
import java.util.Arrays;
import java.util.Deque;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;

import org.apache.hadoop.fs.FileStatus;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.apache.hadoop.fs.permission.FsPermission;
import org.hbackup.common.io.PosixFiles;
import org.hbackup.common.manifest.RelativePaths;

/** Generates the test tree that backups are checked with, and compares restored trees to it. */
final class Trees {
  /** Bytes of the file that spans several 1 MiB-average chunks. */
  static final int MULTI_CHUNK_BYTES = 5 * 1024 * 1024 + 123;

  private Trees() {
  }

  /**
   * Nested small files, a multi-chunk file, an empty file, empty directories, names with spaces
   * and non-ASCII characters, varied permissions and times; owners when {@code owners} is given.
   */
  static void generate(FileSystem fs, Path root, String[] owners) throws IOException {
    Random random = new Random(42);
    fs.mkdirs(root);
    write(fs, new Path(root, "top.txt"), "top level\n".getBytes());
    byte[] big = new byte[MULTI_CHUNK_BYTES];
    random.nextBytes(big);
    write(fs, new Path(root, "data/big.bin"), big);
    write(fs, new Path(root, "data/empty.dat"), new byte[0]);
    fs.mkdirs(new Path(root, "empty-dir"));
    fs.mkdirs(new Path(root, "nested/deeper/empty"));
    for (int i = 0; i < 30; i++) {
      byte[] text = ("line " + i + " of a log that compresses well\n").repeat(50 + i * 10).getBytes();
      write(fs, new Path(root, "nested/d" + (i % 4) + "/file-" + i + ".log"), text);
    }
    Path spaced = RelativePaths.resolve(root, "names/with space/ünïcødé 文件.txt");
    write(fs, spaced, "non-ascii\n".getBytes(java.nio.charset.StandardCharsets.UTF_8));
    if (!"hdfs".equals(fs.getUri().getScheme())) {
      // HDFS refuses ':' in names; other file systems allow it and Hadoop's Path must not choke.
      write(fs, RelativePaths.resolve(root, "names/colon:and,comma"), "odd\n".getBytes());
    }
    fs.setPermission(new Path(root, "top.txt"), new FsPermission((short) 0600));
    fs.setPermission(new Path(root, "data/big.bin"), new FsPermission((short) 0444));
    fs.setPermission(new Path(root, "empty-dir"), new FsPermission((short) 0700));
    fs.setPermission(new Path(root, "nested/d1"), new FsPermission((short) 0751));
    fs.setPermission(spaced, new FsPermission((short) 0640));
    if (owners != null) {
      fs.setOwner(new Path(root, "top.txt"), owners[0], owners[1]);
      fs.setOwner(new Path(root, "nested/d2"), owners[0], owners[1]);
    }
    // Times last: writing inside a directory changes its modification time.
    long base = 1_600_000_000_000L;
    int n = 0;
    for (Path p : new Path[] {new Path(root, "top.txt"), new Path(root, "data/big.bin"), spaced,
        new Path(root, "data/empty.dat"), new Path(root, "nested/d1"), new Path(root, "empty-dir"),
        new Path(root, "data"), new Path(root, "nested/deeper/empty")}) {
      fs.setTimes(p, base + 86_400_000L * n, base + 86_400_000L * n + 5000);
      n++;
    }
  }

  static void write(FileSystem fs, Path path, byte[] data) throws IOException {
    try (OutputStream out = fs.create(path, true)) {
      out.write(data);
    }
  }

  /** Every entry under root by manifest path, with metadata read without following links. */
  static TreeMap<String, FileStatus> snapshot(FileSystem fs, Path root) throws IOException {
    TreeMap<String, FileStatus> entries = new TreeMap<>();
    FileStatus rootStatus = fs.getFileStatus(root);
    Path qualified = rootStatus.getPath();
    Deque<Path> pending = new ArrayDeque<>();
    pending.push(qualified);
    while (!pending.isEmpty()) {
      for (FileStatus s : fs.listStatus(pending.pop())) {
        FileStatus c = PosixFiles.complete(fs, s);
        entries.put(RelativePaths.relativize(qualified, c.getPath()), c);
        if (c.isDirectory()) {
          pending.push(c.getPath());
        }
      }
    }
    return entries;
  }

  /**
   * Checks that target holds exactly the expected entries with their metadata, then their bytes.
   * Metadata first: reading a file may change its access time.
   */
  static void assertSameTree(Map<String, FileStatus> expected, FileSystem sourceFs, FileSystem targetFs,
      Path target, boolean hdfsMetadata) throws IOException {
    assertSameTree(expected, sourceFs, targetFs, target, hdfsMetadata, true);
  }

  /** As above; {@code accessTimes} false where copying the source moved them. */
  static void assertSameTree(Map<String, FileStatus> expected, FileSystem sourceFs, FileSystem targetFs,
      Path target, boolean hdfsMetadata, boolean accessTimes) throws IOException {
    TreeMap<String, FileStatus> actual = snapshot(targetFs, target);
    assertEquals(expected.keySet(), actual.keySet(), "restored entries");
    for (Map.Entry<String, FileStatus> e : expected.entrySet()) {
      FileStatus want = e.getValue();
      FileStatus got = actual.get(e.getKey());
      String path = e.getKey();
      assertEquals(want.isDirectory(), got.isDirectory(), path + " type");
      assertEquals(want.getPermission(), got.getPermission(), path + " permission");
      assertEquals(want.getOwner(), got.getOwner(), path + " owner");
      assertEquals(want.getGroup(), got.getGroup(), path + " group");
      assertEquals(want.getModificationTime(), got.getModificationTime(), path + " modification time");
      assertEquals(want.isSymlink(), got.isSymlink(), path + " is a symlink");
      if (want.isSymlink()) {
        assertEquals(want.getSymlink(), got.getSymlink(), path + " symlink target");
      }
      if (want.isFile()) {
        assertEquals(want.getLen(), got.getLen(), path + " length");
        if (accessTimes) {
          assertEquals(want.getAccessTime(), got.getAccessTime(), path + " access time");
        }
        if (hdfsMetadata) {
          assertEquals(want.getReplication(), got.getReplication(), path + " replication");
          assertEquals(want.getBlockSize(), got.getBlockSize(), path + " block size");
        }
      }
    }
    for (Map.Entry<String, FileStatus> e : expected.entrySet()) {
      if (e.getValue().isFile()) {
        assertTrue(sameBytes(sourceFs, e.getValue().getPath(), targetFs, actual.get(e.getKey()).getPath()),
            e.getKey() + " content");
      }
    }
  }

  static boolean sameBytes(FileSystem fa, Path a, FileSystem fb, Path b) throws IOException {
    try (InputStream ia = fa.open(a); InputStream ib = fb.open(b)) {
      byte[] ba = new byte[1 << 16];
      byte[] bb = new byte[1 << 16];
      while (true) {
        int na = ia.readNBytes(ba, 0, ba.length);
        int nb = ib.readNBytes(bb, 0, bb.length);
        if (na != nb || !Arrays.equals(ba, 0, na, bb, 0, nb)) {
          return false;
        }
        if (na == 0) {
          return true;
        }
      }
    }
  }
}
