package org.hbackup.common.id;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Instant;

import org.junit.jupiter.api.Test;

class PointIdTest {
  /**
   * A name of a point id's form whose time does not exist is not a point id: readers listing
   * points/ took it as one and the parse then failed, so one stray file stopped every command.
   */
  @Test
  void aNameIsAPointIdOnlyIfItParses() {
    for (String name : new String[] {"20261399T999999999Z-00000000", "20261301T000000000Z-00000000",
        "20261206T250000000Z-0a1b2c3d", "20261206T006000000Z-0a1b2c3d", "20260230T000000000Z-0a1b2c3d"}) {
      assertFalse(PointId.isPointId(name), name);
      assertThrows(IllegalArgumentException.class, () -> PointId.parse(name), name);
    }
    String good = "20261206T031122523Z-f247fc37";
    assertTrue(PointId.isPointId(good));
    assertEquals(Instant.parse("2026-12-06T03:11:22.523Z"), PointId.parse(good).created());
    assertFalse(PointId.isPointId("20261206T031122523Z-f247fc3"));
    assertFalse(PointId.isPointId(null));
  }
}
