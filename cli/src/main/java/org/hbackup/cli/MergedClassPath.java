package org.hbackup.cli;

import java.io.ByteArrayOutputStream;
import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.Enumeration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.jar.Attributes;
import java.util.jar.JarEntry;
import java.util.jar.JarFile;
import java.util.jar.JarOutputStream;
import java.util.jar.Manifest;
import java.util.zip.CRC32;
import java.util.zip.ZipEntry;

/**
 * Merges {@code bin/hbackup}'s class path (the job jar, then Hadoop and the libraries it brings,
 * in class-path order) into one jar, at build time. A class path of 115 jars costs every short
 * command 0.1-0.15 s: each resource lookup that finds nothing (SLF4J's search for its binding,
 * each {@code ServiceLoader}, Hadoop's site files) opens and searches every jar
 * (docs/BENCHMARKS.md, eighth session).
 *
 * <p>Written here rather than with the shade or assembly plugin because the merge must mean what
 * the class path meant, which neither does for these jars: the first jar holding a name wins; a
 * jar's {@code META-INF/versions} entries count only if that jar is multi-release and no earlier
 * jar holds the name as a plain entry (a multi-release merged jar would otherwise let a later
 * jar's versioned class hide an earlier jar's), and a versioned entry alone does not take the
 * name from a later jar's plain entry (on a Java older than its version, the class path finds the
 * later one); every jar's {@code META-INF/services} registrations are kept, in order;
 * signatures, manifests, {@code INDEX.LIST} and {@code module-info} are left out. Entries are
 * stored uncompressed: the jar is read, never shipped. Hadoop's default configuration files lose
 * their descriptions ({@link SlimDefaultResources}). Written to a temporary file and renamed.
 * Resources found in several jars with different bytes keep the first jar's copy, as a lookup of
 * one does on the class path; {@code -Dhbackup.merge.report=true} lists them.
 *
 * <p>Usage: {@code MergedClassPath OUTPUT_JAR JOB_JAR CLASSPATH_FILE}.
 */
public final class MergedClassPath {
  private static final String VERSIONS = "META-INF/versions/";
  private static final String SERVICES = "META-INF/services/";

  private final Map<String, Integer> owners = new HashMap<>();
  private final Map<String, ByteArrayOutputStream> services = new TreeMap<>();
  /** Resources (not classes) of a name an earlier jar also has, with other bytes: only its copy is kept. */
  private final java.util.Set<String> shadowed = new java.util.TreeSet<>();
  private final Map<String, Long> keptCrcs = new HashMap<>();

  private MergedClassPath() {
  }

  public static void main(String[] args) throws IOException {
    if (args.length != 3) {
      System.err.println("usage: MergedClassPath OUTPUT_JAR JOB_JAR CLASSPATH_FILE");
      System.exit(2);
    }
    List<Path> jars = new ArrayList<>();
    jars.add(Paths.get(args[1]));
    for (String entry : Files.readString(Paths.get(args[2]), StandardCharsets.UTF_8).trim().split(File.pathSeparator)) {
      if (!entry.isEmpty()) {
        jars.add(Paths.get(entry));
      }
    }
    merge(jars, Paths.get(args[0]));
  }

