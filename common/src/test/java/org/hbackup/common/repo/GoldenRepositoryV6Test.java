package org.hbackup.common.repo;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.net.URISyntaxException;
import java.util.List;

import org.apache.hadoop.conf.Configuration;
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
    Repository repository = GoldenRepository.open("v6", conf);
    assertEquals(GoldenRepository.expectedLines("v6"), GoldenRepository.pointsEntriesAndChanges(repository, conf));

    List<PointRecord> points = repository.listPoints();
    assertEquals(3, points.size());
    assertNotNull(points.get(0).manifestList(), "a version 4 record names a content-addressed list");
    assertEquals(points.get(0).manifestList(), points.get(1).manifestList(),
        "the point of the unchanged tree shares the full point's manifest list");
    assertFalse(points.get(1).manifestList().equals(points.get(2).manifestList()));
    assertEquals(2, repository.fileSystem().listStatus(repository.layout().manifestListsDir()).length);
    for (PointRecord p : points) {
      assertFalse(repository.fileSystem().exists(repository.layout().manifest(p.id())), "no list of a point's own");
      assertTrue(p.manifestPath().startsWith("manifests/lists/"), p.manifestPath());
    }
  }

  /**
   * This build writes a list of the same entries with the same bytes, so the same name: a point
   * of an unchanged tree shares the list of a point an earlier build wrote (FORMAT.md section 10).
   */
  @Test
  void writesTheGoldenListsByteForByte() throws IOException, URISyntaxException {
    Repository repository = GoldenRepository.open("v6", new Configuration());
    for (PointRecord p : repository.listPoints()) {
      org.apache.hadoop.fs.Path path = repository.layout().manifestOf(p);
      byte[] golden;
      try (java.io.InputStream in = repository.fileSystem().open(path)) {
        golden = in.readAllBytes();
      }
      byte[] written = org.hbackup.common.manifest.ManifestList.fromJson(golden, path.toString()).toJson();
      assertEquals(new String(golden, java.nio.charset.StandardCharsets.UTF_8),
          new String(written, java.nio.charset.StandardCharsets.UTF_8));
      assertEquals(p.manifestList(), org.hbackup.common.id.ContentId.of(written));
    }
  }
}
