package org.hbackup.common.io;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.google.common.hash.Hashing;
import org.hbackup.common.FormatException;

/**
 * A JSON file that carries its own SHA-256, so that any flipped byte is found even where the
 * JSON still parses (a digit of a count, a letter of a date): the last field, {@code digest}, is
 * the SHA-256 (64 lower-case hex digits) of the file's bytes with that field's value written as 64
 * '0' characters (FORMAT.md, "Conventions"). Checking needs no canonical JSON: the reader replaces
 * the last occurrence of the digest's 64 characters in the file with zeros and hashes the result.
 */
public final class JsonDigest {
  public static final String FIELD = "digest";
  private static final int HEX_LENGTH = 64;
  private static final byte[] ZEROS = "0".repeat(HEX_LENGTH).getBytes(StandardCharsets.US_ASCII);

  private JsonDigest() {
  }

  /** Serializes {@code root} with its digest as the last field. */
  public static byte[] write(ObjectNode root) throws IOException {
    root.remove(FIELD);
    root.put(FIELD, new String(ZEROS, StandardCharsets.US_ASCII));
    byte[] bytes = Json.toBytes(root);
    int at = lastIndexOf(bytes, ZEROS);
    byte[] digest = Hashing.sha256().hashBytes(bytes).toString().getBytes(StandardCharsets.US_ASCII);
    System.arraycopy(digest, 0, bytes, at, HEX_LENGTH);
    root.put(FIELD, new String(digest, StandardCharsets.US_ASCII));
    return bytes;
  }

  /** Checks the digest of a file whose bytes are {@code bytes} and whose parsed form is {@code root}. */
  public static void check(byte[] bytes, JsonNode root, String file) throws FormatException {
    String digest = Json.requireText(root, FIELD, file);
    byte[] expected = digest.getBytes(StandardCharsets.US_ASCII);
    if (expected.length != HEX_LENGTH || !org.hbackup.common.id.ContentId.isName(digest)) {
      throw new FormatException(file, "field 'digest' is not 64 lower-case hex digits");
    }
    int at = lastIndexOf(bytes, expected);
    if (at < 0) {
      throw new FormatException(file, "the digest does not appear in the file as written");
    }
    byte[] zeroed = bytes.clone();
    System.arraycopy(ZEROS, 0, zeroed, at, HEX_LENGTH);
    String actual = Hashing.sha256().hashBytes(zeroed).toString();
    if (!actual.equals(digest)) {
      throw new FormatException(file, "content does not match its digest (SHA-256 " + actual + ")");
    }
  }

  private static int lastIndexOf(byte[] bytes, byte[] part) {
    for (int i = bytes.length - part.length; i >= 0; i--) {
      if (Arrays.equals(bytes, i, i + part.length, part, 0, part.length)) {
        return i;
      }
    }
    return -1;
  }
}
