package org.hbackup.restore;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;

import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.Path;
import org.hbackup.common.id.PointId;
import org.junit.jupiter.api.Test;

class RestoreOptionsTest {
  private static RestoreOptions.Builder options() {
    return RestoreOptions.builder().repository(new Path("file:///repo")).target(new Path("file:///target"))
        .point(PointId.create(java.time.Instant.parse("2026-12-04T00:00:00Z")));
  }

  private static RestoreOptions roundTrip(RestoreOptions options) {
    Configuration conf = new Configuration(false);
    options.writeTo(conf);
    return RestoreOptions.readFrom(conf);
  }

  @Test
  void selectedPathsSurviveTheJobConfiguration() {
    RestoreOptions options = options().path("/a/b/").path("c").build();
    assertEquals(List.of("a/b", "c"), roundTrip(options).paths());
  }

  /** "/" used to become "" in the job's configuration, read back as null: a task died of it. */
  @Test
  void theRootSelectsTheWholePointWhateverElseIsSelected() {
    assertEquals(List.of(), roundTrip(options().path("/").build()).paths());
    assertEquals(List.of(), roundTrip(options().path("a").path("//").build()).paths());
  }

  @Test
  void anEmptyPathIsRefused() {
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> options().path(""));
    assertTrue(e.getMessage().contains("--path /"), e.getMessage());
  }
}
