package org.hbackup.common.manifest;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

import org.hbackup.common.DamageException;
import org.hbackup.common.FormatException;
import org.hbackup.common.id.ContentId;
import org.hbackup.common.id.PointId;
import org.junit.jupiter.api.Test;

class ManifestRoundTripTest {
  private final Map<ContentId, byte[]> store = new HashMap<>();

  static ManifestEntry file(String path, int size) {
    byte[] data = path.getBytes(java.nio.charset.StandardCharsets.UTF_8);
    List<ChunkRef> chunks = size == 0 ? List.of() : List.of(new ChunkRef(ContentId.of(data), size));
    return ManifestEntry.builder(EntryType.FILE, path).length(size).permission((short) 0640)
        .owner("alice").group("staff").modificationTime(1_700_000_000_000L).accessTime(1_700_000_001_000L)
        .replication((short) 3).blockSize(128L << 20).fileHash(ContentId.of(data)).chunks(chunks).build();
  }

  static ManifestEntry directory(String path) {
    return ManifestEntry.builder(EntryType.DIRECTORY, path).permission((short) 01755).owner("bob")
        .group("ops").modificationTime(1_600_000_000_000L).build();
  }

  private ManifestList write(List<ManifestEntry> entries) throws IOException {
    ManifestWriter writer = new ManifestWriter((id, bytes, length) -> store.put(id, java.util.Arrays.copyOf(bytes, length)));
    for (ManifestEntry e : entries) {
      writer.add(e);
    }
    return writer.finish();
  }

  private List<ManifestEntry> read(ManifestList list) throws IOException {
    List<ManifestEntry> out = new ArrayList<>();
    try (ManifestReader reader = ManifestReader.all(row -> SegmentReader.open(row.id(), store.get(row.id()), row.id().toHex()).expecting(row), list)) {
      for (ManifestEntry e = reader.next(); e != null; e = reader.next()) {
        out.add(e);
      }
    }
    return out;
  }

  static List<ManifestEntry> tree(int files) {
    TreeMap<String, ManifestEntry> sorted = new TreeMap<>(RelativePaths::compare);
    sorted.put("", directory(""));
    for (int i = 0; i < files; i++) {
      String dir = "d" + (i % 37);
      sorted.put(dir, directory(dir));
      String path = dir + "/f-" + i + (i % 5 == 0 ? " é:ü" : "");
      sorted.put(path, file(path, i % 3 == 0 ? 0 : 100 + i));
    }
    return new ArrayList<>(sorted.values());
  }

  @Test
  void readsBackEveryEntryInOrder() throws IOException {
    List<ManifestEntry> entries = tree(5000);
    ManifestList list = write(entries);
    assertTrue(list.segments().size() > 2, "a manifest of 5000 entries has several segments");
    assertEquals(entries, read(list));
    assertEquals(5000, list.totals().files());
    assertEquals(38, list.totals().directories());
    ManifestList parsed = ManifestList.fromJson(new ByteArrayInputStream(list.toJson()), "list");
    assertEquals(list.segments().size(), parsed.segments().size());
    assertEquals(list.totals().bytes(), parsed.totals().bytes());
  }

  @Test
  void unchangedPathRangesShareSegments() throws IOException {
    List<ManifestEntry> before = tree(20000);
    ManifestList first = write(before);
    List<ManifestEntry> after = new ArrayList<>(before);
    int changedAt = after.size() / 2;
    ManifestEntry old = after.get(changedAt);
    after.set(changedAt, file(old.path(), 999_999));
    ManifestList second = write(after);
    Set<ContentId> firstIds = new HashSet<>();
    first.segments().forEach(s -> firstIds.add(s.id()));
    long shared = second.segments().stream().filter(s -> firstIds.contains(s.id())).count();
    assertEquals(second.segments().size() - 1, shared, "one change rewrites one segment");
    assertEquals(after, read(second));
  }

  @Test
  void refusesEntriesOutOfOrder() {
    ManifestWriter writer = new ManifestWriter((id, bytes, length) -> { });
    assertThrows(IllegalStateException.class, () -> {
      writer.add(file("b", 1));
      writer.add(file("a", 1));
    });
  }

