package org.hbackup.common;

/**
 * Names from a source or a repository as a terminal line may show them. A path may hold any
 * character but {@code /} and NUL, so a file named {@code "a\n2026... file  x"} would print as two
 * entries of a listing, and bidirectional controls can make one name read as another. Text output
 * escapes such characters as GNU {@code ls -b} does; JSON output needs no escaping of its own
 * (Jackson escapes control characters).
 */
public final class Printable {
  private Printable() {
  }

  /**
   * {@code text} with a backslash before itself, C escapes for tab, newline and carriage return,
   * {@code \xNN} for other control characters and {@code \}{@code uNNNN} for line separators and
   * bidirectional controls; other characters unchanged.
   */
  public static String escape(String text) {
    if (text == null) {
      return null;
    }
    int i = 0;
    while (i < text.length() && !needsEscape(text.charAt(i))) {
      i++;
    }
    if (i == text.length()) {
      return text;
    }
    StringBuilder out = new StringBuilder(text.length() + 16).append(text, 0, i);
    for (; i < text.length(); i++) {
      char c = text.charAt(i);
      if (!needsEscape(c)) {
        out.append(c);
      } else if (c == '\\') {
        out.append("\\\\");
      } else if (c == '\n') {
        out.append("\\n");
      } else if (c == '\t') {
        out.append("\\t");
      } else if (c == '\r') {
        out.append("\\r");
      } else if (c < 0x100) {
        out.append(String.format("\\x%02x", (int) c));
      } else {
        out.append(String.format("\\u%04x", (int) c));
      }
    }
    return out.toString();
  }

  private static boolean needsEscape(char c) {
    return c < 0x20 || c == '\\' || (c >= 0x7f && c <= 0x9f)
        || c == '\u2028' || c == '\u2029' || (c >= '\u202a' && c <= '\u202e') || (c >= '\u2066' && c <= '\u2069')
        || c == '\u200e' || c == '\u200f' || c == '\u061c';
  }
}
