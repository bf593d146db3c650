package org.hbackup.common.repo;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.net.URISyntaxException;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

import com.google.common.hash.Hasher;
import com.google.common.hash.Hashing;
import com.google.common.io.BaseEncoding;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.Path;
import org.hbackup.common.manifest.ChangeKind;
import org.hbackup.common.manifest.ChangeListReader;
import org.hbackup.common.manifest.ChunkRef;
import org.hbackup.common.manifest.ManifestEntry;
import org.hbackup.common.manifest.ManifestReader;
import org.hbackup.common.point.PointRecord;
import org.junit.jupiter.api.Test;

/**
 * A repository written on HDFS by format version 2 (see golden/v2/README.md) must stay readable by
 * every later build: both points, every file's content and source checksum, and the change list,
 * checked against digests that Python computed from the source.
 */
class GoldenRepositoryV2Test {

  @Test
  void readsEveryFileOfTheVersion2GoldenRepository() throws IOException, URISyntaxException {
    Configuration conf = new Configuration();
    java.net.URL config = getClass().getResource("/golden/v2/repo/config.json");
    assertNotNull(config, "golden repository on the test classpath");
    Path root = new Path(java.nio.file.Paths.get(config.toURI()).getParent().toUri());
    Repository repository = Repository.open(root, conf);
    List<String> expected = GoldenRepository.expectedLines("v2");

    List<String> actual = new ArrayList<>();
    List<PointRecord> points = repository.listPoints();
    for (int n = 1; n <= points.size(); n++) {
      PointRecord p = points.get(n - 1);
      actual.add("point " + n + " " + p.id() + " " + p.type().configName() + " "
          + (p.base() == null ? "-" : p.base().toString()) + " " + p.snapshot());
    }
    for (int n = 1; n <= points.size(); n++) {
      try (ManifestReader reader = ManifestReader.all(repository::openSegment,
              repository.readManifest(points.get(n - 1).id()));
           ChunkReader chunks = new ChunkReader(repository, conf)) {
        for (ManifestEntry e = reader.next(); e != null; e = reader.next()) {
          actual.add(describe(n, e, chunks));
        }
      }
    }
    PointRecord second = points.get(1);
    assertTrue(second.hasChangeList());
    try (ChangeListReader changes = repository.openChangeList(second)) {
      for (ChangeListReader.Change c = changes.next(); c != null; c = changes.next()) {
        actual.add("change " + c.kind().reportName() + " " + (c.path().isEmpty() ? "." : c.path())
            + (c.from() == null ? "" : " " + c.from()));
      }
    }
    assertEquals(expected, actual);
    assertEquals(2L, second.changes().get(ChangeKind.RENAMED));
    assertEquals(2L, second.changes().get(ChangeKind.UNCHANGED));
  }

  private static String describe(int point, ManifestEntry e, ChunkReader chunks) throws IOException {
    String sha = "-";
    String crc = "-";
    if (e.isFile()) {
      Hasher whole = Hashing.sha256().newHasher();
      for (ChunkRef ref : e.chunks()) {
        whole.putBytes(chunks.read(ref.id(), ref.length()));
      }
      sha = whole.hash().toString();
      assertEquals(sha, e.fileHash().toHex(), e.path());
      assertNotNull(e.sourceChecksum(), e.path() + " has its HDFS checksum");
      crc = e.sourceChecksum().algorithm() + ":" + BaseEncoding.base16().lowerCase().encode(e.sourceChecksum().bytes());
    }
    boolean root = e.path().isEmpty();
    return "entry " + point + " " + e.type().name().toLowerCase(Locale.ROOT) + " " + e.length() + " "
        + Integer.toOctalString(e.permission()) + " "
        // The root's time is when the snapshot was taken; nothing to compare it with.
        + (root ? "-" : Long.toString(e.modificationTime() / 1000)) + " " + sha + " " + crc + " "
        + (root ? "." : e.path());
  }
}
