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

  /** A million digits took half a minute of CPU in that Jackson (BigInteger), for every command. */
  @Test
  void refusesNumbersLongerThanAnyFormatFileHasBeforeConvertingThem() throws IOException {
    long start = System.nanoTime();
    FormatException e = assertThrows(FormatException.class,
        () -> Json.parse(bytes("{\"x\": " + "9".repeat(1_000_000) + "}"), "config.json"));
    assertTrue(e.getMessage().contains("a number of more than"), e.getMessage());
    assertThrows(FormatException.class, () -> Json.parse(bytes("{\"x\": 1." + "5".repeat(100) + "}"), "c.json"));
    assertEquals(Long.MIN_VALUE, Json.parse(bytes("{\"x\": " + Long.MIN_VALUE + "}"), "c.json").get("x").asLong());
    assertTrue(System.nanoTime() - start < 60_000_000_000L, "refused without converting it");
  }

  /**
   * Empty objects by the million, in a list of valid name and digest, took every command's heap
   * (OutOfMemoryError): a file read whole may hold as many tokens as its length allows.
   */
  @Test
  void aFileReadWholeHoldsNoMoreTokensThanItsLengthAllows() throws IOException {
    String padded = "{\"x\": [" + "{},".repeat(100_000) + "{}]}";
    FormatException e = assertThrows(FormatException.class,
        () -> Json.parse(padded.getBytes(StandardCharsets.UTF_8), "manifests/lists/x.json"));
    assertTrue(e.getMessage().contains("values and names for its length"), e.getMessage());
    StringBuilder segments = new StringBuilder("{\"segments\": [");
    for (int i = 0; i < 20_000; i++) {
      segments.append(i == 0 ? "" : ",").append("{\"id\":\"").append("ab".repeat(32)).append("\",\"first\":\"d/")
          .append(i).append("\",\"last\":\"d/").append(i).append("z\",\"entries\":1000,\"files\":900,\"bytes\":1}");
    }
    segments.append("]}");
    assertEquals(20_000, Json.parse(segments.toString().getBytes(StandardCharsets.UTF_8), "l.json")
        .get("segments").size(), "a list as hbackup writes it, compact and with short paths, fits");
    assertThrows(FormatException.class, () -> Json.parse(bytes("[" + "0,".repeat(200_000) + "0]"), "lock.json"),
        "a small format file holds dozens of values");
  }

  private static int depth(com.fasterxml.jackson.databind.JsonNode node) {
    int d = 0;
    for (com.fasterxml.jackson.databind.JsonNode n = node; n != null && n.isObject(); n = n.get("a")) {
      d++;
    }
    return d;
  }
}
