package org.hbackup.common.repo;

import java.io.FileNotFoundException;
import java.io.IOException;
import java.time.Instant;
import java.util.HashSet;
import java.util.Set;

import com.fasterxml.jackson.databind.node.ObjectNode;
import org.apache.hadoop.fs.FileAlreadyExistsException;
import org.apache.hadoop.fs.FileStatus;
import org.apache.hadoop.fs.Path;
import org.hbackup.common.id.ContentId;
import org.hbackup.common.id.PackId;
import org.hbackup.common.io.FileSystems;
import org.hbackup.common.io.Json;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Packs known to be damaged: {@code damage/<pack id>.json}, written by whoever finds a blob in a
 * pack that does not read back as its chunk (a restore, verify). A flipped bit inside a blob is
 * invisible to the header and trailer checks a backup makes before reusing chunks; once it is
 * found, no backup reuses any chunk of that pack again, and so stores them again from the source
 * (FORMAT.md, "Damage records"). Readers still read the pack's blobs that check out. Memory: the
 * ids of the damaged packs.
 */
public final class DamageRecords {
  private static final Logger LOG = LoggerFactory.getLogger(DamageRecords.class);
  public static final String FORMAT = "hbackup-damage";
  public static final int VERSION = 1;
  public static final String DIRECTORY = "damage";

  private DamageRecords() {
  }

  public static Path directory(Repository repository) {
    return new Path(repository.layout().root(), DIRECTORY);
  }

  /**
   * Records that a pack holds a damaged blob ({@code chunk}), or has a damaged header or trailer
   * ({@code chunk} null). Best effort: a repository the caller may not write
   * to (a read-only copy being restored from) is only told in the log.
   */
  public static void record(Repository repository, PackId pack, ContentId chunk, String reason) {
    Path file = new Path(directory(repository), pack.toHex() + RepositoryLayout.JSON_SUFFIX);
    try {
      if (repository.fileSystem().exists(file)) {
        return;
      }
      ObjectNode root = Json.object();
      root.put("format", FORMAT);
      root.put("version", VERSION);
      root.put("pack", pack.toHex());
      if (chunk == null) {
        root.putNull("chunk");
      } else {
        root.put("chunk", chunk.toHex());
      }
      root.put("reason", reason);
      root.put("detected", Instant.now().toString());
      FileSystems.mkdirsOwnerOnly(repository.fileSystem(), directory(repository));
      FileSystems.writeAtomically(repository.fileSystem(), file, Json.toBytes(root), repository.layout().tmpDir());
      LOG.warn("Recorded pack {} as damaged ({}): later backups store its chunks again", pack, reason);
    } catch (FileAlreadyExistsException e) {
      // Another task recorded it first.
    } catch (IOException | RuntimeException e) {
      LOG.warn("Could not record pack {} as damaged in {}: {}", pack, file, e.getMessage());
    }
  }

  /** What a damage record says: the blob's chunk (null for the header or trailer) and why. */
  public record Record(PackId pack, ContentId chunk, String reason, String detected) {
  }

  /** Damage records are a few hundred bytes; one larger than this is not read. */
  private static final int MAX_RECORD_BYTES = 64 * 1024;

  /**
   * What the damage record of {@code pack} says (for verify, which reports it), or null when it
   * has none. A record that cannot be read still names its pack as damaged: its existence is
   * what counts (FORMAT.md 12b).
   */
  public static Record read(Repository repository, PackId pack) throws IOException {
    Path file = new Path(directory(repository), pack.toHex() + RepositoryLayout.JSON_SUFFIX);
    try (java.io.InputStream in = com.google.common.io.ByteStreams.limit(
        org.hbackup.common.io.RegularFiles.open(repository.fileSystem(), file), MAX_RECORD_BYTES)) {
      com.fasterxml.jackson.databind.JsonNode root = Json.parse(in, file.toString());
      Json.checkFormat(root, FORMAT, file.toString(), 1, VERSION);
      String chunk = root.path("chunk").isTextual() ? root.get("chunk").asText() : null;
      return new Record(pack, chunk == null ? null : ContentId.parse(chunk), root.path("reason").asText(""),
          root.path("detected").asText(""));
    } catch (FileNotFoundException e) {
      return null; // removed since it was listed (by prune, with its pack)
    } catch (IOException | IllegalArgumentException e) {
      if (e instanceof IOException && !(e instanceof org.hbackup.common.DamageException)
          && !org.hbackup.common.io.ReadFailures.isDamage((IOException) e)) {
        throw (IOException) e; // this run's failure, not the record's
      }
      return new Record(pack, null, "a damage record that cannot be read (" + e.getMessage() + ")", "");
    }
  }

  /** The packs recorded as damaged. */
  public static Set<PackId> load(Repository repository) throws IOException {
    Set<PackId> packs = new HashSet<>();
    FileStatus[] files;
    try {
      files = repository.fileSystem().listStatus(directory(repository));
    } catch (FileNotFoundException e) {
      return packs;
    }
    for (FileStatus f : files) {
      String name = f.getPath().getName();
      if (name.endsWith(RepositoryLayout.JSON_SUFFIX)) {
        try {
          packs.add(PackId.parse(name.substring(0, name.length() - RepositoryLayout.JSON_SUFFIX.length())));
        } catch (IllegalArgumentException e) {
          LOG.debug("Ignoring {} in {}", name, directory(repository));
        }
      }
    }
    return packs;
  }
}
