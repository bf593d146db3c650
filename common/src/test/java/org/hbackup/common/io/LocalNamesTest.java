package org.hbackup.common.io;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.net.URI;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.TreeMap;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class LocalNamesTest {
  @TempDir
  Path dir;

  @Test
  void aNameThatDecodesWhole_evenOneHoldingUFFFD_namesItsFileAndOneThatDoesNotIsReportedByItsBytes()
      throws IOException {
    Files.createFile(dir.resolve("plain"));
    Files.createFile(dir.resolve("café"));
    Files.createFile(dir.resolve("real\uFFFDchar"));
    Files.createFile(Paths.get(URI.create(dir.toUri() + "latin%E9-%FF")));
    Files.createDirectory(Paths.get(URI.create(dir.toUri() + "dir%C3")));
    TreeMap<String, Boolean> names = new TreeMap<>();
    try (DirectoryStream<Path> stream = Files.newDirectoryStream(dir)) {
      for (Path child : stream) {
        String name = child.getFileName().toString();
        boolean recordable = LocalNames.names(dir, name, child);
        names.put(LocalNames.forReport(child), recordable);
      }
    }
    assertEquals(Boolean.TRUE, names.get("plain"), names.toString());
    assertEquals(Boolean.TRUE, names.get("café"), names.toString());
    assertEquals(Boolean.TRUE, names.get("real\uFFFDchar"), names.toString());
    assertEquals(Boolean.FALSE, names.get("latin\\xE9-\\xFF"), names.toString());
    assertEquals(Boolean.FALSE, names.get("dir\\xC3"), "a directory's trailing slash is not its name: " + names);
    assertEquals(5, names.size(), names.toString());
  }

  @Test
  void aSymlinkTargetIsTheSameOnlyWhenItDecodesWhole() throws IOException {
    Path good = Paths.get("../a/b\uFFFD");
    assertTrue(LocalNames.isTarget(good.toString(), good));
    assertTrue(LocalNames.isTarget("x/y", Paths.get("x/y")));
    Path link = Files.createSymbolicLink(dir.resolve("link"), Paths.get(URI.create("file:///nowhere/x%FE")));
    Path target = Files.readSymbolicLink(link);
    assertFalse(LocalNames.isTarget(target.toString(), target));
  }

  @Test
  void theReasonSaysWhatToDoWhenTheLocaleIsNotUtf8() {
    String reason = LocalNames.whyNotRecordable("its name");
    assertTrue(reason.startsWith("its name is not valid " + System.getProperty("sun.jnu.encoding")), reason);
  }

  /** Found by a probe: 2,042 chars and 4,122 bytes passed the quick check, and the backup failed whole. */
  @Test
  void aPathOfFewCharsButTooManyBytesIsTooLong() {
    Path parent = Paths.get("/" + "\u00e9".repeat(2040));
    String why = LocalNames.pathTooLong(parent, "abcdefghijklmnopqrstu");
    assertTrue(why != null && why.contains("4103 bytes"), String.valueOf(why));
    assertEquals(null, LocalNames.pathTooLong(Paths.get("/" + "e".repeat(2040)), "abcdefghijklmnopqrstu"));
  }
}
