package org.hbackup.common.io;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;

/**
 * Whether a local file name (or symlink target) can be recorded. A local name is bytes; Java
 * decodes it with the JVM's file name encoding ({@code sun.jnu.encoding}, from the locale), and
 * bytes that encoding cannot decode become U+FFFD: the string names no file, and a point holding
 * it would restore the entry under another name. Under {@code LANG=C} every name that is not
 * ASCII is such a name; under UTF-8, names in Latin-1 and other legacy encodings are. Such an
 * entry is reported and left out, never silently dropped (FORMAT.md, "Manifest segments": paths
 * are UTF-8). Written here because neither the JDK nor Hadoop says whether a decoded name lost
 * bytes, nor gives a name's bytes except through {@link Path#toUri()}.
 */
public final class LocalNames {
  private static final char LOST = '\uFFFD';
  /**
   * Linux's limit on a path given to a system call, its terminating NUL included ({@code
   * PATH_MAX}). A longer path can exist (its parent renamed deeper), but no call takes it whole,
   * and the JDK calls with whole paths.
   */
  public static final int PATH_MAX = 4096;
  /** The encoding the JDK gives names to the kernel in. */
  private static final java.nio.charset.Charset NAMES = fileNameEncoding();

  private LocalNames() {
  }

  /** Whether {@code name}, the decoded name of {@code child} in {@code dir}, names it. */
  public static boolean names(Path dir, String name, Path child) {
    if (name.indexOf(LOST) < 0) {
      return true;
    }
    // A name may hold U+FFFD itself: it is recordable when it encodes back to the same bytes.
    try {
      return dir.resolve(name).equals(child);
    } catch (InvalidPathException e) {
      return false;
    }
  }

  /** Whether {@code text}, the decoded form of the symlink target {@code target}, is the same target. */
  public static boolean isTarget(String text, Path target) {
    if (text.indexOf(LOST) < 0) {
      return true;
    }
    try {
      // Path creation drops repeated and trailing slashes: such a target is reported, never lost.
      return target.getFileSystem().getPath(text).equals(target);
    } catch (InvalidPathException e) {
      return false;
    }
  }

  /**
   * The last component of {@code path} for a report: its bytes as UTF-8 where they are, each byte
   * that is not as {@code \xNN}.
   */
  public static String forReport(Path path) {
    String raw = path.toUri().getRawPath();
    if (raw.endsWith("/") && raw.length() > 1) {
      raw = raw.substring(0, raw.length() - 1); // toUri marks a directory with a trailing slash
    }
    byte[] bytes = percentDecoded(raw.substring(raw.lastIndexOf('/') + 1));
    StringBuilder out = new StringBuilder();
    int i = 0;
    while (i < bytes.length) {
      int length = sequenceLength(bytes, i);
      if (length > 0) {
        out.append(new String(bytes, i, length, StandardCharsets.UTF_8));
        i += length;
      } else {
        out.append(String.format("\\x%02X", bytes[i] & 0xff));
        i++;
      }
    }
    return out.toString();
  }

  /**
   * Why the entry {@code name} of the directory {@code dir} cannot be looked at by its path (the
   * path is {@link #PATH_MAX} bytes or longer), or null when it can. A backup failed whole on the
   * first such entry (exit 1); it is now reported and left out, with what lies under it.
   */
  public static String pathTooLong(Path dir, String name) {
    // No encoding the JDK uses for names takes more than 3 bytes per char, in the directory's part
    // too: counting its chars as bytes let a path of 2,042 chars and 4,122 bytes through, and the
    // backup then failed whole on it (exit 1; found by a probe).
    if (3L * (dir.toString().length() + 1 + name.length()) < PATH_MAX) {
      return null;
    }
    int bytes = dir.toString().getBytes(NAMES).length + 1 + name.getBytes(NAMES).length;
    return bytes < PATH_MAX ? null : "its path is " + bytes + " bytes long, and a path here may have at most "
        + (PATH_MAX - 1);
  }

  private static java.nio.charset.Charset fileNameEncoding() {
    try {
      return java.nio.charset.Charset.forName(System.getProperty("sun.jnu.encoding", "UTF-8"));
    } catch (IllegalArgumentException e) {
      return StandardCharsets.UTF_8;
    }
  }

  /** Why such an entry is left out, for the report. */
  public static String whyNotRecordable(String what) {
    String encoding = System.getProperty("sun.jnu.encoding", "unknown");
    boolean utf8 = "UTF-8".equalsIgnoreCase(encoding) || "UTF8".equalsIgnoreCase(encoding);
    return what + " is not valid " + encoding + ", the file name encoding of this JVM's locale"
        + (utf8 ? "" : " (run hbackup with a UTF-8 locale, e.g. LC_ALL=C.UTF-8)");
  }

  private static byte[] percentDecoded(String raw) {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream(raw.length());
    for (int i = 0; i < raw.length(); i++) {
      char c = raw.charAt(i);
      if (c == '%' && i + 2 < raw.length()) {
        bytes.write(Integer.parseInt(raw.substring(i + 1, i + 3), 16));
        i += 2;
      } else {
        bytes.write(c);
      }
    }
    return bytes.toByteArray();
  }

  /** The length of the valid UTF-8 sequence at {@code at}, or 0 when the byte there starts none. */
  private static int sequenceLength(byte[] bytes, int at) {
    for (int length = 1; length <= 4 && at + length <= bytes.length; length++) {
      try {
        StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
            .onUnmappableCharacter(CodingErrorAction.REPORT).decode(ByteBuffer.wrap(bytes, at, length));
        return length;
      } catch (CharacterCodingException e) {
        // Not (yet) a whole sequence.
      }
    }
    return 0;
  }
}