  @Test
  void refusesAHostilePath() throws IOException {
    for (String hostile : new String[] {"../escape", "a/../../b", "/etc/passwd", "a//b", "./a", "a/"}) {
      ByteArrayOutputStream bytes = new ByteArrayOutputStream();
      DataOutputStream out = new DataOutputStream(bytes);
      out.writeByte(EntryType.DIRECTORY.code());
      ManifestEntryCodec.writeString(out, hostile);
      out.write(new byte[8 + 2]);
      ManifestEntryCodec.writeString(out, "");
      ManifestEntryCodec.writeString(out, "");
      out.write(new byte[8 + 8 + 2 + 8]);
      FormatException e = assertThrows(FormatException.class,
          () -> ManifestEntryCodec.fromBytes(bytes.toByteArray(), 0, bytes.size(), "hostile"));
      assertTrue(e.getMessage().contains("refusing manifest path"), e.getMessage());
    }
  }

  @Test
  void detectsADamagedSegment() throws IOException {
    ManifestList list = write(tree(10));
    ContentId id = list.segments().get(0).id();
    byte[] bytes = store.get(id).clone();
    bytes[bytes.length / 2] ^= 0x10;
    assertThrows(DamageException.class, () -> SegmentReader.open(id, bytes, "damaged"));
  }

  @Test
  void readsARunInsideASegment() throws IOException {
    List<ManifestEntry> entries = tree(300);
    ManifestList list = write(entries);
    List<ContentId> ids = list.segments().stream().map(SegmentRef::id).toList();
    try (ManifestReader reader = new ManifestReader(id -> SegmentReader.open(id, store.get(id), "s"), ids, 5, 3)) {
      assertEquals(entries.get(5), reader.next());
      assertEquals(entries.get(6), reader.next());
      assertEquals(entries.get(7), reader.next());
      assertNull(reader.next());
    }
  }

  @Test
  void placesPathsInsideTheTargetOnly() {
    org.apache.hadoop.fs.Path target = new org.apache.hadoop.fs.Path("hdfs://nn:8020/restore/here");
    assertEquals("hdfs://nn:8020/restore/here/a b/c:d", RelativePaths.resolve(target, "a b/c:d").toString());
    assertEquals(target, RelativePaths.resolve(target, ""));
    assertThrows(IllegalArgumentException.class, () -> RelativePaths.resolve(target, "../x"));
  }

  @Test
  void keepsTheSourceChecksumOfAFile() throws IOException {
    ManifestEntry plain = file("a", 10);
    ManifestEntry withChecksum = ManifestEntry.builder(EntryType.FILE, "b").length(10)
        .fileHash(plain.fileHash()).chunks(plain.chunks())
        .sourceChecksum(new SourceChecksum("COMPOSITE-CRC32C", new byte[] {1, 2, 3, 4})).build();
    List<ManifestEntry> entries = List.of(directory(""), plain, withChecksum);
    assertEquals(entries, read(write(entries)));
    assertEquals(withChecksum, ManifestEntryCodec.fromBytes(ManifestEntryCodec.toBytes(withChecksum), 0,
        ManifestEntryCodec.toBytes(withChecksum).length, "shuffle"));
    // Only the same algorithm with the same bytes is the same checksum.
    assertTrue(!new SourceChecksum("COMPOSITE-CRC32C", new byte[] {1, 2, 3, 4})
        .equals(new SourceChecksum("COMPOSITE-CRC32", new byte[] {1, 2, 3, 4})));
  }

  @Test
  void readsAVersion1EntryWithoutAChecksum() throws IOException {
    ManifestEntry e = file("dir/f", 10);
    java.io.ByteArrayOutputStream bytes = new java.io.ByteArrayOutputStream();
    ManifestEntryCodec.write(e, new java.io.DataOutputStream(bytes), 1);
    byte[] v1 = bytes.toByteArray();
    // Version 1 is version 4 without the attributes' two counts (4 bytes) and empty storage
    // policy (4 bytes), the empty checksum's string (4 bytes) and length (2 bytes) and the range
    // size (8 bytes).
    assertEquals(ManifestEntryCodec.toBytes(e).length - 22, v1.length);
    ManifestEntry read = ManifestEntryCodec.read(new java.io.DataInputStream(new ByteArrayInputStream(v1)), "v1", 1);
    assertEquals(e, read);
    assertNull(read.sourceChecksum());
  }

