package org.hbackup.common.point;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.EnumMap;
import java.util.Map;

import org.hbackup.common.FormatException;
import org.hbackup.common.id.PointId;
import org.hbackup.common.manifest.ChangeKind;
import org.junit.jupiter.api.Test;

class PointRecordTest {

  private static PointRecord read(byte[] json) throws IOException {
    return PointRecord.fromJson(new ByteArrayInputStream(json), "test.json");
  }

  @Test
  void keepsChangesSnapshotAndBase() throws IOException {
    PointId base = PointId.create(Instant.parse("2026-01-01T00:00:00Z"));
    Map<ChangeKind, Long> changes = new EnumMap<>(ChangeKind.class);
    for (ChangeKind k : ChangeKind.values()) {
      changes.put(k, (long) k.ordinal() * 10);
    }
    PointRecord record = PointRecord.builder(PointId.create(Instant.now()), PointType.INCREMENTAL).base(base)
        .source("hdfs://nn/data").snapshot("hbackup-x").completed(Instant.now()).totals(1, 2, 3, 4)
        .counter("bytesNew", 5).changes(changes).changeList(true)
        .manifestList(org.hbackup.common.id.ContentId.of(new byte[] {2})).build();
    PointRecord back = read(record.toJson());
    assertEquals(record.manifestList(), back.manifestList());
    assertEquals(changes, back.changes());
    assertTrue(back.hasChangeList());
    assertEquals("hbackup-x", back.snapshot());
    assertEquals(base, back.base());
    assertEquals(5L, back.counters().get("bytesNew"));
    assertEquals(org.hbackup.common.HbackupVersion.get(), back.hbackupVersion(), "which hbackup wrote it");
    assertFalse(back.hbackupVersion().equals("unknown"), "the build records its version");
  }

  @Test
  void readsAVersion1RecordWithoutChanges() throws IOException {
    String v1 = "{\"format\":\"hbackup-point\",\"version\":1,\"id\":\"20261124T044552219Z-d9e1fbeb\","
        + "\"type\":\"full\",\"base\":null,\"created\":\"2026-11-24T04:45:52.219Z\","
        + "\"completed\":\"2026-11-24T04:45:53Z\",\"source\":\"file:/s\",\"snapshot\":null,\"readLive\":true,"
        + "\"manifest\":\"manifests/20261124T044552219Z-d9e1fbeb.json\",\"files\":1,\"directories\":1,"
        + "\"symlinks\":0,\"bytes\":3,\"counters\":{}}";
    PointRecord record = read(v1.getBytes(StandardCharsets.UTF_8));
    assertNull(record.changes());
    assertFalse(record.hasChangeList());
    assertNull(record.hbackupVersion(), "an earlier writer did not say");
  }

  @Test
  void refusesAChangeListOfAnotherPoint() {
    String json = "{\"format\":\"hbackup-point\",\"version\":2,\"id\":\"20261124T044552219Z-d9e1fbeb\","
        + "\"type\":\"full\",\"base\":null,\"created\":\"2026-11-24T04:45:52.219Z\","
        + "\"completed\":\"2026-11-24T04:45:53Z\",\"source\":\"file:/s\",\"snapshot\":null,"
        + "\"files\":1,\"directories\":1,\"symlinks\":0,\"bytes\":3,\"counters\":{},"
        + "\"changeList\":\"../../etc/passwd\"}";
    assertThrows(FormatException.class, () -> read(json.getBytes(StandardCharsets.UTF_8)));
  }

  /** A version 4 record as JSON with {@code manifest} set to this value (null: left out), digest recomputed. */
  private static byte[] version4(String manifest) throws IOException {
    return record(4, manifest);
  }

