package org.hbackup.common.repo;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;

import com.fasterxml.jackson.databind.node.ObjectNode;
import org.hbackup.common.FormatException;
import org.hbackup.common.compress.Compression;
import org.hbackup.common.io.Json;
import org.junit.jupiter.api.Test;

/** config.json's integers are range-checked, never cast: a value that wraps is damage. */
class RepositoryConfigTest {
  private static RepositoryConfig read(ObjectNode root) throws IOException {
    return RepositoryConfig.fromJson(new ByteArrayInputStream(Json.toBytes(root)), "config.json");
  }

  private static ObjectNode withId(String id) throws IOException {
    ObjectNode root = written();
    root.put("id", id);
    return root;
  }

  private static ObjectNode written() throws IOException {
    byte[] json = RepositoryConfig.create(Compression.ZSTD).toJson();
    return Json.parse(new ByteArrayInputStream(json), "config.json");
  }

  @Test
  void readsWhatItWrites() throws IOException {
    RepositoryConfig config = read(written());
    assertEquals(RepositoryConfig.DEFAULT_PACK_SIZE, config.packSize());
    assertEquals(Compression.ZSTD, config.compression());
  }

  /** Before, (int) 4294967302L was 6: a version this build never knew passed as its own. */
  @Test
  void aVersionThatWrapsToAKnownOneIsRefused() throws IOException {
    ObjectNode root = written();
    root.put("version", (1L << 32) + root.get("version").asLong());
    FormatException e = assertThrows(FormatException.class, () -> read(root));
    assertTrue(e.getMessage().contains("version") && e.getMessage().contains("out of range"), e.getMessage());
  }

  @Test
  void chunkSizesThatWrapAreRefused() throws IOException {
    ObjectNode root = written();
    ((ObjectNode) root.get("chunker")).put("maxSize", (1L << 32) + 4 * 1024 * 1024);
    FormatException e = assertThrows(FormatException.class, () -> read(root));
    assertTrue(e.getMessage().contains("maxSize"), e.getMessage());
  }

  @Test
  void packSizesAndLevelsOutsideTheirRangesAreRefused() throws IOException {
    for (long size : new long[] {0, -1, 1024, RepositoryConfig.MAX_PACK_SIZE + 1, Long.MAX_VALUE}) {
      ObjectNode root = written();
      root.put("packSize", size);
      FormatException e = assertThrows(FormatException.class, () -> read(root), "packSize " + size);
      assertTrue(e.getMessage().contains("config.json") && e.getMessage().contains("pack size"), e.getMessage());
    }
    for (int level : new int[] {99, -100}) {
      ObjectNode root = written();
      root.put("compressionLevel", level);
      assertThrows(FormatException.class, () -> read(root), "level " + level);
    }
    ObjectNode bounds = written();
    bounds.put("packSize", RepositoryConfig.MAX_PACK_SIZE);
    bounds.put("compressionLevel", RepositoryConfig.MAX_ZSTD_LEVEL);
    assertEquals(RepositoryConfig.MAX_PACK_SIZE, read(bounds).packSize());
  }

  @Test
  void textInsteadOfAnIntegerIsRefused() throws IOException {
    ObjectNode root = written();
    root.put("packSize", "67108864");
    assertThrows(FormatException.class, () -> read(root));
    assertTrue(new String(Json.toBytes(written()), StandardCharsets.UTF_8).contains("packSize"));
  }

  /**
   * A backup deletes the source snapshots whose names start with {@code hbackup-<id>-}: an id of
   * another form ("a", "a-b", upper case) could be a prefix of another repository's and delete
   * the snapshots that repository's next backup compares with.
   */
  @Test
  void anIdThatIsNotACanonicalUuidIsRefused() throws IOException {
    String good = written().get("id").asText();
    assertEquals(good.toUpperCase(java.util.Locale.ROOT), read(withId(good.toUpperCase(java.util.Locale.ROOT))).id());
    for (String id : new String[] {"", "a", good + "-1", good + "0",
        good.replace("-", ""), good.substring(0, 35) + "/", "../" + good.substring(3)}) {
      ObjectNode root = written();
      root.put("id", id);
      FormatException e = assertThrows(FormatException.class, () -> read(root), "id " + id);
      assertTrue(e.getMessage().contains("config.json") && e.getMessage().contains("repository id"),
          e.getMessage());
    }
    ObjectNode root = written();
    root.put("id", good);
    assertEquals(good, read(root).id());
  }
}
