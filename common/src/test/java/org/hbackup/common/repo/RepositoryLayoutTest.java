package org.hbackup.common.repo;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import java.util.Locale;

import org.apache.hadoop.fs.Path;
import org.hbackup.common.id.ContentId;
import org.hbackup.common.id.PackId;
import org.junit.jupiter.api.Test;

class RepositoryLayoutTest {
  private final RepositoryLayout layout = new RepositoryLayout(new Path("hdfs://nn:8020/backups/r"));

  @Test
  void aPackIsOnlyAtItsOwnPlace() {
    PackId id = PackId.random();
    Path own = layout.pack(id);
    assertEquals(id, RepositoryLayout.packAt(own));
    String hex = id.toHex();
    String other = hex.startsWith("ff") ? "fe" : "ff";
    assertNull(RepositoryLayout.packAt(new Path(new Path(layout.packsDir(), other), hex + ".pack")));
    assertNull(RepositoryLayout.packAt(new Path(own.getParent(), hex.toUpperCase(Locale.ROOT) + ".pack")));
    assertNull(RepositoryLayout.packAt(new Path(layout.packsDir(), hex + ".pack")));
    assertNull(RepositoryLayout.packAt(new Path(own.getParent(), hex + ".seg")));
    assertNull(RepositoryLayout.packAt(new Path(own.getParent(), "not-hex-at-all-but-long-enough!.pack")));
  }

  @Test
  void aSegmentIsOnlyAtItsOwnPlace() {
    ContentId id = ContentId.of(new byte[] {7});
    Path own = layout.segment(id);
    assertEquals(id, RepositoryLayout.segmentAt(own));
    String hex = id.toHex();
    assertNull(RepositoryLayout.segmentAt(new Path(new Path(layout.segmentsDir(), "00"), hex + ".seg")));
    assertNull(RepositoryLayout.segmentAt(new Path(own.getParent(), hex.toUpperCase(Locale.ROOT) + ".seg")));
  }
}
