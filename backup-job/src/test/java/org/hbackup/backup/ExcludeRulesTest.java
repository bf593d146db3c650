package org.hbackup.backup;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;

import org.apache.hadoop.conf.Configuration;
import org.junit.jupiter.api.Test;

class ExcludeRulesTest {
  @Test
  void aNamePatternMatchesAtAnyDepthAndOnlyTheName() {
    ExcludeRules r = new ExcludeRules(List.of("*.tmp", ".cache"));
    assertTrue(r.excludes("a.tmp"));
    assertTrue(r.excludes("x/y/z.tmp"));
    assertTrue(r.excludes("home/u/.cache"));
    assertFalse(r.excludes("a.tmp.keep"));
    assertFalse(r.excludes("tmp/a.txt"), "a directory named like the suffix is not matched");
    assertFalse(r.excludes(""), "the root is never excluded");
  }

  @Test
  void aPathPatternMatchesComponentByComponentFromTheSourceRoot() {
    ExcludeRules r = new ExcludeRules(List.of("logs/*.gz", "/tmp", "data/2026-??/raw/"));
    assertTrue(r.excludes("logs/a.gz"));
    assertFalse(r.excludes("logs/old/a.gz"), "* does not cross /");
    assertFalse(r.excludes("x/logs/a.gz"), "a path pattern is anchored at the source");
    assertTrue(r.excludes("tmp"));
    assertFalse(r.excludes("a/tmp"));
    assertTrue(r.excludes("data/2026-11/raw"));
    assertFalse(r.excludes("data/2026-11/cooked"));
  }

  @Test
  void doubleStarStandsForAnyNumberOfComponents() {
    ExcludeRules r = new ExcludeRules(List.of("**/cache", "a/**/z.bin"));
    assertTrue(r.excludes("cache"));
    assertTrue(r.excludes("x/y/cache"));
    assertTrue(r.excludes("a/z.bin"));
    assertTrue(r.excludes("a/b/c/z.bin"));
    assertFalse(r.excludes("b/z.bin"));
  }

  @Test
  void bracesAndCommasSurviveTheJobConfiguration() {
    ExcludeRules r = new ExcludeRules(List.of("*.{log,out}", "x/[ab]*"));
    Configuration conf = new Configuration(false);
    r.writeTo(conf);
    ExcludeRules back = ExcludeRules.readFrom(conf);
    assertEquals(r.patterns(), back.patterns());
    assertTrue(back.excludes("d/run.out"));
    assertTrue(back.excludes("x/alpha"));
    assertFalse(back.excludes("x/gamma"));
    assertTrue(ExcludeRules.readFrom(new Configuration(false)).isEmpty());
  }

  @Test
  void refusesEmptyAndMalformedPatterns() {
    assertThrows(IllegalArgumentException.class, () -> new ExcludeRules(List.of(" ")));
    assertThrows(IllegalArgumentException.class, () -> new ExcludeRules(List.of("a//b")));
    assertThrows(IllegalArgumentException.class, () -> new ExcludeRules(List.of("[unclosed")));
  }
}
