package org.hbackup.it;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.util.ArrayList;
import java.util.List;
import java.util.TreeMap;
import java.util.stream.Collectors;
import java.util.stream.Stream;

import com.fasterxml.jackson.databind.JsonNode;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileStatus;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.hbackup.common.id.PointId;
import org.hbackup.common.io.FileSystems;
import org.hbackup.common.manifest.ChunkRef;
import org.hbackup.common.manifest.EntryType;
import org.hbackup.common.manifest.ManifestEntry;
import org.hbackup.common.manifest.ManifestEntryCodec;
import org.hbackup.common.manifest.SegmentRef;
import org.hbackup.common.repo.Repository;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Restores from repositories that lie, on the embedded default: every hostile point is refused
 * where it lies, with exit code 3 and the entries named, nothing is written outside the target,
 * and what can be trusted is still restored.
 */
class HostileRepositoryIT {
  @TempDir
  static java.nio.file.Path dir;

  private static Configuration conf;
  private static FileSystem fs;
  private static Repository repository;
  private static PointId honest;
  private static String repo;

  /** A tree with a symlink to a directory outside, and a directory whose entries can be moved under it. */
  @BeforeAll
  static void backUpATree() throws Exception {
    conf = new Configuration();
    conf.set("hadoop.tmp.dir", dir.resolve("hadoop-tmp").toString());
    java.nio.file.Path source = dir.resolve("source");
    Files.createDirectories(source.resolve("payload/sub"));
    Files.writeString(source.resolve("payload/pwned"), "written outside the target\n");
    Files.writeString(source.resolve("payload/sub/deeper"), "deeper\n");
    Files.writeString(source.resolve("top.txt"), "top\n");
    Files.createDirectories(source.resolve("d"));
    Files.writeString(source.resolve("d/f"), "in d\n");
    Files.createDirectories(dir.resolve("outside"));
    Files.createSymbolicLink(source.resolve("link"), dir.resolve("outside"));
    fs = FileSystems.raw(new Path(source.toUri()), conf);
    repo = uri("repo");
    Cli.Result backup = Cli.run(conf, "backup", "--source", source.toString(), "--repo", repo, "--json");
    assertEquals(0, backup.exitCode, backup.toString());
    honest = PointId.parse(backup.json().get("point").asText());
    repository = Repository.open(new Path(repo), conf);
  }

  private static String uri(String name) {
    return dir.resolve(name).toUri().toString();
  }

  private static void assertOutsideUntouched() throws IOException {
    try (Stream<java.nio.file.Path> files = Files.list(dir.resolve("outside"))) {
      assertEquals(List.of(), files.collect(Collectors.toList()), "nothing was written outside the target");
    }
  }

  /** The honest point's entries under {@code payload/} moved under the symlink {@code link}. */
  private static PointId payloadUnderTheLink() throws IOException {
    return RepositoryEdits.rewrite(repository, honest, entries -> {
      List<ManifestEntry> edited = new ArrayList<>();
      for (ManifestEntry e : entries) {
        if (e.path().equals("payload")) {
          continue;
        }
        edited.add(e.path().startsWith("payload/") ? e.toBuilder(e.type(), "link" + e.path().substring(7)).build() : e);
      }
      return edited;
    });
  }

  private static Cli.Result restore(PointId point, String target, String... extra) throws Exception {
    List<String> args = new ArrayList<>(List.of("restore", "--repo", repo, "--point", point.toString(),
        "--target", uri(target), "--json"));
    args.addAll(List.of(extra));
    return Cli.run(conf, args.toArray(new String[0]));
  }

  @Test
  void entriesBelowASymlinkOfThePointAreRefusedAndNothingLeavesTheTarget() throws Exception {
    PointId hostile = payloadUnderTheLink();
    for (String[] extra : new String[][] {{}, {"--overwrite"}}) {
      String target = "restored-link" + extra.length;
      Cli.Result r = restore(hostile, target, extra);
      assertEquals(3, r.exitCode, r.toString());
      JsonNode report = r.json();
      assertEquals(3, report.get("entriesRefused").asLong(), r.toString());
      List<String> failed = new ArrayList<>();
      report.get("failed").forEach(n -> failed.add(n.asText()));
      assertEquals(List.of("link/pwned", "link/sub", "link/sub/deeper"), failed);
      assertTrue(r.stderr.contains("link/pwned"), r.stderr);
      assertOutsideUntouched();
      java.nio.file.Path restored = dir.resolve(target);
      assertTrue(Files.isSymbolicLink(restored.resolve("link")), "the link itself is restored, last");
      assertEquals("top\n", Files.readString(restored.resolve("top.txt")), "the rest is restored");
      assertEquals("in d\n", Files.readString(restored.resolve("d/f")));
    }
  }

