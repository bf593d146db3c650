package org.hbackup.common.id;

import java.security.SecureRandom;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A recovery point's ID: {@code yyyyMMdd'T'HHmmssSSS'Z'-xxxxxxxx}, the UTC creation time to the
 * millisecond and 32 random bits. IDs sort by creation time as plain strings, which is what
 * {@code list} and "latest" rely on; the random part keeps two backups started in the same
 * millisecond apart.
 */
public final class PointId implements Comparable<PointId> {
  private static final Pattern FORM = Pattern.compile("(\\d{8}T\\d{9}Z)-([0-9a-f]{8})");
  private static final DateTimeFormatter TIME =
      DateTimeFormatter.ofPattern("uuuuMMdd'T'HHmmssSSS'Z'", Locale.ROOT).withZone(ZoneOffset.UTC)
          .withResolverStyle(java.time.format.ResolverStyle.STRICT);
  private static final SecureRandom RANDOM = new SecureRandom();

  private final String text;
  private final Instant created;

  private PointId(String text, Instant created) {
    this.text = text;
    this.created = created;
  }

  public static PointId create(Instant now) {
    Instant millis = Instant.ofEpochMilli(now.toEpochMilli());
    String suffix = String.format(Locale.ROOT, "%08x", RANDOM.nextInt());
    return new PointId(TIME.format(millis) + "-" + suffix, millis);
  }

  public static PointId parse(String text) {
    Matcher m = FORM.matcher(text == null ? "" : text);
    if (!m.matches()) {
      throw new IllegalArgumentException("not a point id (like 20261124T035118123Z-0a1b2c3d): " + text);
    }
    try {
      return new PointId(text, Instant.from(TIME.parse(m.group(1))));
    } catch (DateTimeParseException e) {
      throw new IllegalArgumentException("not a point id: " + text, e);
    }
  }

  /**
   * Whether {@code text} is a point id: of its form, and a time that exists. A name of the form
   * alone (month 13, second 99) was taken by every reader listing points/ and then refused by the
   * parse, so one stray file stopped every command (found by a probe); FORMAT.md has readers pass
   * over names that are not point ids.
   */
  public static boolean isPointId(String text) {
    if (text == null) {
      return false;
    }
    Matcher m = FORM.matcher(text);
    if (!m.matches()) {
      return false;
    }
    try {
      TIME.parse(m.group(1));
      return true;
    } catch (DateTimeParseException e) {
      return false;
    }
  }

  public Instant created() {
    return created;
  }

  @Override
  public int compareTo(PointId o) {
    return text.compareTo(o.text);
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof PointId && text.equals(((PointId) o).text);
  }

  @Override
  public int hashCode() {
    return text.hashCode();
  }

  @Override
  public String toString() {
    return text;
  }
}