  /** Version 3: setuid and setgid bits, ACL entries and extended attributes (binary values too). */
  @Test
  void keepsModeBitsAclEntriesAndExtendedAttributes() throws IOException {
    java.util.Map<String, byte[]> xattrs = new java.util.HashMap<>();
    xattrs.put("user.checksum", new byte[] {0, 1, (byte) 0xff});
    xattrs.put("trusted.origin", "s3://bucket".getBytes(java.nio.charset.StandardCharsets.UTF_8));
    xattrs.put("user.empty", new byte[0]);
    EntryAttributes attributes = EntryAttributes.of(List.of("user:bob:rwx", "group::r-x", "default:user:carol:r--"),
        xattrs);
    ManifestEntry setuid = file("bin/tool", 10).toBuilder(EntryType.FILE, "bin/tool")
        .permission((short) 04755).attributes(attributes).build();
    ManifestEntry shared = ManifestEntry.builder(EntryType.DIRECTORY, "bin").permission((short) 03775)
        .attributes(EntryAttributes.of(List.of("default:group:ops:rwx"), null)).build();
    List<ManifestEntry> entries = List.of(directory(""), shared, setuid);
    List<ManifestEntry> back = read(write(entries));
    assertEquals(entries, back);
    assertEquals((short) 04755, back.get(2).permission());
    assertEquals(List.of("trusted.origin", "user.checksum", "user.empty"),
        List.copyOf(back.get(2).attributes().xattrs().keySet()), "in the order of their names' bytes");
    assertArrayEquals(new byte[] {0, 1, (byte) 0xff}, back.get(2).attributes().xattrs().get("user.checksum"));
    assertEquals(ChangeKind.METADATA, ChangeKind.of(file("bin/tool", 10).toBuilder(EntryType.FILE, "bin/tool")
        .permission((short) 04755).build(), setuid), "an attribute change is a metadata change");

    // A version 2 entry cannot hold setuid or setgid: a reader masks them.
    java.io.ByteArrayOutputStream v2 = new java.io.ByteArrayOutputStream();
    ManifestEntryCodec.write(setuid, new java.io.DataOutputStream(v2), 2);
    byte[] raw = v2.toByteArray();
    int permissionAt = 1 + 4 + "bin/tool".length() + 8;
    raw[permissionAt] = (byte) 0x09; // 04755 as written by a hostile version 2 writer
    ManifestEntry masked = ManifestEntryCodec.read(new java.io.DataInputStream(new ByteArrayInputStream(raw)), "v2", 2);
    assertEquals((short) 0755, masked.permission());
    assertTrue(masked.attributes().isEmpty());
  }

  @Test
  void refusesHostileAttributes() throws IOException {
    ManifestEntry e = ManifestEntry.builder(EntryType.DIRECTORY, "d").attributes(EntryAttributes.of(List.of(),
        java.util.Map.of("user.a", new byte[] {1}, "user.b", new byte[] {2}))).build();
    byte[] bytes = ManifestEntryCodec.toBytes(e);
    int countAt = 1 + 4 + 1 + 8 + 2 + 4 + 4 + 8 + 8 + 2 + 8;
    // ACL count
    byte[] manyAcl = bytes.clone();
    manyAcl[countAt] = (byte) 0xff;
    assertThrows(FormatException.class, () -> ManifestEntryCodec.fromBytes(manyAcl, 0, manyAcl.length, "bad"));
    // xattr count past the bound
    byte[] manyXattrs = bytes.clone();
    manyXattrs[countAt + 2] = (byte) 0xff;
    assertThrows(FormatException.class, () -> ManifestEntryCodec.fromBytes(manyXattrs, 0, manyXattrs.length, "bad"));
    // the first value's length past the bound
    byte[] huge = bytes.clone();
    int lengthAt = countAt + 4 + 4 + "user.a".length();
    huge[lengthAt] = 0x7f;
    assertThrows(FormatException.class, () -> ManifestEntryCodec.fromBytes(huge, 0, huge.length, "bad"));
    // names out of order: user.b before user.a
    byte[] swapped = bytes.clone();
    swapped[countAt + 4 + 4 + 5] = 'b';
    swapped[countAt + 4 + 4 + 6 + 4 + 1 + 4 + 5] = 'a';
    assertThrows(FormatException.class, () -> ManifestEntryCodec.fromBytes(swapped, 0, swapped.length, "bad"));
    assertThrows(IllegalArgumentException.class, () -> EntryAttributes.of(List.of("user:a:rwx,user:b:rwx"), null));
    assertThrows(IllegalArgumentException.class, () -> EntryAttributes.of(null, java.util.Map.of("noprefix", new byte[0])));
  }