  @Test
  void aSymlinkAlreadyInTheTargetIsNeverWrittenThrough() throws Exception {
    java.nio.file.Path target = Files.createDirectories(dir.resolve("restored-existing-link"));
    Files.createSymbolicLink(target.resolve("d"), dir.resolve("outside"));
    Files.createSymbolicLink(target.resolve("top.txt"), dir.resolve("outside/top.txt"));
    Cli.Result refused = restore(honest, "restored-existing-link");
    assertEquals(1, refused.exitCode, "a non-empty target needs --overwrite: " + refused);
    Cli.Result r = restore(honest, "restored-existing-link", "--overwrite");
    assertEquals(0, r.exitCode, r.toString());
    assertOutsideUntouched();
    assertFalse(Files.isSymbolicLink(target.resolve("d")), "the link in the way was replaced, not followed");
    assertEquals("in d\n", Files.readString(target.resolve("d/f")));
    assertFalse(Files.isSymbolicLink(target.resolve("top.txt")));
    assertEquals("top\n", Files.readString(target.resolve("top.txt")));
  }

  @Test
  void pathsThatLeaveTheTargetAreRefusedAndTheOtherSegmentsRestored() throws Exception {
    ManifestEntry template = RepositoryEdits.entries(repository, honest).stream()
        .filter(e -> e.path().equals("top.txt")).findFirst().orElseThrow();
    List<SegmentRef> segments = new ArrayList<>(repository.readManifest(honest).segments());
    for (String escape : new String[] {"../../escaped", "/" + dir.resolve("outside/absolute").toString().substring(1)}) {
      SegmentRef bad = RepositoryEdits.rawSegment(repository, List.of(RepositoryEdits.withRawPath(template, escape)),
          "zzz", "zzz");
      List<SegmentRef> withBad = new ArrayList<>(segments);
      withBad.add(bad);
      PointId point = RepositoryEdits.publish(repository, RepositoryEdits.list(withBad, 5, 4));
      Cli.Result r = restore(point, "restored-escape-" + escape.length());
      assertEquals(3, r.exitCode, r.toString());
      assertTrue(r.stderr.contains("refusing manifest path"), r.stderr);
      assertFalse(Files.exists(dir.resolve("escaped")));
      assertOutsideUntouched();
      java.nio.file.Path top = dir.resolve("restored-escape-" + escape.length() + "/top.txt");
      assertTrue(Files.exists(top), r.toString());
      assertEquals("top\n", Files.readString(top));
    }
  }

  /**
   * Two segments that both hold {@code top.txt}, named by rows that say they do not overlap. The
   * restore refused it already (its entries do not strictly follow each other); verify, which
   * reads each segment on its own, passed the point ("No damage") until each segment was checked
   * against the list's row that names it.
   */
  @Test
  void aPathRepeatedInAnotherSegmentIsRefusedByRestoreAndFoundByVerify() throws Exception {
    ManifestEntry top = RepositoryEdits.entries(repository, honest).stream()
        .filter(e -> e.path().equals("top.txt")).findFirst().orElseThrow();
    ManifestEntry root = ManifestEntry.builder(EntryType.DIRECTORY, "").permission((short) 0755).build();
    SegmentRef first = RepositoryEdits.rawSegment(repository,
        List.of(ManifestEntryCodec.toBytes(root), ManifestEntryCodec.toBytes(top)), "", "a");
    SegmentRef again = RepositoryEdits.rawSegment(repository, List.of(ManifestEntryCodec.toBytes(top)), "b", "b");
    PointId point = RepositoryEdits.publish(repository, RepositoryEdits.list(List.of(first, again), 2, 1));
    Cli.Result r = restore(point, "restored-duplicate");
    assertEquals(3, r.exitCode, r.toString());
    assertTrue(r.stderr.contains("manifest list's row"), r.stderr);
    assertFalse(Files.exists(dir.resolve("restored-duplicate/top.txt")), "nothing is restored from such a manifest");
    Cli.Result checked = Cli.run(conf, "verify", "--repo", repo, "--point", point.toString(), "--json");
    assertEquals(3, checked.exitCode, checked.toString());
    assertTrue(checked.stdout.contains("manifest list's row") && checked.stdout.contains(again.id().toString()),
        checked.stdout);
  }

