package org.hbackup.common.repo;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;

import java.io.IOException;
import java.net.URISyntaxException;
import java.util.ArrayList;
import java.util.List;

import com.google.common.hash.Hasher;
import com.google.common.hash.Hashing;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.Path;
import org.hbackup.common.chunk.ChunkerParameters;
import org.hbackup.common.manifest.ChunkRef;
import org.hbackup.common.manifest.ManifestEntry;
import org.hbackup.common.manifest.ManifestList;
import org.hbackup.common.manifest.ManifestReader;
import org.hbackup.common.point.PointRecord;
import org.hbackup.common.point.PointType;
import org.junit.jupiter.api.Test;

/**
 * A repository written by format version 1 (see golden/v1/README.md) must stay readable by every
 * later build: its point, manifest and every file's content, checked against digests taken from
 * the source with sha256sum when the repository was made.
 */
class GoldenRepositoryV1Test {

  @Test
  void readsEveryFileOfTheVersion1GoldenRepository() throws IOException, URISyntaxException {
    Configuration conf = new Configuration();
    java.net.URL root = getClass().getResource("/golden/v1/repo/config.json");
    assertNotNull(root, "golden repository on the test classpath");
    Path repoPath = new Path(java.nio.file.Paths.get(root.toURI()).getParent().toUri());
    Repository repository = Repository.open(repoPath, conf);
    assertEquals(new ChunkerParameters(524288, 1048576, 4194304), repository.config().chunker());

    List<PointRecord> points = repository.listPoints();
    assertEquals(1, points.size());
    PointRecord point = points.get(0);
    assertEquals(PointType.FULL, point.type());
    ManifestList manifest = repository.readManifest(point.id());

    List<String> expected = GoldenRepository.expectedLines("v1");
    List<String> actual = new ArrayList<>();
    try (ManifestReader reader = ManifestReader.all(repository::openSegment, manifest);
         ChunkReader chunks = new ChunkReader(repository, conf)) {
      for (ManifestEntry e = reader.next(); e != null; e = reader.next()) {
        if (e.path().isEmpty()) {
          continue;
        }
        String content = "-";
        if (e.isFile()) {
          Hasher whole = Hashing.sha256().newHasher();
          for (ChunkRef ref : e.chunks()) {
            whole.putBytes(chunks.read(ref.id(), ref.length()));
          }
          content = whole.hash().toString();
          assertEquals(content, e.fileHash().toHex(), e.path());
        }
        actual.add(e.type().name().toLowerCase(java.util.Locale.ROOT) + " " + e.length() + " "
            + Integer.toOctalString(e.permission()) + " " + e.modificationTime() / 1000 + " " + content + " " + e.path());
      }
    }
    assertEquals(expected, actual);
    assertEquals(point.files(), manifest.totals().files());
  }
}
