package org.hbackup.common.repo;

import java.io.IOException;
import java.io.InputStream;
import java.time.Instant;
import java.util.UUID;
import java.util.regex.Pattern;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.hbackup.common.FormatException;
import org.hbackup.common.chunk.ChunkerParameters;
import org.hbackup.common.compress.Compression;
import org.hbackup.common.io.Json;

/**
 * The repository's {@code config.json}: what every writer must agree on to share chunks (chunker
 * parameters, hash, compression). Written once by {@code init}, never changed.
 */
public final class RepositoryConfig {
  public static final String FORMAT = "hbackup-repository";
  public static final int VERSION = 1;
  public static final int MIN_VERSION = 1;
  public static final String CHUNKER_ALGORITHM = "fastcdc-gear-v1";
  public static final String HASH = "sha256";
  /** 64 MiB packs: half an HDFS block, few files for the NameNode, fine-grained enough to prune. */
  public static final long DEFAULT_PACK_SIZE = 64L * 1024 * 1024;
  /**
   * Bounds of {@code packSize}, which only writers use: below 1 MiB a repository is mostly pack
   * headers, and packs of more than 4 GiB mean a config that was damaged or written by someone
   * else. Readers take packs of any length.
   */
  public static final long MIN_PACK_SIZE = 1024 * 1024;
  public static final long MAX_PACK_SIZE = 4L * 1024 * 1024 * 1024;
  /** zstd's own range of levels (negative ones are its fast modes). */
  public static final int MIN_ZSTD_LEVEL = -7;
  public static final int MAX_ZSTD_LEVEL = 22;
  /** Level 1 measured fastest with a ratio close to level 3 on logs (docs/BENCHMARKS.md). */
  public static final int DEFAULT_ZSTD_LEVEL = 1;

  /**
   * A repository id as {@link UUID#toString} writes it. Snapshot names are built from it
   * ({@code hbackup-<id>-<point id>}) and a backup deletes the ones that start with its own
   * prefix: ids of one length and form keep one repository's prefix from matching another's.
   */
  private static final Pattern ID_FORM = Pattern.compile(
      "[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}");

  private final String id;
  private final Instant created;
  private final ChunkerParameters chunker;
  private final Compression compression;
  private final int compressionLevel;
  private final long packSize;

  public RepositoryConfig(String id, Instant created, ChunkerParameters chunker,
      Compression compression, int compressionLevel, long packSize) {
    if (packSize < MIN_PACK_SIZE || packSize > MAX_PACK_SIZE) {
      throw new IllegalArgumentException("pack size " + packSize + " is outside " + MIN_PACK_SIZE
          + ".." + MAX_PACK_SIZE);
    }
    if (compressionLevel < MIN_ZSTD_LEVEL || compressionLevel > MAX_ZSTD_LEVEL) {
      throw new IllegalArgumentException("compression level " + compressionLevel + " is outside "
          + MIN_ZSTD_LEVEL + ".." + MAX_ZSTD_LEVEL);
    }
    if (id == null || !ID_FORM.matcher(id).matches()) {
      throw new IllegalArgumentException("repository id " + id + " is not a UUID (8-4-4-4-12 hex digits)");
    }
    this.id = id;
    this.created = created;
    this.chunker = chunker;
    this.compression = compression;
    this.compressionLevel = compressionLevel;
    this.packSize = packSize;
  }

  public static RepositoryConfig create(Compression compression) {
    return new RepositoryConfig(UUID.randomUUID().toString(), Instant.now(), ChunkerParameters.defaults(),
        compression, DEFAULT_ZSTD_LEVEL, DEFAULT_PACK_SIZE);
  }

  public String id() {
    return id;
  }

  public Instant created() {
    return created;
  }

  public ChunkerParameters chunker() {
    return chunker;
  }

  public Compression compression() {
    return compression;
  }

  public int compressionLevel() {
    return compressionLevel;
  }

  public long packSize() {
    return packSize;
  }

  public byte[] toJson() throws IOException {
    ObjectNode root = Json.object();
    root.put("format", FORMAT);
    root.put("version", VERSION);
    root.put("id", id);
    root.put("created", created.toString());
    ObjectNode c = root.putObject("chunker");
    c.put("algorithm", CHUNKER_ALGORITHM);
    c.put("minSize", chunker.min());
    c.put("averageSize", chunker.average());
    c.put("maxSize", chunker.max());
    root.put("hash", HASH);
    root.put("compression", compression.configName());
    root.put("compressionLevel", compressionLevel);
    root.put("packSize", packSize);
    root.putNull("encryption");
    return Json.toBytes(root);
  }

  public static RepositoryConfig fromJson(InputStream in, String file) throws IOException {
    ObjectNode root = Json.parse(in, file);
    Json.checkFormat(root, FORMAT, file, MIN_VERSION, VERSION);
    JsonNode c = root.get("chunker");
    if (c == null || !c.isObject()) {
      throw new FormatException(file, "field 'chunker' is missing");
    }
    String algorithm = Json.requireText(c, "algorithm", file);
    if (!CHUNKER_ALGORITHM.equals(algorithm)) {
      throw new FormatException(file, "unknown chunker algorithm '" + algorithm + "'");
    }
    String hash = Json.requireText(root, "hash", file);
    if (!HASH.equals(hash)) {
      throw new FormatException(file, "unknown hash '" + hash + "'");
    }
    JsonNode encryption = root.get("encryption");
    if (encryption != null && !encryption.isNull()) {
      throw new FormatException(file, "encrypted repositories are not supported by this build");
    }
    try {
      ChunkerParameters chunker = new ChunkerParameters(Json.requireInt(c, "minSize", file),
          Json.requireInt(c, "averageSize", file), Json.requireInt(c, "maxSize", file));
      return new RepositoryConfig(Json.requireText(root, "id", file),
          Instant.parse(Json.requireText(root, "created", file)), chunker,
          Compression.parse(Json.requireText(root, "compression", file)),
          Json.requireInt(root, "compressionLevel", file), Json.requireLong(root, "packSize", file));
    } catch (IllegalArgumentException | java.time.format.DateTimeParseException e) {
      throw new FormatException(file, e.getMessage(), e);
    }
  }
}