  /**
   * Entries a restore refuses by the tree rule (one below a symlink or file of the point, a root
   * that is not a directory): verify said "No damage" (exit 0), even with --read-data, while
   * every restore exited 3 (found by a probe). Now it names the segment and each such path.
   */
  @Test
  void entriesBelowANonDirectoryAreFoundByVerifyAsRestoreRefusesThem() throws Exception {
    ManifestEntry root = ManifestEntry.builder(EntryType.DIRECTORY, "").permission((short) 0755).build();
    ManifestEntry link = ManifestEntry.builder(EntryType.SYMLINK, "link").symlinkTarget("/etc").build();
    ManifestEntry below = ManifestEntry.builder(EntryType.DIRECTORY, "link/x").permission((short) 0755).build();
    SegmentRef segment = RepositoryEdits.rawSegment(repository, List.of(ManifestEntryCodec.toBytes(root),
        ManifestEntryCodec.toBytes(link), ManifestEntryCodec.toBytes(below)), "", "link/x");
    PointId point = RepositoryEdits.publish(repository, RepositoryEdits.list(List.of(segment), 0, 2));
    Cli.Result r = restore(point, "restored-below-link");
    assertEquals(3, r.exitCode, r.toString());
    for (String mode : new String[] {"--json", "--read-data"}) {
      Cli.Result checked = Cli.run(conf, "verify", "--repo", repo, "--point", point.toString(), mode, "--json");
      assertEquals(3, checked.exitCode, checked.toString());
      JsonNode affected = checked.json().get("affected");
      assertEquals(1, affected.size(), checked.stdout);
      assertEquals("link/x", affected.get(0).get("path").asText(), checked.stdout);
      assertTrue(checked.stdout.contains(segment.id().toString()), checked.stdout);
    }

    ManifestEntry fileRoot = ManifestEntry.builder(EntryType.FILE, "").permission((short) 0644)
        .fileHash(org.hbackup.common.id.ContentId.of(new byte[0])).build();
    SegmentRef rootFile = RepositoryEdits.rawSegment(repository, List.of(ManifestEntryCodec.toBytes(fileRoot)), "", "");
    PointId rootPoint = RepositoryEdits.publish(repository, RepositoryEdits.list(List.of(rootFile), 1, 0));
    Cli.Result checked = Cli.run(conf, "verify", "--repo", repo, "--point", rootPoint.toString(), "--json");
    assertEquals(3, checked.exitCode, checked.toString());
    assertTrue(checked.stdout.contains("root is a file"), checked.stdout);
  }

