package org.hbackup.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.Enumeration;
import java.util.Set;
import java.util.TreeSet;
import java.util.jar.JarFile;
import java.util.zip.ZipEntry;

import org.hbackup.common.HbackupVersion;
import org.junit.jupiter.api.Test;

/**
 * The job jar ({@code hadoop jar hbackup-VERSION.jar}) holds hbackup, Guava relocated under
 * {@code org.hbackup.shaded}, and zstd-jni (whose native code is bound to its package name), and
 * nothing a cluster's classpath already has: a second, different copy of a Hadoop library there
 * (nimbus-jose-jwt, jcip, lz4-java came along before) shadows or clashes with Hadoop's own.
 */
class JobJarContentsIT {
  private static final Set<String> ALLOWED = Set.of("org/hbackup/", "com/github/luben/zstd/");

  @Test
  void holdsOnlyHbackupRelocatedGuavaAndZstd() throws IOException {
    Path jar = Paths.get("..", "cli", "target", "hbackup-" + HbackupVersion.get() + ".jar");
    assertTrue(Files.isRegularFile(jar), jar + " is built before the integration tests");
    Set<String> packages = new TreeSet<>();
    Set<String> outside = new TreeSet<>();
    try (JarFile file = new JarFile(jar.toFile())) {
      for (Enumeration<? extends ZipEntry> e = file.entries(); e.hasMoreElements();) {
        String name = e.nextElement().getName();
        if (!name.endsWith(".class") || name.startsWith("META-INF/")) {
          continue;
        }
        String pkg = name.substring(0, name.lastIndexOf('/') + 1);
        packages.add(pkg);
        if (ALLOWED.stream().noneMatch(pkg::startsWith)) {
          outside.add(pkg);
        }
      }
    }
    assertEquals(Set.of(), outside, "classes outside hbackup, relocated Guava and zstd-jni");
    assertTrue(packages.contains("org/hbackup/shaded/com/google/common/hash/"), "Guava, relocated");
    assertTrue(packages.contains("org/hbackup/cli/"));
    assertTrue(packages.contains("com/github/luben/zstd/"));
  }
}
