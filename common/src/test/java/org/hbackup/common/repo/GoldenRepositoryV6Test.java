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
import org.junit.jupiter.api.Test;

/**
 * A repository written by format version 6 (see golden/v6/README.md) must stay readable by every
 * later build: content-addressed manifest lists, one of them shared by a full point and the point
 * of the unchanged tree after it; every file's content checked against digests that Python
 * computed from the source.
 */
class GoldenRepositoryV6Test {

  @Test
  void readsEveryFileOfTheVersion6GoldenRepository() throws IOException, URISyntaxException {
    Configuration conf = new Configuration();
    java.net.URL config = getClass().getResource("/golden/v6/repo/config.json");
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

    assertEquals(3, points.size());
    assertNotNull(points.get(0).manifestList(), "a version 4 record names a content-addressed list");
    assertEquals(points.get(0).manifestList(), points.get(1).manifestList(),
        "the point of the unchanged tree shares the full point's manifest list");
    assertFalse(points.get(1).manifestList().equals(points.get(2).manifestList()));
    assertEquals(2, repository.fileSystem().listStatus(repository.layout().manifestListsDir()).length);
    for (PointRecord p : points) {
      assertFalse(repository.fileSystem().exists(repository.layout().manifest(p.id())),
          "no list of a point's own");
      assertTrue(p.manifestPath().startsWith("manifests/lists/"), p.manifestPath());
    }
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
    try (InputStream in = getClass().getResourceAsStream("/golden/v6/expected.txt");
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