  /**
   * The same rule across segments: a symlink that ends one segment, and entries below it in the
   * next. Each segment passes alone, and verify reads each distinct segment once, so it said "No
   * damage" (exit 0) while the restore refused the point (exit 3). Now the driver folds each
   * point's segments' tree summaries: verify names the later segment and exactly the entries
   * below the link ("link-a" sorts between them and is not below it), and `repair points` gives
   * a point that restores.
   */
  @Test
  void entriesBelowANonDirectoryOfAnEarlierSegmentAreFoundByVerify() throws Exception {
    ManifestEntry root = ManifestEntry.builder(EntryType.DIRECTORY, "").permission((short) 0755).build();
    ManifestEntry link = ManifestEntry.builder(EntryType.SYMLINK, "link").symlinkTarget("/etc").build();
    SegmentRef before = RepositoryEdits.rawSegment(repository, List.of(ManifestEntryCodec.toBytes(root),
        ManifestEntryCodec.toBytes(link)), "", "link");
    List<ManifestEntry> later = List.of(
        ManifestEntry.builder(EntryType.DIRECTORY, "link-a").permission((short) 0755).build(),
        ManifestEntry.builder(EntryType.DIRECTORY, "link/x").permission((short) 0755).build(),
        ManifestEntry.builder(EntryType.SYMLINK, "link/x/y").symlinkTarget("z").build(),
        ManifestEntry.builder(EntryType.DIRECTORY, "m").permission((short) 0755).build());
    List<byte[]> encoded = new java.util.ArrayList<>();
    for (ManifestEntry e : later) {
      encoded.add(ManifestEntryCodec.toBytes(e));
    }
    SegmentRef after = RepositoryEdits.rawSegment(repository, encoded, "link-a", "m");
    PointId point = RepositoryEdits.publish(repository, RepositoryEdits.list(List.of(before, after), 0, 4));
    Cli.Result r = restore(point, "restored-below-link-across");
    assertEquals(3, r.exitCode, r.toString());
    assertFalse(Files.exists(dir.resolve("restored-below-link-across/link/x")), r.toString());

    for (String mode : new String[] {"--json", "--read-data"}) {
      Cli.Result checked = Cli.run(conf, "verify", "--repo", repo, "--point", point.toString(), mode, "--json");
      assertEquals(3, checked.exitCode, checked.toString());
      JsonNode affected = checked.json().get("affected");
      assertEquals(2, affected.size(), checked.stdout);
      assertEquals("link/x", affected.get(0).get("path").asText(), checked.stdout);
      assertEquals("link/x/y", affected.get(1).get("path").asText(), checked.stdout);
      assertTrue(checked.stdout.contains(after.id().toString()) && checked.stdout.contains("earlier segment"),
          checked.stdout);
      assertFalse(checked.stdout.contains(before.id().toString()), "the segment with the link is sound alone");
    }

    Cli.Result repaired = Cli.run(conf, "repair", "points", "--repo", repo, "--point", point.toString(), "--json");
    assertEquals(0, repaired.exitCode, repaired.toString());
    String fixed = repaired.json().get("points").get(0).get("repaired").asText();
    Cli.Result again = restore(PointId.parse(fixed), "restored-repaired-across");
    assertEquals(0, again.exitCode, again.toString());
    assertTrue(Files.isDirectory(dir.resolve("restored-repaired-across/link-a")), again.toString());
    assertTrue(Files.isSymbolicLink(dir.resolve("restored-repaired-across/link")), again.toString());
    assertEquals(0, Cli.run(conf, "verify", "--repo", repo, "--point", fixed).exitCode);
  }

  /**
   * Two manifest lists that give one segment different rows. The segment matched its name, so a
   * row that disagrees with it is its list's damage: only the points of that list lose the
   * segment's files. verify called the segment itself damaged, so the honest point that names it
   * was affected too (exit 3 for a point that restores), and `repair points --forget` would have
   * replaced it with a point without those files.
   */
  @Test
  void aListRowThatDisagreesWithItsSegmentAffectsOnlyThePointsOfThatList() throws Exception {
    org.hbackup.common.manifest.ManifestList honestList = repository.readManifest(repository.readPoint(honest));
    List<SegmentRef> rows = new ArrayList<>(honestList.segments());
    SegmentRef last = rows.get(rows.size() - 1);
    rows.set(rows.size() - 1, new SegmentRef(last.id(), last.firstPath(), last.lastPath(), last.entries() + 1,
        last.files(), last.bytes()));
    PointId lying = RepositoryEdits.publish(repository, new org.hbackup.common.manifest.ManifestList(rows,
        honestList.totals()));
    assertEquals(3, restore(lying, "restored-lying-row").exitCode);

    for (String mode : new String[] {"--json", "--read-data"}) {
      Cli.Result checked = Cli.run(conf, "verify", "--repo", repo, "--point", honest.toString(), "--point",
          lying.toString(), mode, "--json");
      assertEquals(3, checked.exitCode, checked.toString());
      for (JsonNode affected : checked.json().get("affected")) {
        assertEquals(lying.toString(), affected.get("point").asText(), "only the lying list's point: " + checked.stdout);
      }
      assertEquals(last.entries(), checked.json().get("affectedFiles").asLong(), "the entries the segment holds, not"
          + " the lying row's count: " + checked.stdout);
      assertEquals(1, checked.json().get("damagedPointFiles").asLong(), checked.stdout);
      assertEquals(0, checked.json().get("damagedSegments").asLong(), checked.stdout);
      JsonNode damaged = checked.json().get("damaged");
      assertEquals(1, damaged.size(), checked.stdout);
      String listFile = repository.layout().manifestOf(repository.readPoint(lying)).toString();
      assertEquals(listFile, damaged.get(0).get("file").asText(), "the list is named, not the segment");
      assertTrue(damaged.get(0).get("reason").asText().contains(last.id().toString()), checked.stdout);
      assertEquals(0, Cli.run(conf, "verify", "--repo", repo, "--point", honest.toString(), mode).exitCode);
    }

    Cli.Result repaired = Cli.run(conf, "repair", "points", "--repo", repo, "--point", honest.toString(),
        "--point", lying.toString(), "--forget", "--json");
    assertEquals(0, repaired.exitCode, repaired.toString());
    assertTrue(Files.exists(dir.resolve("repo/points/" + honest + ".json")), repaired.stdout);
    assertFalse(Files.exists(dir.resolve("repo/points/" + lying + ".json")), repaired.stdout);
    assertEquals(0, restore(honest, "restored-honest-after-repair").exitCode);
  }

