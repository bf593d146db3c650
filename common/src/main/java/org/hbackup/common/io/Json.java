package org.hbackup.common.io;

import java.io.IOException;
import java.io.InputStream;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.hbackup.common.FormatException;

/**
 * Jackson, as Hadoop already ships it, for the small JSON format files and the {@code --json}
 * reports. Only the tree model is used, which has been stable across every Jackson 2.x that
 * Hadoop 3.4 and 3.5 bring.
 */
public final class Json {
  private static final ObjectMapper MAPPER = new ObjectMapper()
      .enable(SerializationFeature.INDENT_OUTPUT);
  private static final ObjectMapper COMPACT = new ObjectMapper();
  /**
   * Pretty printing with "\n" line ends on every platform (Jackson's default takes the system's):
   * content-addressed files (manifest lists) must have the same bytes wherever they are written.
   */
  private static final com.fasterxml.jackson.databind.ObjectWriter PRETTY = MAPPER.writer(
      new com.fasterxml.jackson.core.util.DefaultPrettyPrinter().withObjectIndenter(
          new com.fasterxml.jackson.core.util.DefaultIndenter("  ", "\n")));

  private Json() {
  }

  public static ObjectNode object() {
    return MAPPER.createObjectNode();
  }

  public static byte[] toBytes(JsonNode node) throws IOException {
    return PRETTY.writeValueAsBytes(node);
  }

  public static String toPrettyString(JsonNode node) throws IOException {
    return PRETTY.writeValueAsString(node);
  }

  public static String toCompactString(JsonNode node) throws IOException {
    return COMPACT.writeValueAsString(node);
  }

  /** How deep a format file may nest; hbackup writes at most four levels. */
  static final int MAX_DEPTH = 64;

  /** The longest number a format file may hold: a long takes 20 characters, a double about 25. */
  static final int MAX_NUMBER_CHARS = 64;
  /** Values and names a small format file (config, lock, damage record) may hold; they hold dozens. */
  static final long SMALL_FILE_TOKENS = 100_000;
  /**
   * Bytes per token a larger file must spend at least: a manifest list's segment row is 14 tokens
   * in 122 bytes at the least (compact, empty paths; hbackup's pretty ones take 200 or more),
   * while {@code {},{},...} spends 1.5 and built a tree of about 50 bytes of heap per byte of
   * file. Capped, such a tree takes at most about as much heap per byte as a real list's.
   */
  static final int MIN_BYTES_PER_TOKEN = 6;

  /** Parses a small format file: at most {@link #SMALL_FILE_TOKENS} tokens. */
  public static ObjectNode parse(InputStream in, String file) throws IOException {
    return parse(in, file, SMALL_FILE_TOKENS);
  }

  /**
   * Parses a format file read whole: its tree may take as many tokens as its length allows (see
   * {@link #MIN_BYTES_PER_TOKEN}), so that its heap grows with its length, never faster.
   */
  public static ObjectNode parse(byte[] bytes, String file) throws IOException {
    return parse(new java.io.ByteArrayInputStream(bytes), file, 4096 + bytes.length / MIN_BYTES_PER_TOKEN);
  }

  private static ObjectNode parse(InputStream in, String file, long maxTokens) throws IOException {
    JsonNode node;
    try (com.fasterxml.jackson.core.JsonParser parser = new DepthLimited(MAPPER.getFactory().createParser(in),
        maxTokens)) {
      node = MAPPER.readTree(parser);
    } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
      throw new FormatException(file, "not valid JSON: " + e.getOriginalMessage(), e);
    }
    if (node == null || !node.isObject()) {
      throw new FormatException(file, "expected a JSON object");
    }
    return (ObjectNode) node;
  }

  /**
   * Refuses, as it reads, more tokens than the file's budget, numbers longer than
   * {@link #MAX_NUMBER_CHARS}, and nesting deeper than {@link #MAX_DEPTH}: the Jackson that Hadoop ships
   * (2.12) builds trees recursively with no limit, and a file of a few hundred kilobytes of
   * brackets would end the JVM's stack (a StackOverflowError no caller expects) instead of being
   * refused as damage. Written here because that Jackson has no such setting.
   */
  private static final class DepthLimited extends com.fasterxml.jackson.core.util.JsonParserDelegate {
    private final long maxTokens;
    private long tokens;

    DepthLimited(com.fasterxml.jackson.core.JsonParser parser, long maxTokens) {
      super(parser);
      this.maxTokens = maxTokens;
    }

    @Override
    public com.fasterxml.jackson.core.JsonToken nextToken() throws IOException {
      com.fasterxml.jackson.core.JsonToken t = super.nextToken();
      if (++tokens > maxTokens) {
        throw new com.fasterxml.jackson.core.JsonParseException(this, "more than " + maxTokens
            + " values and names for its length");
      }
      // That Jackson reads every integer literal as a BigInteger, in time quadratic in its
      // length: a million digits took half a minute. The length is known before the value.
      if ((t == com.fasterxml.jackson.core.JsonToken.VALUE_NUMBER_INT
          || t == com.fasterxml.jackson.core.JsonToken.VALUE_NUMBER_FLOAT) && getTextLength() > MAX_NUMBER_CHARS) {
        throw new com.fasterxml.jackson.core.JsonParseException(this, "a number of more than " + MAX_NUMBER_CHARS
            + " characters");
      }
      if (t == com.fasterxml.jackson.core.JsonToken.START_OBJECT || t == com.fasterxml.jackson.core.JsonToken.START_ARRAY) {
        int depth = 0;
        for (com.fasterxml.jackson.core.JsonStreamContext c = getParsingContext(); c != null && depth <= MAX_DEPTH + 1;
            c = c.getParent()) {
          depth++;
        }
        if (depth > MAX_DEPTH + 1) {
          throw new com.fasterxml.jackson.core.JsonParseException(this, "nested deeper than " + MAX_DEPTH + " levels");
        }
      }
      return t;
    }
  }

  public static String requireText(JsonNode node, String field, String file) throws FormatException {
    JsonNode v = node.get(field);
    if (v == null || !v.isTextual()) {
      throw new FormatException(file, "field '" + field + "' is missing or not a string");
    }
    return v.asText();
  }

  public static long requireLong(JsonNode node, String field, String file) throws FormatException {
    JsonNode v = node.get(field);
    if (v == null || !v.canConvertToLong() || !v.isIntegralNumber()) {
      throw new FormatException(file, "field '" + field + "' is missing or not an integer");
    }
    return v.asLong();
  }

  /**
   * An integer field that must fit in an int: a value outside it is refused, never cast, so that
   * {@code 4294967302} is not read as {@code 6}.
   */
  public static int requireInt(JsonNode node, String field, String file) throws FormatException {
    long v = requireLong(node, field, file);
    if (v < Integer.MIN_VALUE || v > Integer.MAX_VALUE) {
      throw new FormatException(file, "field '" + field + "' is out of range: " + v);
    }
    return (int) v;
  }

  /** Checks the {@code format} and {@code version} fields every JSON format file carries. */
  public static int checkFormat(JsonNode node, String format, String file, int min, int max)
      throws IOException {
    String actual = requireText(node, "format", file);
    if (!format.equals(actual)) {
      throw new FormatException(file, "expected format '" + format + "', found '" + actual + "'");
    }
    int version = requireInt(node, "version", file);
    FormatChecks.checkVersion(file, format, version, min, max);
    return version;
  }
}