  /** Version 4: the storage policy set on an entry, bounded to a plain name. */
  @Test
  void keepsTheStoragePolicyAndRefusesAHostileOne() throws IOException {
    ManifestEntry cold = ManifestEntry.builder(EntryType.DIRECTORY, "archive")
        .attributes(EntryAttributes.NONE.withStoragePolicy("COLD")).build();
    ManifestEntry ssd = file("hot/f", 10).toBuilder(EntryType.FILE, "hot/f")
        .attributes(EntryAttributes.of(List.of("user:bob:rwx"), null, "ALL_SSD")).build();
    List<ManifestEntry> entries = List.of(directory(""), cold, ssd);
    List<ManifestEntry> back = read(write(entries));
    assertEquals(entries, back);
    assertEquals("COLD", back.get(1).attributes().storagePolicy());
    assertEquals("ALL_SSD", back.get(2).attributes().storagePolicy());
    assertEquals(ChangeKind.METADATA, ChangeKind.of(ManifestEntry.builder(EntryType.DIRECTORY, "archive").build(), cold),
        "a policy change is a metadata change");

    // A version 3 entry has no policy field: written as 3, read as 3, it has none.
    java.io.ByteArrayOutputStream v3 = new java.io.ByteArrayOutputStream();
    ManifestEntryCodec.write(cold, new java.io.DataOutputStream(v3), 3);
    assertEquals("", ManifestEntryCodec.read(new java.io.DataInputStream(new ByteArrayInputStream(v3.toByteArray())),
        "v3", 3).attributes().storagePolicy());

    // A name that is not a plain word, or too long, is refused as damage.
    for (String hostile : new String[] {"COLD/../x", "a b", "x".repeat(65), "HOT\0"}) {
      java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream();
      java.io.DataOutputStream data = new java.io.DataOutputStream(out);
      byte[] plain = ManifestEntryCodec.toBytes(ManifestEntry.builder(EntryType.DIRECTORY, "d").build());
      data.write(plain, 0, plain.length - 4);
      ManifestEntryCodec.writeString(data, hostile);
      byte[] bytes = out.toByteArray();
      assertThrows(FormatException.class, () -> ManifestEntryCodec.fromBytes(bytes, 0, bytes.length, "hostile"), hostile);
    }
  }

  @Test
  void refusesAMalformedChecksum() throws IOException {
    ManifestEntry e = file("f", 10);
    byte[] bytes = ManifestEntryCodec.toBytes(e);
    // An empty algorithm with a non-zero checksum length.
    bytes[bytes.length - 9] = 4;
    assertThrows(FormatException.class, () -> ManifestEntryCodec.fromBytes(bytes, 0, bytes.length, "bad"));
  }

  @Test
  void keepsTheRangeSizeOfALargeFileAndRefusesAnImpossibleOne() throws IOException {
    ManifestEntry ranged = ManifestEntry.builder(EntryType.FILE, "big").length(3000).rangeSize(1024)
        .fileHash(ContentId.of(new byte[] {1})).chunks(List.of(new ChunkRef(ContentId.of(new byte[] {2}), 1024),
            new ChunkRef(ContentId.of(new byte[] {3}), 1024), new ChunkRef(ContentId.of(new byte[] {4}), 952))).build();
    byte[] bytes = ManifestEntryCodec.toBytes(ranged);
    assertEquals(ranged, ManifestEntryCodec.fromBytes(bytes, 0, bytes.length, "t"));
    // A range size not below the length is refused as damage, not as a crash.
    java.nio.ByteBuffer.wrap(bytes, bytes.length - 8, 8).putLong(4096);
    assertThrows(FormatException.class, () -> ManifestEntryCodec.fromBytes(bytes, 0, bytes.length, "hostile"));
  }
  /** A segment of {@code entries} whose header says {@code rawLength}, its body zstd-compressed (or given as is). */
  private static byte[] segment(int entries, long rawLength, byte[] body) {
    return java.nio.ByteBuffer.allocate(20 + body.length).put("HBMS".getBytes(java.nio.charset.StandardCharsets.US_ASCII))
        .putShort((short) ManifestEntryCodec.CURRENT).put((byte) 1).put((byte) 0).putInt(entries).putLong(rawLength)
        .put(body).array();
  }