  /**
   * A point that holds no entry, not even its root: a restore refuses it (exit 1). verify passed
   * it (exit 0), and `repair points` made one of a point whose only segment was damaged (found by
   * a probe), which then was "latest". Now verify names its manifest list, and repair publishes
   * no such point (and, with --forget, removes the original).
   */
  @Test
  void aPointWithoutEntriesIsDamageAndRepairNeverMakesOne() throws Exception {
    PointId empty = RepositoryEdits.publish(repository, RepositoryEdits.list(List.of(), 0, 0));
    assertEquals(1, restore(empty, "restored-empty").exitCode);
    Cli.Result checked = Cli.run(conf, "verify", "--repo", repo, "--point", empty.toString(), "--json");
    assertEquals(3, checked.exitCode, checked.toString());
    assertTrue(checked.stdout.contains("names no segment"), checked.stdout);

    ManifestEntry root = ManifestEntry.builder(EntryType.DIRECTORY, "").permission((short) 0755).build();
    ManifestEntry sub = ManifestEntry.builder(EntryType.DIRECTORY, "sub").permission((short) 0755).build();
    SegmentRef only = RepositoryEdits.rawSegment(repository, List.of(ManifestEntryCodec.toBytes(root),
        ManifestEntryCodec.toBytes(sub)), "", "sub");
    PointId lost = RepositoryEdits.publish(repository, RepositoryEdits.list(List.of(only), 0, 2));
    java.nio.file.Path segment = Files.walk(dir.resolve("repo/manifests"))
        .filter(p -> p.getFileName().toString().startsWith(only.id().toString())).findFirst().orElseThrow();
    byte[] bytes = Files.readAllBytes(segment);
    bytes[bytes.length / 2] ^= 1;
    segment.toFile().setWritable(true);
    Files.write(segment, bytes);
    Cli.Result kept = Cli.run(conf, "repair", "points", "--repo", repo, "--point", lost.toString(),
        "--point", empty.toString(), "--json");
    assertEquals(3, kept.exitCode, "points left unrepaired are damage still there: " + kept);
    assertTrue(kept.stderr.contains(lost.toString()) || kept.stderr.contains(empty.toString()), kept.stderr);
    Cli.Result repaired = Cli.run(conf, "repair", "points", "--repo", repo, "--point", lost.toString(),
        "--point", empty.toString(), "--forget", "--json");
    assertEquals(0, repaired.exitCode, repaired.toString());
    for (JsonNode row : repaired.json().get("points")) {
      assertTrue(row.get("repaired") == null || row.get("repaired").isNull(), "no point without entries: " + row);
      assertTrue(row.get("forgotten").asBoolean(), row.toString());
    }
    assertFalse(Files.exists(dir.resolve("repo/points/" + lost + ".json")));
    assertFalse(Files.exists(dir.resolve("repo/points/" + empty + ".json")));
  }

  /**
   * A file whose hash cannot be its content's: verify passed it (exit 0, with --read-data too)
   * while every restore failed the file (found by a probe). A file of one chunk is that chunk's
   * bytes, so its hash must be the chunk's id.
   */
  @Test
  void aFileHashThatCannotBeItsContentsIsFoundByVerify() throws Exception {
    PointId wrong = RepositoryEdits.rewrite(repository, honest, entries -> entries.stream()
        .map(e -> e.path().equals("d/f") ? e.toBuilder(EntryType.FILE, e.path())
            .fileHash(org.hbackup.common.id.ContentId.of("other".getBytes(java.nio.charset.StandardCharsets.UTF_8)))
            .build() : e)
        .collect(Collectors.toList()));
    assertEquals(3, restore(wrong, "restored-wrong-hash").exitCode);
    for (String mode : new String[] {"--json", "--read-data"}) {
      Cli.Result checked = Cli.run(conf, "verify", "--repo", repo, "--point", wrong.toString(), mode, "--json");
      assertEquals(3, checked.exitCode, checked.toString());
      JsonNode affected = checked.json().get("affected");
      assertEquals(1, affected.size(), checked.stdout);
      assertEquals("d/f", affected.get(0).get("path").asText(), checked.stdout);
      assertTrue(checked.stdout.contains("is not the SHA-256 of its content"), checked.stdout);
    }
    assertEquals(0, Cli.run(conf, "verify", "--repo", repo, "--point", honest.toString()).exitCode);
  }

