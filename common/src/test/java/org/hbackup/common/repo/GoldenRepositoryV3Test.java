package org.hbackup.common.repo;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

import com.google.common.hash.Hasher;
import com.google.common.hash.Hashing;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.Path;
import org.hbackup.common.manifest.ChangeListReader;
import org.hbackup.common.manifest.ChunkRef;
import org.hbackup.common.manifest.ManifestEntry;
import org.hbackup.common.manifest.ManifestReader;
import org.hbackup.common.point.PointRecord;
import org.hbackup.common.point.PointType;
import org.junit.jupiter.api.Test;

/**
 * A repository written by format version 3 (see golden/v3/README.md) must stay readable by every
 * later build: self-checksummed point records and manifest lists, a point of type repaired whose
 * base was forgotten, its change list naming the dropped file, and a rebuilt index; every file's
 * content checked against digests that Python computed from the source.
 */
class GoldenRepositoryV3Test {

  @Test
  void readsEveryFileOfTheVersion3GoldenRepository() throws IOException, URISyntaxException {
    Configuration conf = new Configuration();
    java.net.URL config = getClass().getResource("/golden/v3/repo/config.json");
    assertNotNull(config, "golden repository on the test classpath");
    Path root = new Path(java.nio.file.Paths.get(config.toURI()).getParent().toUri());
    Repository repository = Repository.open(root, conf);

    List<String> actual = new ArrayList<>();
    List<PointRecord> points = repository.listPoints();
    for (int n = 1; n <= points.size(); n++) {
      PointRecord p = points.get(n - 1);
      actual.add("point " + n + " " + p.id() + " " + p.type().configName() + " "
          + (p.base() == null ? "-" : p.base().toString()));
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
    for (int n = 2; n <= points.size(); n++) {
      try (ChangeListReader changes = repository.openChangeList(points.get(n - 1).id())) {
        for (ChangeListReader.Change c = changes.next(); c != null; c = changes.next()) {
          actual.add("change " + n + " " + c.kind().reportName() + " " + (c.path().isEmpty() ? "." : c.path()));
        }
      }
    }
    assertEquals(expectedLines(), actual);

    PointRecord repaired = points.get(1);
    assertEquals(PointType.REPAIRED, repaired.type());
    assertEquals(1L, repaired.counters().get("filesDropped"));
    assertFalse(repository.fileSystem().exists(repository.layout().point(repaired.base())),
        "the damaged original was forgotten");
    assertEquals(2, repository.fileSystem().listStatus(repository.layout().indexDir()).length,
        "repair index left one index file, the last backup wrote another");
    assertTrue(repository.fileSystem().exists(repository.layout().manifest(repaired.base())),
        "the forgotten point's manifest list stays until prune removes it");
  }

  private static String describe(int point, ManifestEntry e, ChunkReader chunks) throws IOException {
    String sha = "-";
    if (e.isFile()) {
      Hasher whole = Hashing.sha256().newHasher();
      for (ChunkRef ref : e.chunks()) {
        whole.putBytes(chunks.read(ref.id(), ref.length()));
      }
      sha = whole.hash().toString();
      assertEquals(sha, e.fileHash().toHex(), e.path());
    }
    boolean root = e.path().isEmpty();
    return "entry " + point + " " + e.type().name().toLowerCase(Locale.ROOT) + " " + e.length() + " "
        + Integer.toOctalString(e.permission()) + " "
        // The source root's time is when the test ran; nothing to compare it with.
        + (root ? "-" : Long.toString(e.modificationTime() / 1000)) + " " + sha + " " + (root ? "." : e.path());
  }

  private List<String> expectedLines() throws IOException {
    List<String> lines = new ArrayList<>();
    try (InputStream in = getClass().getResourceAsStream("/golden/v3/expected.txt");
         BufferedReader r = new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8))) {
      for (String line = r.readLine(); line != null; line = r.readLine()) {
        if (!line.isBlank() && !line.startsWith("#")) {
          lines.add(line);
        }
      }
    }
    return lines;
  }
}
