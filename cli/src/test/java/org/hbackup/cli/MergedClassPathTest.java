package org.hbackup.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.jar.Attributes;
import java.util.jar.JarEntry;
import java.util.jar.JarFile;
import java.util.jar.JarOutputStream;
import java.util.jar.Manifest;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The merged jar finds what the class path of its jars found, name by name. */
class MergedClassPathTest {
  @TempDir
  Path dir;

  @Test
  void findsWhatTheClassPathFoundNameByName() throws Exception {
    // A is not multi-release: its versioned entry is not seen on a class path. B is.
    Path a = jar("a.jar", false, Map.of(
        "p/X.class", "A", "META-INF/versions/11/p/Y.class", "A11",
        "META-INF/services/s.T", "impl.A\n", "META-INF/A.SF", "signature", "module-info.class", "module",
        "shared.xml", "from A"));
    Path b = jar("b.jar", true, Map.of(
        "p/X.class", "B", "META-INF/versions/11/p/X.class", "B11",
        "p/Z.class", "B", "META-INF/versions/11/p/Z.class", "B11",
        "META-INF/versions/11/p/Y.class", "B11", "META-INF/services/s.T", "impl.B",
        "shared.xml", "from B", "only-b.txt", "b", "META-INF/versions/99/p/W.class", "B99"));
    // C's plain W: on this Java, B's W (for Java 99 only) is not seen, so the class path finds C's.
    Path c = jar("c.jar", false, Map.of("p/W.class", "C"));
    Path merged = dir.resolve("merged.jar");
    MergedClassPath.merge(List.of(a, b, c), merged);

    String[] names = {"p/X.class", "p/Y.class", "p/Z.class", "p/W.class", "shared.xml", "only-b.txt",
        "p/none.class"};
    try (URLClassLoader separate = loader(a, b, c); URLClassLoader one = loader(merged)) {
      for (String name : names) {
        assertEquals(read(separate.findResource(name)), read(one.findResource(name)), name);
      }
      assertEquals("A", read(one.findResource("p/X.class")), "the first jar wins, even over a later versioned entry");
      assertEquals("B11", read(one.findResource("p/Z.class")));
      assertEquals("B11", read(one.findResource("p/Y.class")),
          "a versioned entry of a jar that is not multi-release is not");
      assertEquals("C", read(one.findResource("p/W.class")),
          "a versioned entry alone does not take a later plain one");
      assertNull(one.findResource("META-INF/A.SF"), "signatures are left out");
      assertNull(one.findResource("module-info.class"), "and module descriptors");
      assertEquals(lines(separate, "META-INF/services/s.T"), lines(one, "META-INF/services/s.T"));
      assertEquals(List.of("impl.A", "impl.B"), lines(one, "META-INF/services/s.T"));
    }
    try (JarFile jar = new JarFile(merged.toFile())) {
      assertEquals("true", jar.getManifest().getMainAttributes().getValue("Multi-Release"));
      assertEquals(JarEntry.STORED, jar.getJarEntry("p/X.class").getMethod(), "read, never shipped: stored");
    }
  }

  /**
   * Readable by whoever may read the jars it merges: a checkout built by one user and run by
   * others (bin/hbackup uses the merged jar whenever it is there) must not get an owner-only file.
   */
  @Test
  void isAsReadableAsTheJobJar() throws Exception {
    org.junit.jupiter.api.Assumptions.assumeTrue(
        java.nio.file.FileSystems.getDefault().supportedFileAttributeViews().contains("posix"));
    Path a = jar("readable.jar", false, Map.of("p/A.class", "A"));
    java.util.Set<java.nio.file.attribute.PosixFilePermission> readable =
        java.nio.file.attribute.PosixFilePermissions.fromString("rw-r--r--");
    Files.setPosixFilePermissions(a, readable);
    Path merged = dir.resolve("readable-merged.jar");
    MergedClassPath.merge(List.of(a), merged);
    assertEquals(readable, Files.getPosixFilePermissions(merged));
  }

  private Path jar(String name, boolean multiRelease, Map<String, String> entries) throws IOException {
    Manifest manifest = new Manifest();
    manifest.getMainAttributes().put(Attributes.Name.MANIFEST_VERSION, "1.0");
    if (multiRelease) {
      manifest.getMainAttributes().put(new Attributes.Name("Multi-Release"), "true");
    }
    Path path = dir.resolve(name);
    try (OutputStream file = Files.newOutputStream(path); JarOutputStream out = new JarOutputStream(file, manifest)) {
      for (Map.Entry<String, String> e : new java.util.TreeMap<>(entries).entrySet()) {
        out.putNextEntry(new JarEntry(e.getKey()));
        out.write(e.getValue().getBytes(StandardCharsets.UTF_8));
        out.closeEntry();
      }
    }
    return path;
  }

  private static URLClassLoader loader(Path... jars) throws IOException {
    URL[] urls = new URL[jars.length];
    for (int i = 0; i < jars.length; i++) {
      urls[i] = jars[i].toUri().toURL();
    }
    return new URLClassLoader(urls, null);
  }

  private static String read(URL url) throws IOException {
    if (url == null) {
      return null;
    }
    java.net.URLConnection connection = url.openConnection();
    connection.setUseCaches(false);
    try (InputStream in = connection.getInputStream()) {
      return new String(in.readAllBytes(), StandardCharsets.UTF_8);
    }
  }

  /** The registrations a ServiceLoader would read: every copy's non-empty lines, in order. */
  private static List<String> lines(URLClassLoader loader, String name) throws IOException {
    List<String> lines = new ArrayList<>();
    for (URL url : Collections.list(loader.findResources(name))) {
      for (String line : read(url).split("\n")) {
        if (!line.isBlank()) {
          lines.add(line.trim());
        }
      }
    }
    return lines;
  }
}