  @Test
  void lengthsThatLieFailTheirFileOrTheirSegment() throws Exception {
    // A chunk list whose lengths do not add up to the file's: no honest writer makes that
    // segment, so it is refused whole. A chunk whose length differs from the index's: that file.
    PointId longer = RepositoryEdits.rewrite(repository, honest, entries -> entries.stream()
        .map(e -> e.path().equals("d/f") ? e.toBuilder(EntryType.FILE, e.path()).length(e.length() + 1).build() : e)
        .collect(Collectors.toList()));
    Cli.Result r = restore(longer, "restored-longer");
    assertEquals(3, r.exitCode, r.toString());
    assertTrue(r.stderr.contains("has chunks of"), r.stderr);

    PointId lying = RepositoryEdits.rewrite(repository, honest, entries -> entries.stream()
        .map(e -> {
          if (!e.path().equals("d/f")) {
            return e;
          }
          ChunkRef c = e.chunks().get(0);
          return e.toBuilder(EntryType.FILE, e.path()).length(c.length() + 7)
              .chunks(List.of(new ChunkRef(c.id(), c.length() + 7))).build();
        })
        .collect(Collectors.toList()));
    Cli.Result r2 = restore(lying, "restored-lying");
    assertEquals(3, r2.exitCode, r2.toString());
    assertEquals(1, r2.json().get("filesFailed").asLong());
    assertEquals("d/f", r2.json().get("failed").get(0).asText());
    assertFalse(Files.exists(dir.resolve("restored-lying/d/f")));
    assertEquals("top\n", Files.readString(dir.resolve("restored-lying/top.txt")));

    // verify finds what restore refuses: before, it joined the reference and the index row on the
    // chunk id alone and passed the point ("No damage").
    Cli.Result checked = Cli.run(conf, "verify", "--repo", repo, "--point", lying.toString(), "--json");
    assertEquals(3, checked.exitCode, checked.toString());
    assertTrue(checked.stdout.contains("d/f") && checked.stdout.contains("the manifest gives it"), checked.stdout);
  }

  @Test
  void aPointRecordThatNamesAnotherPointIsRefused() throws Exception {
    PointId other = PointId.create(java.time.Instant.now());
    byte[] record = Files.readAllBytes(dir.resolve("repo/points/" + honest + ".json"));
    Files.write(dir.resolve("repo/points/" + other + ".json"), record);
    Cli.Result r = restore(other, "restored-other");
    assertEquals(3, r.exitCode, r.toString());
    assertTrue(r.stderr.contains("names point " + honest), r.stderr);

    // A record is what binds a point to its entries: one that names another point's manifest
    // list (a forger recomputes the digest: it is a checksum against damage, not a signature)
    // makes a point of the same entries, as a backup of an unchanged tree does (FORMAT.md section
    // 10). What the list holds is bound by its name: a list whose bytes were edited is refused.
    PointId borrowing = PointId.create(java.time.Instant.now());
    com.fasterxml.jackson.databind.node.ObjectNode forged = (com.fasterxml.jackson.databind.node.ObjectNode)
        new com.fasterxml.jackson.databind.ObjectMapper().readTree(record);
    forged.remove("digest");
    forged.put("id", borrowing.toString());
    Files.write(dir.resolve("repo/points/" + borrowing + ".json"), org.hbackup.common.io.JsonDigest.write(forged));
    Cli.Result r2 = restore(borrowing, "restored-borrowing");
    assertEquals(0, r2.exitCode, r2.toString());
    assertEquals("top\n", Files.readString(dir.resolve("restored-borrowing/top.txt")));

    String listName = forged.get("manifest").asText();
    java.nio.file.Path list = dir.resolve("repo").resolve(listName);
    byte[] honestList = Files.readAllBytes(list);
    byte[] edited = new String(honestList, java.nio.charset.StandardCharsets.UTF_8)
        .replace("\"files\" : ", "\"files\" : 1").getBytes(java.nio.charset.StandardCharsets.UTF_8);
    try {
      Files.write(list, edited);
      Cli.Result r3 = restore(borrowing, "restored-edited");
      assertEquals(3, r3.exitCode, r3.toString());
      assertTrue(r3.stderr.contains("does not match its name"), r3.stderr);
      assertFalse(Files.exists(dir.resolve("restored-edited/top.txt")));
    } finally {
      Files.write(list, honestList);
      Files.delete(dir.resolve("repo/points/" + borrowing + ".json"));
    }
  }