  private static List<ManifestEntry> readAll(byte[] file) throws IOException {
    List<ManifestEntry> out = new ArrayList<>();
    try (SegmentReader reader = SegmentReader.open(ContentId.of(file), file, "hostile.seg")) {
      for (ManifestEntry e = reader.next(); e != null; e = reader.next()) {
        out.add(e);
      }
    }
    return out;
  }

  /**
   * A small segment that decodes to far more than its header says (a zstd bomb), or whose header
   * claims an impossible size, is refused as damage as soon as that shows; one whose body is no
   * zstd frame is damage too. Before, the first filled the heap of restore, show and verify, and
   * the last ended them with zstd's own error (exit 1) instead of naming the segment.
   */
  @Test
  void refusesASegmentThatDecodesToMoreThanItsHeaderSays() throws IOException {
    java.io.ByteArrayOutputStream raw = new java.io.ByteArrayOutputStream();
    List<ManifestEntry> entries = tree(2000);
    for (ManifestEntry e : entries) {
      ManifestEntryCodec.write(e, new java.io.DataOutputStream(raw));
    }
    byte[] body = com.github.luben.zstd.Zstd.compress(raw.toByteArray());
    assertEquals(entries.size(), readAll(segment(entries.size(), raw.size(), body)).size(), "the honest header reads");

    FormatException tooLong = assertThrows(FormatException.class, () -> readAll(segment(entries.size(), 1000, body)));
    assertTrue(tooLong.getMessage().contains("longer than its header says") || tooLong.getMessage().contains("truncated"),
        tooLong.getMessage());
    FormatException claimed = assertThrows(FormatException.class,
        () -> readAll(segment(entries.size(), 1L << 40, body)));
    assertTrue(claimed.getMessage().contains("decodes to"), claimed.getMessage());
    byte[] notZstd = body.clone();
    for (int i = 4; i < 12; i++) {
      notZstd[i] ^= (byte) 0x5a;
    }
    FormatException broken = assertThrows(FormatException.class, () -> readAll(segment(entries.size(), raw.size(), notZstd)));
    assertTrue(broken.getMessage().contains("hostile.seg"), broken.getMessage());
  }

  /** Counts no writer makes are refused when the list is read; before, -1 entries ended restore ("Illegal Capacity"). */
  @Test
  void refusesAManifestListWithImpossibleCounts() throws IOException {
    ManifestList list = write(tree(50));
    String json = new String(list.toJson(), java.nio.charset.StandardCharsets.UTF_8);
    String negative = json.replaceFirst("\"entries\" : \\d+", "\"entries\" : -1");
    assertTrue(!negative.equals(json), json);
    assertThrows(FormatException.class, () -> ManifestList.fromJson(
        negative.getBytes(java.nio.charset.StandardCharsets.UTF_8), "lists/x.json"));
    String moreFiles = json.replaceFirst("\"files\" : \\d+", "\"files\" : -5");
    assertThrows(FormatException.class, () -> ManifestList.fromJson(
        moreFiles.getBytes(java.nio.charset.StandardCharsets.UTF_8), "lists/x.json"));
  }

  /**
   * Rows that lie about a segment they name: each passes the list's own checks (rows in order,
   * first not after last), and each segment matches its name, but the segments' entries are not
   * where the rows say. Before, the entries were read as they came: a path held by two segments,
   * and a selective restore that skipped a segment by its row.
   */
  @Test
  void refusesARowThatLiesAboutItsSegment() throws IOException {
    ManifestList list = write(tree(5000));
    assertTrue(list.segments().size() > 2, "several segments");
    SegmentRef second = list.segments().get(1);
    for (SegmentRef lie : List.of(
        new SegmentRef(second.id(), second.firstPath() + "~", second.lastPath(), second.entries(), second.files(), second.bytes()),
        new SegmentRef(second.id(), second.firstPath(), second.lastPath() + "~", second.entries(), second.files(), second.bytes()),
        new SegmentRef(second.id(), second.firstPath(), second.lastPath(), second.entries() - 1, second.files(), second.bytes()))) {
      List<SegmentRef> rows = new ArrayList<>(list.segments());
      rows.set(1, lie);
      ManifestList hostile = ManifestList.fromJson(new ManifestList(rows, list.totals()).toJson(), "lists/hostile.json");
      FormatException e = assertThrows(FormatException.class, () -> read(hostile));
      assertTrue(e.getMessage().contains("manifest list's row"), e.getMessage());
    }
  }
}
