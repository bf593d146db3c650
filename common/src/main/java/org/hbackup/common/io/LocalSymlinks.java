package org.hbackup.common.io;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.nio.file.Paths;

import org.apache.hadoop.util.Shell;
import org.hbackup.common.Printable;

/**
 * Creates local symlinks whose target is exactly the text a point recorded. The JDK cannot always
 * do that: a {@link Path} made from a string drops repeated and trailing slashes ({@code a//b},
 * {@code dir/}), and a link to {@code dir/} is not a link to {@code dir} (it resolves only to a
 * directory). For those few targets {@code ln -s} (through Hadoop's {@link Shell}, as
 * {@code FileUtil.symLink} does) writes the text as given; every other link is made in process.
 */
public final class LocalSymlinks {
  private LocalSymlinks() {
  }

  /** Creates {@code link} pointing at {@code target}; fails if anything is at {@code link}. */
  public static void create(Path link, String target) throws IOException {
    Path asPath;
    try {
      asPath = Paths.get(target);
    } catch (InvalidPathException e) {
      throw new IOException("symlink target '" + Printable.escape(target) + "' cannot be created: "
          + e.getMessage(), e);
    }
    if (target.isEmpty()) {
      throw new IOException("an empty symlink target cannot be created");
    }
    if (asPath.toString().equals(target)) {
      Files.createSymbolicLink(link, asPath);
      return;
    }
    // "--": a target may begin with '-'. "-T": were a directory at the link's name, ln would
    // otherwise make the link inside it.
    Shell.execCommand("ln", "-s", "-T", "--", target, link.toString());
    String written = Files.readSymbolicLink(link).toString();
    if (!written.equals(target)) {
      Files.deleteIfExists(link);
      throw new IOException("symlink target '" + Printable.escape(target) + "' was written as '"
          + Printable.escape(written) + "'");
    }
  }
}
