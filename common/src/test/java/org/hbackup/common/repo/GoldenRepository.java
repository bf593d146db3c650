package org.hbackup.common.repo;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;

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

/**
 * The golden repositories under {@code src/test/resources/golden/<version>/}: opening one, its
 * {@code expected.txt} (written from the source by Python, independently of hbackup), and what
 * each golden test compares with it.
 */
final class GoldenRepository {
  private GoldenRepository() {
  }

  /** Opens {@code golden/<version>/repo} from the test classpath. */
  static Repository open(String version, Configuration conf) throws IOException, URISyntaxException {
    java.net.URL config = GoldenRepository.class.getResource("/golden/" + version + "/repo/config.json");
    assertNotNull(config, "golden repository " + version + " on the test classpath");
    return Repository.open(new Path(java.nio.file.Paths.get(config.toURI()).getParent().toUri()), conf);
  }

  /** The lines of {@code golden/<version>/expected.txt}, without comments and blank lines. */
  static List<String> expectedLines(String version) throws IOException {
    List<String> lines = new ArrayList<>();
    try (InputStream in = GoldenRepository.class.getResourceAsStream("/golden/" + version + "/expected.txt");
         BufferedReader r = new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8))) {
      for (String line = r.readLine(); line != null; line = r.readLine()) {
        if (!line.isBlank() && !line.startsWith("#")) {
          lines.add(line);
        }
      }
    }
    return lines;
  }

  /** The SHA-256 of a file entry's content as read back from the packs, checked against the entry's own. */
  static String contentDigest(ManifestEntry e, ChunkReader chunks) throws IOException {
    Hasher whole = Hashing.sha256().newHasher();
    for (ChunkRef ref : e.chunks()) {
      whole.putBytes(chunks.read(ref.id(), ref.length()));
    }
    String sha = whole.hash().toString();
    assertEquals(sha, e.fileHash().toHex(), e.path());
    return sha;
  }

  /**
   * Every point ({@code point <n> <id> <type> <base>}), every entry of each
   * ({@code entry <n> <type> <length> <mode> <mtime s> <sha256> <path>}) and every change of each
   * point after the first ({@code change <n> <kind> <path>}), as the golden repositories of
   * version 3 and later list them.
   */
  static List<String> pointsEntriesAndChanges(Repository repository, Configuration conf) throws IOException {
    List<String> actual = new ArrayList<>();
    List<PointRecord> points = repository.listPoints();
    for (int n = 1; n <= points.size(); n++) {
      PointRecord p = points.get(n - 1);
      actual.add("point " + n + " " + p.id() + " " + p.type().configName() + " "
          + (p.base() == null ? "-" : p.base().toString()));
    }
    for (int n = 1; n <= points.size(); n++) {
      try (ManifestReader reader = ManifestReader.all(repository::openSegment,
              repository.readManifest(points.get(n - 1)));
           ChunkReader chunks = new ChunkReader(repository, conf)) {
        for (ManifestEntry e = reader.next(); e != null; e = reader.next()) {
          actual.add(describe(n, e, chunks));
        }
      }
    }
    for (int n = 2; n <= points.size(); n++) {
      try (ChangeListReader changes = repository.openChangeList(points.get(n - 1))) {
        for (ChangeListReader.Change c = changes.next(); c != null; c = changes.next()) {
          actual.add("change " + n + " " + c.kind().reportName() + " " + (c.path().isEmpty() ? "." : c.path()));
        }
      }
    }
    return actual;
  }

  private static String describe(int point, ManifestEntry e, ChunkReader chunks) throws IOException {
    String sha = e.isFile() ? contentDigest(e, chunks) : "-";
    boolean root = e.path().isEmpty();
    return "entry " + point + " " + e.type().name().toLowerCase(Locale.ROOT) + " " + e.length() + " "
        + Integer.toOctalString(e.permission()) + " "
        // The source root's time is when the test ran; nothing to compare it with.
        + (root ? "-" : Long.toString(e.modificationTime() / 1000)) + " " + sha + " " + (root ? "." : e.path());
  }
}
