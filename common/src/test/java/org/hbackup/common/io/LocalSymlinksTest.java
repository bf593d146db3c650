package org.hbackup.common.io;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.io.IOException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class LocalSymlinksTest {
  @TempDir
  Path dir;

  /** readSymbolicLink gives the link's bytes as they are, so it checks what was written. */
  @Test
  void writesEveryTargetAsItsExactText() throws IOException {
    String[] targets = {"plain", "a//b", "dir/", "./x", "x/./y", "../x/../y", "/abs//path/", "//net/x",
        "a:b", "-dash", "a b", "\u00e9t\u00e9", "x".repeat(4000)};
    for (int i = 0; i < targets.length; i++) {
      Path link = dir.resolve("l" + i);
      LocalSymlinks.create(link, targets[i]);
      assertEquals(targets[i], Files.readSymbolicLink(link).toString(), "l" + i);
    }
  }

  @Test
  void refusesWhatNoLinkCanHoldAndNeverReplaces() throws IOException {
    assertThrows(IOException.class, () -> LocalSymlinks.create(dir.resolve("nul"), "a\u0000b"));
    assertThrows(IOException.class, () -> LocalSymlinks.create(dir.resolve("empty"), ""));
    assertFalse(Files.exists(dir.resolve("nul"), LinkOption.NOFOLLOW_LINKS));
    assertFalse(Files.exists(dir.resolve("empty"), LinkOption.NOFOLLOW_LINKS));
    Files.writeString(dir.resolve("there"), "kept");
    assertThrows(FileAlreadyExistsException.class, () -> LocalSymlinks.create(dir.resolve("there"), "x"));
    assertThrows(IOException.class, () -> LocalSymlinks.create(dir.resolve("there"), "x//y"));
    assertEquals("kept", Files.readString(dir.resolve("there")));
    Files.createDirectory(dir.resolve("a-directory"));
    assertThrows(IOException.class, () -> LocalSymlinks.create(dir.resolve("a-directory"), "x//y"));
    assertEquals(0, Files.list(dir.resolve("a-directory")).count(), "nothing made inside it");
  }
}
