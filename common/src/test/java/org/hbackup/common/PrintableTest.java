package org.hbackup.common;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;

import org.junit.jupiter.api.Test;

class PrintableTest {
  @Test
  void leavesOrdinaryNamesAlone() {
    String name = "dir/fïle name-ü.txt";
    assertSame(name, Printable.escape(name));
  }

  @Test
  void aNameCannotPrintAsTwoLinesOrReadBackwards() {
    assertEquals("a\\n2026 fake entry", Printable.escape("a\n2026 fake entry"));
    assertEquals("a\\rb\\tc\\x1b[31m\\x7f\\x85", Printable.escape("a\rb\tc\u001b[31m\u007f\u0085"));
    assertEquals("evil\\u202etxt.exe", Printable.escape("evil\u202etxt.exe"));
    assertEquals("a\\u2028b", Printable.escape("a\u2028b"));
  }

  @Test
  void aBackslashIsDoubledSoThatEscapesAreUnambiguous() {
    assertEquals("a\\\\nb", Printable.escape("a\\nb"));
  }
}
