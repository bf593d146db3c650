package org.hbackup.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.hbackup.common.manifest.EntryType;
import org.hbackup.common.manifest.ManifestEntry;
import org.junit.jupiter.api.Test;

/**
 * A name may hold a newline or terminal controls: `show` and `diff` print each entry as one
 * line whatever its name, so that no file can pose as another entry of the listing; JSON keeps the
 * name exactly.
 */
class EntryPrinterTest {
  private static final String SPOOF = "innocent\nfile      rw-r--r-- root       root                   0 2026-01-01T00:00:00Z etc/shadow";

  @Test
  void aNameWithANewlinePrintsAsOneLine() throws Exception {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    try (EntryPrinter printer = EntryPrinter.text(new PrintStream(bytes, true, StandardCharsets.UTF_8))) {
      printer.print(entry(SPOOF, "own\u001b[2Jer"), null);
      printer.startPaths("dropped", "dropped");
      printer.path("dropped", "x\ry");
    }
    String[] lines = bytes.toString(StandardCharsets.UTF_8).split("\n");
    assertEquals(3, lines.length, bytes.toString(StandardCharsets.UTF_8));
    assertTrue(lines[0].endsWith("innocent\\nfile      rw-r--r-- root       root                   0"
        + " 2026-01-01T00:00:00Z etc/shadow"), lines[0]);
    assertTrue(lines[0].contains("own\\x1b[2Jer"), lines[0]);
    assertTrue(lines[2].endsWith("x\\ry"), lines[2]);
  }

  @Test
  void jsonKeepsTheNameExactly() throws Exception {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    try (EntryPrinter printer = EntryPrinter.json(new PrintStream(bytes, true, StandardCharsets.UTF_8),
        new String[][] {{"point", "p"}}, "entries")) {
      printer.print(entry(SPOOF, "owner"), null);
      printer.finish();
    }
    JsonNode json = new ObjectMapper().readTree(bytes.toByteArray());
    assertEquals(SPOOF, json.get("entries").get(0).get("path").asText());
  }

  /** Damage stops a listing half way: its JSON must not parse as a complete, shorter list. */
  @Test
  void jsonNotFinishedIsLeftUnterminated() throws Exception {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    try (EntryPrinter printer = EntryPrinter.json(new PrintStream(bytes, true, StandardCharsets.UTF_8),
        new String[][] {{"point", "p"}}, "entries")) {
      printer.print(entry("a", "owner"), null);
    }
    assertTrue(bytes.toString(StandardCharsets.UTF_8).contains("\"a\""), bytes.toString(StandardCharsets.UTF_8));
    org.junit.jupiter.api.Assertions.assertThrows(java.io.IOException.class,
        () -> new ObjectMapper().readTree(bytes.toByteArray()));
  }

  private static ManifestEntry entry(String path, String owner) {
    return ManifestEntry.builder(EntryType.DIRECTORY, path).permission((short) 0755).owner(owner).group("g").build();
  }
}
