package org.hbackup.common.manifest;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

import org.hbackup.common.id.ContentId;
import org.hbackup.common.id.PointId;
import org.junit.jupiter.api.Test;

/**
 * A segment of version 3 (setuid and setgid bits, ACL entries, extended attributes with a binary
 * value), kept under {@code golden/segment-v3/}: every later build must read it back to the same
 * entries. Builds since version 4 write {@link GoldenSegmentV4Test}'s instead.
 */
class GoldenSegmentV3Test {
  private static final String NAME = "golden/segment-v3/segment.seg";

  static List<ManifestEntry> entries() {
    Map<String, byte[]> xattrs = new TreeMap<>();
    xattrs.put("trusted.origin", "s3://bucket/raw".getBytes(java.nio.charset.StandardCharsets.UTF_8));
    xattrs.put("user.checksum", new byte[] {0, 1, (byte) 0xfe, (byte) 0xff});
    List<ManifestEntry> entries = new ArrayList<>();
    entries.add(ManifestEntry.builder(EntryType.DIRECTORY, "").permission((short) 0755).owner("hdfs")
        .group("supergroup").modificationTime(1_764_547_200_000L).accessTime(1_764_547_200_000L).build());
    entries.add(ManifestEntry.builder(EntryType.DIRECTORY, "shared").permission((short) 03775).owner("alice")
        .group("analysts").modificationTime(1_764_547_201_000L).accessTime(1_764_547_201_000L)
        .attributes(EntryAttributes.of(List.of("user:carol:r-x", "group::r-x", "default:user:bob:rwx"),
            Map.of("user.team", "data".getBytes(java.nio.charset.StandardCharsets.UTF_8))))
        .build());
    byte[] content = "report\n".getBytes(java.nio.charset.StandardCharsets.UTF_8);
    entries.add(ManifestEntry.builder(EntryType.FILE, "shared/report.csv").length(content.length)
        .permission((short) 0640).owner("alice").group("analysts").modificationTime(1_764_547_202_000L)
        .accessTime(1_764_547_203_000L).replication((short) 3).blockSize(128L << 20)
        .fileHash(ContentId.of(content)).chunks(List.of(new ChunkRef(ContentId.of(content), content.length)))
        .sourceChecksum(new SourceChecksum("COMPOSITE-CRC32C", new byte[] {1, 2, 3, 4}))
        .attributes(EntryAttributes.of(List.of("user:bob:rw-", "mask::rw-"), xattrs)).build());
    entries.add(ManifestEntry.builder(EntryType.FILE, "tool").length(0).permission((short) 04755).owner("root")
        .group("root").modificationTime(1_764_547_204_000L).fileHash(ContentId.of(new byte[0])).chunks(List.of())
        .build());
    entries.add(ManifestEntry.builder(EntryType.SYMLINK, "tool-link").permission((short) 0777).owner("root")
        .group("root").symlinkTarget("tool").build());
    return entries;
  }

  /** The one segment that {@code entries} make, as this build writes it. */
  static byte[] written(List<ManifestEntry> entries) throws IOException {
    Map<ContentId, byte[]> store = new HashMap<>();
    ManifestWriter writer = new ManifestWriter((id, bytes, length) -> store.put(id, java.util.Arrays.copyOf(bytes, length)));
    for (ManifestEntry e : entries) {
      writer.add(e);
    }
    writer.finish();
    assertEquals(1, store.size(), "one segment");
    return store.values().iterator().next();
  }

  static List<ManifestEntry> read(byte[] segment, String name) throws IOException {
    List<ManifestEntry> read = new ArrayList<>();
    try (SegmentReader reader = SegmentReader.open(ContentId.of(segment), segment, name)) {
      for (ManifestEntry e = reader.next(); e != null; e = reader.next()) {
        read.add(e);
      }
    }
    return read;
  }

  static byte[] resource(String name) throws IOException {
    try (InputStream in = GoldenSegmentV3Test.class.getClassLoader().getResourceAsStream(name)) {
      return in.readAllBytes();
    }
  }

  @Test
  void readsTheGoldenSegment() throws IOException {
    byte[] golden;
    golden = resource(NAME);
    assertEquals(3, golden[5], "a version 3 segment");
    List<ManifestEntry> read = read(golden, NAME);
    assertEquals(entries(), read);
    assertEquals((short) 04755, read.get(3).permission());
    assertEquals("", read.get(1).attributes().storagePolicy(), "version 3 has no storage policies");
  }
}