  /** Writes {@code out}: the entries of {@code jars} as the class path of them in this order finds them. */
  static void merge(List<Path> jars, Path out) throws IOException {
    Path tmp = Files.createTempFile(out.toAbsolutePath().getParent(), out.getFileName().toString(), ".tmp");
    MergedClassPath merge = new MergedClassPath();
    try {
      merge.write(jars, tmp);
      // A temporary file is its owner's only; the merged jar is as readable as the job jar, so
      // that a checkout built by one user still runs for the others who may read its jars.
      if (Files.getFileStore(tmp).supportsFileAttributeView("posix")) {
        Files.setPosixFilePermissions(tmp, Files.getPosixFilePermissions(jars.get(0)));
      }
      Files.move(tmp, out, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    } finally {
      Files.deleteIfExists(tmp);
    }
    if (Boolean.getBoolean("hbackup.merge.report")) {
      System.out.println("MergedClassPath: " + merge.shadowed.size() + " resource(s) found in several jars with"
          + " different bytes, the first jar's kept: " + merge.shadowed);
    }
  }

  private void write(List<Path> jars, Path tmp) throws IOException {
    Manifest manifest = new Manifest();
    manifest.getMainAttributes().put(Attributes.Name.MANIFEST_VERSION, "1.0");
    manifest.getMainAttributes().put(new Attributes.Name("Multi-Release"), "true");
    try (OutputStream file = Files.newOutputStream(tmp); JarOutputStream jar = new JarOutputStream(file, manifest)) {
      owners.put("META-INF/", -1);
      owners.put(JarFile.MANIFEST_NAME, -1);
      for (int i = 0; i < jars.size(); i++) {
        copy(jars.get(i), i, jar);
      }
      for (Map.Entry<String, ByteArrayOutputStream> service : services.entrySet()) {
        put(jar, service.getKey(), service.getValue().toByteArray(), 0);
      }
    }
  }

  /** Base entries first, so that the jar's own versioned entries know which names it owns. */
  private void copy(Path path, int index, JarOutputStream out) throws IOException {
    try (JarFile in = new JarFile(path.toFile(), false)) {
      Manifest manifest = in.getManifest();
      boolean multiRelease = manifest != null
          && "true".equalsIgnoreCase(manifest.getMainAttributes().getValue("Multi-Release"));
      List<JarEntry> versioned = new ArrayList<>();
      for (Enumeration<JarEntry> entries = in.entries(); entries.hasMoreElements();) {
        JarEntry e = entries.nextElement();
        String name = e.getName();
        if (leftOut(name)) {
          continue;
        }
        if (name.startsWith(VERSIONS)) {
          versioned.add(e);
        } else if (name.startsWith(SERVICES) && !e.isDirectory()) {
          ByteArrayOutputStream merged = services.computeIfAbsent(name, k -> new ByteArrayOutputStream());
          byte[] bytes = read(in, e);
          merged.write(bytes);
          if (bytes.length > 0 && bytes[bytes.length - 1] != '\n') {
            merged.write('\n');
          }
        } else if (owners.putIfAbsent(name, index) == null) {
          byte[] bytes = e.isDirectory() ? new byte[0] : read(in, e);
          put(out, name, SlimDefaultResources.isDefaultResource(name) ? SlimDefaultResources.slim(bytes) : bytes,
              e.getTime());
          keptCrcs.put(name, e.getCrc());
        } else if (!e.isDirectory() && !name.endsWith(".class") && keptCrcs.containsKey(name)
            && keptCrcs.get(name) != e.getCrc()) {
          shadowed.add(name);
        }
      }
      if (!multiRelease) {
        return; // a class path ignores the versioned entries of a jar that is not multi-release
      }
      for (JarEntry e : versioned) {
        String name = e.getName();
        int slash = name.indexOf('/', VERSIONS.length());
        if (e.isDirectory() || slash < 0) {
          continue;
        }
        Integer owner = owners.get(name.substring(slash + 1));
        if ((owner == null || owner == index) && owners.putIfAbsent(name, index) == null) {
          put(out, name, read(in, e), e.getTime());
        }
      }
    }
  }

  private static boolean leftOut(String name) {
    String upper = name.toUpperCase(java.util.Locale.ROOT);
    boolean signature = upper.startsWith("META-INF/") && upper.indexOf('/', "META-INF/".length()) < 0
        && (upper.endsWith(".SF") || upper.endsWith(".RSA") || upper.endsWith(".DSA") || upper.endsWith(".EC")
            || upper.startsWith("META-INF/SIG-"));
    return signature || name.equalsIgnoreCase(JarFile.MANIFEST_NAME) || name.equalsIgnoreCase("META-INF/INDEX.LIST")
        || name.equals("module-info.class") || (name.startsWith(VERSIONS) && name.endsWith("/module-info.class"));
  }

  private static byte[] read(JarFile in, JarEntry e) throws IOException {
    try (InputStream stream = in.getInputStream(e)) {
      return stream.readAllBytes();
    }
  }

  private static void put(JarOutputStream out, String name, byte[] bytes, long time) throws IOException {
    ZipEntry entry = new ZipEntry(name);
    entry.setMethod(ZipEntry.STORED);
    entry.setSize(bytes.length);
    entry.setCompressedSize(bytes.length);
    CRC32 crc = new CRC32();
    crc.update(bytes);
    entry.setCrc(crc.getValue());
    if (time > 0) {
      entry.setTime(time);
    }
    out.putNextEntry(entry);
    out.write(bytes);
    out.closeEntry();
  }
}