  /** A record of this version as JSON with {@code manifest} set to this value (null: left out), digest recomputed. */
  private static byte[] record(int version, String manifest) throws IOException {
    com.fasterxml.jackson.databind.node.ObjectNode root = (com.fasterxml.jackson.databind.node.ObjectNode)
        new com.fasterxml.jackson.databind.ObjectMapper().readTree(PointRecord.builder(
            PointId.parse("20261201T000000000Z-0000000a"), PointType.FULL).source("file:/s").completed(Instant.now())
            .manifestList(org.hbackup.common.id.ContentId.of(new byte[] {1})).build().toJson());
    root.remove("digest");
    root.put("version", version);
    if (manifest == null) {
      root.remove("manifest");
    } else {
      root.put("manifest", manifest);
    }
    return org.hbackup.common.io.JsonDigest.write(root);
  }

  private static byte[] valid() throws IOException {
    return PointRecord.builder(PointId.parse("20261201T000000000Z-0000000a"), PointType.FULL).source("file:/s")
        .completed(Instant.now()).manifestList(org.hbackup.common.id.ContentId.of(new byte[] {1})).build().toJson();
  }

  /** Instant reaches a billion years either way; a date (and so every retention rule) does not. */
  @Test
  void refusesTimesOutsideTheYearsADateHas() throws IOException {
    for (String field : new String[] {"created", "completed"}) {
      for (String time : new String[] {"-1000000000-01-01T00:00:00Z", "+1000000000-12-31T23:59:59Z",
          "-0001-12-31T23:59:59Z", "+10000-01-01T00:00:00Z"}) {
        com.fasterxml.jackson.databind.node.ObjectNode root = (com.fasterxml.jackson.databind.node.ObjectNode)
            new com.fasterxml.jackson.databind.ObjectMapper().readTree(valid());
        root.remove("digest");
        root.put(field, time);
        byte[] json = org.hbackup.common.io.JsonDigest.write(root);
        FormatException e = assertThrows(FormatException.class, () -> read(json), field + " " + time);
        assertTrue(e.getMessage().contains("outside years 0000 to 9999"), e.getMessage());
      }
    }
    com.fasterxml.jackson.databind.node.ObjectNode root = (com.fasterxml.jackson.databind.node.ObjectNode)
        new com.fasterxml.jackson.databind.ObjectMapper().readTree(valid());
    root.remove("digest");
    root.put("created", "9999-12-31T23:59:59Z");
    assertEquals(Instant.parse("9999-12-31T23:59:59Z"), read(org.hbackup.common.io.JsonDigest.write(root)).created());
  }

  @Test
  void namesItsManifestListByContentAndRefusesAnyOtherName() throws IOException {
    org.hbackup.common.id.ContentId list = org.hbackup.common.id.ContentId.of(new byte[] {1});
    PointRecord record = read(version4("manifests/lists/" + list.toHex() + ".json"));
    assertEquals(list, record.manifestList());
    assertEquals("manifests/lists/" + list.toHex() + ".json", record.manifestPath());
    String own = "manifests/20261201T000000000Z-0000000a.json";
    assertNull(read(record(3, own)).manifestList(), "a version 3 record names its own list");
    assertThrows(FormatException.class, () -> read(version4(own)), "a version 4 record names a list by content");
    assertThrows(FormatException.class, () -> read(record(3, "manifests/lists/" + list.toHex() + ".json")),
        "a version 3 record names its own list, nothing else");
    assertThrows(FormatException.class, () -> read(record(3, "manifests/20261201T000000000Z-0000000b.json")));
    assertNull(read(record(3, null)).manifestList(), "versions 1-3 may leave the field out");
    for (String hostile : new String[] {"manifests/20261201T000000000Z-0000000b.json",
        "manifests/lists/../../points/x.json", "manifests/lists/" + list.toHex().toUpperCase() + ".json",
        "manifests/lists/" + list.toHex() + ".seg", "manifests/lists/" + list.toHex().substring(1) + ".json",
        "/etc/passwd"}) {
      assertThrows(FormatException.class, () -> read(version4(hostile)), hostile);
    }
    assertThrows(FormatException.class, () -> read(version4(null)), "a version 4 record must name its list");
  }
}