  @Test
  void aTargetInsideTheRepositoryIsRefusedAndTheRepositoryInsideTheTargetIsNeverOverwritten() throws Exception {
    Cli.Result inside = Cli.run(conf, "restore", "--repo", repo, "--point", honest.toString(),
        "--target", uri("repo/restored"));
    assertEquals(1, inside.exitCode, inside.toString());
    assertTrue(inside.stderr.contains("inside the repository"), inside.stderr);
    Cli.Result same = Cli.run(conf, "restore", "--repo", repo, "--point", honest.toString(),
        "--target", repo, "--overwrite");
    assertEquals(1, same.exitCode, same.toString());
    assertFalse(Files.exists(dir.resolve("repo/top.txt")));

    // A point of a tree that held its own repository, restored over it.
    java.nio.file.Path tree = dir.resolve("holder");
    Files.createDirectories(tree.resolve("backups/repo"));
    Files.writeString(tree.resolve("backups/repo/config.json"), "not the real one\n");
    Files.writeString(tree.resolve("keep.txt"), "keep\n");
    String holderRepo = uri("holder-repo");
    assertEquals(0, Cli.run(conf, "backup", "--source", tree.toString(), "--repo", holderRepo).exitCode);
    byte[] config = Files.readAllBytes(dir.resolve("holder-repo/config.json"));
    Files.move(dir.resolve("holder-repo"), tree.resolve("backups/real-repo"));
    Files.delete(tree.resolve("backups/repo/config.json"));
    Files.delete(tree.resolve("backups/repo"));
    Files.move(tree.resolve("backups/real-repo"), tree.resolve("backups/repo"));
    String movedRepo = tree.resolve("backups/repo").toUri().toString();
    Cli.Result over = Cli.run(conf, "restore", "--repo", movedRepo, "--point", "latest",
        "--target", tree.toUri().toString(), "--overwrite", "--json");
    assertEquals(3, over.exitCode, over.toString());
    assertArrayEquals(config, Files.readAllBytes(tree.resolve("backups/repo/config.json")), "the repository is intact");
    assertEquals("keep\n", Files.readString(tree.resolve("keep.txt")));
  }

  @Test
  void aTargetGivenAsASymlinkIsTheDirectoryItNames() throws Exception {
    java.nio.file.Path real = Files.createDirectories(dir.resolve("big-disk/restore-here"));
    Files.createSymbolicLink(dir.resolve("restore-link"), real);
    Cli.Result r = restore(honest, "restore-link");
    assertEquals(0, r.exitCode, r.toString());
    assertEquals("in d\n", Files.readString(real.resolve("d/f")));
    assertTrue(Files.isSymbolicLink(dir.resolve("restore-link")), "the link itself is left as it was");
  }

  @Test
  void aSymlinkTargetHoldingANulCharacterIsRefused() throws Exception {
    ManifestEntry root = ManifestEntry.builder(EntryType.DIRECTORY, "").permission((short) 0755).build();
    ManifestEntry link = ManifestEntry.builder(EntryType.SYMLINK, "bad-link").symlinkTarget("a\0b").build();
    SegmentRef segment = RepositoryEdits.rawSegment(repository,
        List.of(ManifestEntryCodec.toBytes(root), ManifestEntryCodec.toBytes(link)), "", "bad-link");
    PointId point = RepositoryEdits.publish(repository, RepositoryEdits.list(List.of(segment), 0, 1));
    Cli.Result r = restore(point, "restored-nul");
    assertEquals(3, r.exitCode, r.toString());
    assertTrue(r.stderr.contains("NUL"), r.stderr);
  }

