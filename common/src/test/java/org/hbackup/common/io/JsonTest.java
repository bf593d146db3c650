package org.hbackup.common.io;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;

import org.hbackup.common.FormatException;
import org.junit.jupiter.api.Test;

class JsonTest {
  private static ByteArrayInputStream bytes(String s) {
    return new ByteArrayInputStream(s.getBytes(StandardCharsets.UTF_8));
  }

  /**
   * A file of nothing but brackets is refused as damage: before, Jackson's recursive tree builder
   * ended the JVM's stack (StackOverflowError) in every command that read a point record or lock.
   */
  @Test
  void refusesNestingDeeperThanAnyFormatFileHas() {
    FormatException arrays = assertThrows(FormatException.class,
        () -> Json.parse(bytes("{\"a\":" + "[".repeat(200_000)), "points/x.json"));
    assertTrue(arrays.getMessage().contains("points/x.json") && arrays.getMessage().contains("nested deeper"),
        arrays.getMessage());
    String deepObjects = "{\"a\":".repeat(Json.MAX_DEPTH + 1) + "1" + "}".repeat(Json.MAX_DEPTH + 1);
    assertThrows(FormatException.class, () -> Json.parse(bytes(deepObjects), "x.json"));
  }

  @Test
  void readsNestingUpToTheLimit() throws IOException {
    String deep = "{\"a\":".repeat(Json.MAX_DEPTH) + "1" + "}".repeat(Json.MAX_DEPTH);
    assertEquals(Json.MAX_DEPTH, depth(Json.parse(bytes(deep), "x.json")));
    assertEquals("v", Json.parse(bytes("{\"k\": [1, {\"x\": [2]}], \"s\": \"v\"}"), "y.json").get("s").asText());
  }

  private static int depth(com.fasterxml.jackson.databind.JsonNode node) {
    int d = 0;
    for (com.fasterxml.jackson.databind.JsonNode n = node; n != null && n.isObject(); n = n.get("a")) {
      d++;
    }
    return d;
  }
}
