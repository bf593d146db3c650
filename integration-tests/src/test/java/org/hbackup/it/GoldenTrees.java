package org.hbackup.it;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;

/** The small source tree that the golden repositories (common/src/test/resources/golden/) are made from. */
final class GoldenTrees {
  /** Every entry's modification time: 2024-02-29T12:00:00Z. */
  static final FileTime TIME = FileTime.fromMillis(1_709_208_000_000L);

  private GoldenTrees() {
  }

  /**
   * The folder a golden repository is to be written to, from this system property; the calling
   * test is skipped when the property is not set (golden repositories are written once per
   * format version, by hand).
   */
  static Path requestedOutput(String property) {
    String out = System.getProperty(property);
    org.junit.jupiter.api.Assumptions.assumeTrue(out != null, "only when -D" + property + " is set");
    return Path.of(out);
  }

  /** Writes {@code hello.txt} (this text), {@code dir/data.bin} (300,000 bytes of this seed) and {@code empty}. */
  static void write(Path tree, String hello, long seed) throws IOException {
    Files.createDirectories(tree.resolve("dir"));
    Files.writeString(tree.resolve("hello.txt"), hello);
    Files.write(tree.resolve("dir/data.bin"), ChangeChain.random(seed, 300_000));
    Files.write(tree.resolve("empty"), new byte[0]);
    for (String p : new String[] {"hello.txt", "dir/data.bin", "empty", "dir"}) {
      Files.setLastModifiedTime(tree.resolve(p), TIME);
    }
  }

  /** Adds {@code dir/<name>} of this many bytes of this seed, keeping the golden times. */
  static void add(Path tree, String name, long seed, int length) throws IOException {
    Files.write(tree.resolve("dir").resolve(name), ChangeChain.random(seed, length));
    Files.setLastModifiedTime(tree.resolve("dir").resolve(name), TIME);
    Files.setLastModifiedTime(tree.resolve("dir"), TIME);
  }
}
