package org.hbackup.common.manifest;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.List;

import org.junit.jupiter.api.Test;

/**
 * A segment of version 4: version 3's entries, two of them with a storage policy, kept under
 * {@code golden/segment-v4/}: every later build must read it back to the same entries, and this
 * build must still write it byte for byte (the name is the SHA-256 of the bytes). Written anew
 * with {@code -Dhbackup.golden.write=DIR} when the format changes on purpose.
 */
class GoldenSegmentV4Test {
  private static final String NAME = "golden/segment-v4/segment.seg";

  static List<ManifestEntry> entries() {
    List<ManifestEntry> entries = new ArrayList<>(GoldenSegmentV3Test.entries());
    entries.set(1, withPolicy(entries.get(1), "COLD"));
    entries.set(2, withPolicy(entries.get(2), "ALL_SSD"));
    return entries;
  }

  private static ManifestEntry withPolicy(ManifestEntry e, String policy) {
    return e.toBuilder(e.type(), e.path()).attributes(e.attributes().withStoragePolicy(policy)).build();
  }

  @Test
  void readsTheGoldenSegmentAndWritesItByteForByte() throws IOException {
    byte[] now = GoldenSegmentV3Test.written(entries());
    String target = System.getProperty("hbackup.golden.write");
    if (target != null) {
      Path file = Paths.get(target, NAME);
      Files.createDirectories(file.getParent());
      Files.write(file, now);
    }
    byte[] golden = GoldenSegmentV3Test.resource(NAME);
    assertEquals(4, golden[5], "a version 4 segment");
    List<ManifestEntry> read = GoldenSegmentV3Test.read(golden, NAME);
    assertEquals(entries(), read);
    assertEquals("COLD", read.get(1).attributes().storagePolicy());
    assertEquals("ALL_SSD", read.get(2).attributes().storagePolicy());
    assertEquals("", read.get(0).attributes().storagePolicy());
    assertArrayEquals(golden, now, "this build writes the golden segment byte for byte");
  }
}