  @Test
  void aKilledRestoreIsFinishedByARestoreWithOverwrite() throws Exception {
    java.nio.file.Path target = Files.createDirectories(dir.resolve("restored-killed"));
    // What a restore killed midway leaves: some entries in place, a file aside in its staging.
    Files.createDirectories(target.resolve("d"));
    Files.writeString(target.resolve("d/f"), "in d\n");
    java.nio.file.Path staging = Files.createDirectories(target.resolve(".hbackup-restore-1234abcd"));
    Files.writeString(staging.resolve("m0a0-3"), "half a fi");
    // Its marker names a process elsewhere, last refreshed an hour ago: stale.
    java.nio.file.Path marker = staging.resolve(".hbackup-staging");
    Files.writeString(marker, "{\"format\":\"hbackup-restore-staging\",\"version\":1,\"point\":\"" + honest
        + "\",\"host\":\"elsewhere\",\"pid\":1,\"processStart\":0}");
    Files.setLastModifiedTime(marker, java.nio.file.attribute.FileTime.fromMillis(System.currentTimeMillis() - 3_600_000));
    Cli.Result refused = restore(honest, "restored-killed");
    assertEquals(1, refused.exitCode, refused.toString());
    assertTrue(refused.stderr.contains("did not finish"), refused.stderr);
    Cli.Result r = restore(honest, "restored-killed", "--overwrite");
    assertEquals(0, r.exitCode, r.toString());
    TreeMap<String, FileStatus> restored = Trees.snapshot(fs, new Path(target.toUri()));
    TreeMap<String, FileStatus> source = Trees.snapshot(fs, new Path(dir.resolve("source").toUri()));
    assertEquals(source.keySet(), restored.keySet(), "exactly the point's entries, nothing left aside");
    assertTrue(Files.isSymbolicLink(target.resolve("link")));
    assertFalse(Files.exists(staging, LinkOption.NOFOLLOW_LINKS));
  }

  /**
   * Only a directory a restore made is taken for a killed restore's staging: a prefix match
   * deleted, on --overwrite, a user's directory named like one, one with the exact name but not
   * made by a restore, and a repository kept in the target under such a name (found by a probe).
   */
  @Test
  void overwriteRemovesOnlyWhatARestoreLeftAside() throws Exception {
    java.nio.file.Path target = Files.createDirectories(dir.resolve("restored-lookalikes"));
    java.nio.file.Path mine = Files.createDirectories(target.resolve(".hbackup-restore-mydata"));
    Files.writeString(mine.resolve("file"), "precious\n");
    java.nio.file.Path exact = Files.createDirectories(target.resolve(".hbackup-restore-0000abcd"));
    Files.writeString(exact.resolve("file"), "also precious\n");
    java.nio.file.Path repoInside = target.resolve(".hbackup-restore-12345678");
    copyTree(dir.resolve("repo"), repoInside);
    Files.writeString(repoInside.resolve(".hbackup-staging"), "");
    long files = countFiles(repoInside);
    Cli.Result r = Cli.run(conf, "restore", "--repo", repoInside.toUri().toString(), "--point",
        honest.toString(), "--target", target.toUri().toString(), "--overwrite");
    assertEquals(0, r.exitCode, r.toString());
    assertEquals("precious\n", Files.readString(mine.resolve("file")));
    assertEquals("also precious\n", Files.readString(exact.resolve("file")));
    assertTrue(Files.exists(repoInside.resolve("points/" + honest + ".json")), "the repository is still there");
    assertEquals(files, countFiles(repoInside), "every file of it");
  }

  private static long countFiles(java.nio.file.Path root) throws java.io.IOException {
    try (java.util.stream.Stream<java.nio.file.Path> walk = Files.walk(root)) {
      return walk.filter(p -> !p.toString().contains("/locks/")).count();
    }
  }

  private static void copyTree(java.nio.file.Path from, java.nio.file.Path to) throws java.io.IOException {
    try (java.util.stream.Stream<java.nio.file.Path> walk = Files.walk(from)) {
      for (java.nio.file.Path p : (Iterable<java.nio.file.Path>) walk::iterator) {
        Files.copy(p, to.resolve(from.relativize(p).toString()), java.nio.file.StandardCopyOption.COPY_ATTRIBUTES);
      }
    }
  }
}
