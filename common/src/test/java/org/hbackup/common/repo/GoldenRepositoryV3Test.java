package org.hbackup.common.repo;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.net.URISyntaxException;
import java.util.List;

import org.apache.hadoop.conf.Configuration;
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
    Repository repository = GoldenRepository.open("v3", conf);
    assertEquals(GoldenRepository.expectedLines("v3"), GoldenRepository.pointsEntriesAndChanges(repository, conf));

    List<PointRecord> points = repository.listPoints();
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
}
