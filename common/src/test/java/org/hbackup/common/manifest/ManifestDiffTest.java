package org.hbackup.common.manifest;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.IOException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import org.hbackup.common.id.ContentId;
import org.hbackup.common.id.PointId;
import org.junit.jupiter.api.Test;

class ManifestDiffTest {
  private final Map<ContentId, byte[]> store = new HashMap<>();

  private ManifestReader reader(List<ManifestEntry> entries) throws IOException {
    ManifestWriter writer = new ManifestWriter((id, bytes, length) -> store.put(id, java.util.Arrays.copyOf(bytes, length)));
    for (ManifestEntry e : entries) {
      writer.add(e);
    }
    ManifestList list = writer.finish();
    return ManifestReader.all(row -> SegmentReader.open(row.id(), store.get(row.id()), "s").expecting(row), list);
  }

  private static ManifestEntry file(String path, String content, short permission, long mtime) {
    byte[] data = content.getBytes(java.nio.charset.StandardCharsets.UTF_8);
    ContentId id = ContentId.of(data);
    return ManifestEntry.builder(EntryType.FILE, path).length(data.length).permission(permission)
        .owner("u").group("g").modificationTime(mtime).accessTime(mtime + 1).fileHash(id)
        .chunks(data.length == 0 ? List.of() : List.of(new ChunkRef(id, data.length))).build();
  }

  private static ManifestEntry directory(String path) {
    return ManifestEntry.builder(EntryType.DIRECTORY, path).permission((short) 0755).owner("u").group("g").build();
  }

  @Test
  void classifiesEveryKindOfChange() throws IOException {
    List<ManifestEntry> before = List.of(directory(""), file("a-same", "x", (short) 0644, 1),
        file("b-edited", "old", (short) 0644, 1), file("c-chmod", "x", (short) 0644, 1),
        file("d-deleted", "x", (short) 0644, 1), file("e-becomes-dir", "x", (short) 0644, 1),
        file("f-touched", "x", (short) 0644, 1));
    ManifestEntry readAgain = ManifestEntry.builder(EntryType.FILE, "a-same").length(1).permission((short) 0644)
        .owner("u").group("g").modificationTime(1).accessTime(999).fileHash(ContentId.of(new byte[] {'x'}))
        .chunks(List.of(new ChunkRef(ContentId.of(new byte[] {'x'}), 1))).build();
    List<ManifestEntry> after = List.of(directory(""), readAgain,
        file("b-edited", "new!", (short) 0644, 2), file("c-chmod", "x", (short) 0600, 1),
        directory("e-becomes-dir"), file("e-becomes-dir/inside", "y", (short) 0644, 1),
        file("f-touched", "x", (short) 0644, 5), file("g-added", "z", (short) 0644, 1));
    List<String> changes = new ArrayList<>();
    try (ManifestDiff diff = new ManifestDiff(reader(before), reader(after))) {
      for (ManifestDiff.Change c = diff.next(); c != null; c = diff.next()) {
        changes.add(c.kind().reportName() + " " + c.current().path());
      }
    }
    assertEquals(List.of("modified b-edited", "metadata c-chmod", "deleted d-deleted",
        "type-changed e-becomes-dir", "added e-becomes-dir/inside", "metadata f-touched", "added g-added"), changes);
  }
}
