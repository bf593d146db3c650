package org.hbackup.common.manifest;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Random;

import org.junit.jupiter.api.Test;

class RelativePathsTest {
  /** Characters whose UTF-8 order differs from Java's char order, or that UTF-8 cannot encode. */
  private static final String[] PIECES = {"a", "b", "/", "0", ".", "é", "ÿ", "\u0100", "\u07ff", "\u0800",
      "\ud7ff", "\ue000", "\uffff", "\ufffd", "\ud83d\ude00", "\ud83d\ude01", "\udbff\udfff", "\ud800\udc00",
      "\ud83d", "\ude00", "?", "~"};

  private static int utf8Order(String a, String b) {
    return Integer.signum(Arrays.compareUnsigned(a.getBytes(StandardCharsets.UTF_8), b.getBytes(StandardCharsets.UTF_8)));
  }

  private static String randomPath(Random random) {
    StringBuilder s = new StringBuilder();
    int pieces = random.nextInt(6);
    for (int i = 0; i < pieces; i++) {
      s.append(PIECES[random.nextInt(PIECES.length)]);
    }
    return s.toString();
  }

  /**
   * The comparison that does not encode agrees with the order of the UTF-8 bytes on every pair:
   * pairs and supplementary characters (which sort after U+E000..U+FFFF in UTF-8 but before them
   * as chars), unpaired surrogates (encoded as '?'), prefixes of each other, equal paths.
   */
  @Test
  void ordersAsUtf8BytesDo() {
    Random random = new Random(17);
    for (int n = 0; n < 200_000; n++) {
      String a = randomPath(random);
      String b = random.nextInt(4) == 0 ? a + randomPath(random) : randomPath(random);
      assertEquals(utf8Order(a, b), RelativePaths.compare(a, b), () -> escape(a) + " vs " + escape(b));
      assertEquals(utf8Order(b, a), RelativePaths.compare(b, a), () -> escape(b) + " vs " + escape(a));
    }
  }

  @Test
  void supplementaryCharactersSortAfterTheLastBmpCharacters() {
    assertEquals(1, RelativePaths.compare("\ud83d\ude00", "\uffff"));
    assertEquals(-1, RelativePaths.compare("a/b", "a0"));
    assertEquals(-1, RelativePaths.compare("a", "a/b"));
    assertEquals(0, RelativePaths.compare("d/é", "d/é"));
  }

  private static String escape(String s) {
    StringBuilder out = new StringBuilder();
    s.chars().forEach(c -> out.append(c < 128 ? String.valueOf((char) c) : String.format("\\u%04x", c)));
    return out.toString();
  }
}
