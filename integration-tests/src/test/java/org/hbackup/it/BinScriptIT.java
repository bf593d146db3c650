package org.hbackup.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.jar.Attributes;
import java.util.jar.JarEntry;
import java.util.jar.JarOutputStream;
import java.util.jar.Manifest;
import java.util.stream.Stream;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code bin/hbackup} itself, as a user runs it: which runs write the class-data archive, from the
 * merged jar or (turned off) the separate jars. It runs from a copy of the script whose {@code
 * cli/target} links to the build's jars and class path, so the archive it writes is the test's,
 * never the build's.
 */
class BinScriptIT {
  @TempDir
  static Path dir;

  private static Path home;
  private static Path archive;

  @BeforeAll
  static void copyScript() throws IOException {
    Path build = Paths.get("..").toAbsolutePath().normalize();
    home = Files.createDirectories(dir.resolve("home"));
    Files.createDirectories(home.resolve("bin"));
    try (Stream<Path> scripts = Files.list(build.resolve("bin"))) {
      for (Path p : (Iterable<Path>) scripts::iterator) {
        Files.copy(p, home.resolve("bin").resolve(p.getFileName()));
      }
    }
    Path target = Files.createDirectories(home.resolve("cli/target"));
    try (Stream<Path> built = Files.list(build.resolve("cli/target"))) {
      for (Path p : (Iterable<Path>) built::iterator) {
        String name = p.getFileName().toString();
        if (name.equals("classpath.txt") || name.matches("hbackup-[0-9].*\\.jar")
            || name.equals("hbackup-embedded.jar")) {
          Files.createSymbolicLink(target.resolve(name), p);
        }
      }
    }
    archive = target.resolve("hbackup-classes.jsa");
  }

  @Test
  void onlyARunThatDidItsJobWritesTheClassArchive() throws Exception {
    Path source = oneFileSource("source");
    String repo = dir.resolve("repo").toString();

    Files.deleteIfExists(archive); // another test's backup may have written it
    // Refused at its arguments: it loaded a fraction of a job's classes.
    assertEquals(2, run("forget", "--repo", repo, "--prune", "--no-such-option"));
    assertFalse(Files.exists(archive), "a refused run must not archive its few classes");
    // Failed: no such source.
    assertTrue(run("backup", "--source", dir.resolve("missing").toString(), "--repo", repo) != 0);
    assertFalse(Files.exists(archive), "a failed run must not archive");
    assertEquals(0, run("--version"));
    assertFalse(Files.exists(archive), "--version loads too few classes to archive");

    assertEquals(0, run("backup", "--source", source.toString(), "--repo", repo));
    assertTrue(Files.size(archive) > 8L << 20, "a backup archives a job's classes: " + Files.size(archive));
    try (Stream<Path> left = Files.list(archive.getParent())) {
      assertEquals(0, left.filter(p -> p.toString().endsWith(".tmp")).count(), "no temporary archive left");
    }
    // The next run maps the archive and still works.
    assertEquals(0, run("backup", "--source", source.toString(), "--repo", repo));
    // Without the merged jar: the separate jars, with an archive of their own; the merged jar's
    // archive is left as it was and still used.
    Path separate = archive.resolveSibling("hbackup-classes-jars.jsa");
    Files.deleteIfExists(separate);
    long mergedArchive = Files.getLastModifiedTime(archive).toMillis();
    assertEquals(0, run(dir.resolve("out-separate.log"), Map.of("HBACKUP_ONE_JAR", "0"),
        "backup", "--source", source.toString(), "--repo", repo));
    assertTrue(Files.size(separate) > 8L << 20, "an archive of the separate jars' classes");
    assertEquals(0, run("backup", "--source", source.toString(), "--repo", repo));
    assertEquals(mergedArchive, Files.getLastModifiedTime(archive).toMillis(), "the merged jar's archive kept");
  }

  /**
   * A Java agent (a profiler, a metrics exporter) or class-data options of the user's own in
   * HBACKUP_JAVA_OPTS: the JVM refuses to start while writing an archive with either, and it said
   * so only on its console stream, which bin/hbackup turns off: every such run exited 1 without a
   * word until a run without them wrote the archive.
   */
  @Test
  void anAgentOrClassDataOptionsOfTheUsersOwnNeverStopARun() throws Exception {
    Path source = oneFileSource("agent-source");
    String repo = dir.resolve("agent-repo").toString();
    Path agent = dir.resolve("no-op-agent.jar");
    Manifest manifest = new Manifest();
    manifest.getMainAttributes().put(Attributes.Name.MANIFEST_VERSION, "1.0");
    manifest.getMainAttributes().put(new Attributes.Name("Premain-Class"), NoOpAgent.class.getName());
    String entry = NoOpAgent.class.getName().replace('.', '/') + ".class";
    try (JarOutputStream jar = new JarOutputStream(Files.newOutputStream(agent), manifest);
        InputStream bytes = NoOpAgent.class.getClassLoader().getResourceAsStream(entry)) {
      jar.putNextEntry(new JarEntry(entry));
      bytes.transferTo(jar);
      jar.closeEntry();
    }
    Map<String, String> withAgent = Map.of("HBACKUP_JAVA_OPTS", "-javaagent:" + agent);

    Files.deleteIfExists(archive);
    assertEquals(0, run(dir.resolve("agent-1.log"), withAgent, "backup", "--source", source.toString(), "--repo", repo));
    assertFalse(Files.exists(archive), "no archive is written beside an agent");
    assertEquals(0, run(dir.resolve("share-off.log"), Map.of("HBACKUP_JAVA_OPTS", "-Xshare:off"),
        "backup", "--source", source.toString(), "--repo", repo));
    assertFalse(Files.exists(archive), "nor with class sharing turned off by the user");
    assertEquals(0, run(dir.resolve("tool-options.log"), Map.of("JAVA_TOOL_OPTIONS", "-javaagent:" + agent),
        "backup", "--source", source.toString(), "--repo", repo));
    assertFalse(Files.exists(archive), "nor with an agent in JAVA_TOOL_OPTIONS, which the JVM reads itself");
    assertEquals(0, run("backup", "--source", source.toString(), "--repo", repo));
    assertTrue(Files.exists(archive), "a run without them writes it");
    assertEquals(0, run(dir.resolve("agent-2.log"), withAgent, "backup", "--source", source.toString(), "--repo", repo));
    assertTrue(Files.readString(dir.resolve("agent-2.log")).contains("incremental backup"), "and with the agent uses it");
  }

  /** A JVM option of the user's that keeps the JVM from starting is named, not a bare exit 1. */
  @Test
  void aJvmThatRefusesToStartSaysWhy() throws Exception {
    Path source = oneFileSource("refused-source");
    for (Map<String, String> env : List.of(Map.of("HBACKUP_HEAP", "1k"), Map.of("HBACKUP_JAVA_OPTS", "-Xmx1k"))) {
      Path err = dir.resolve("refused-" + System.nanoTime() + ".err");
      assertEquals(1, run(dir.resolve("refused.out"), err, env,
          "backup", "--source", source.toString(), "--repo", dir.resolve("refused-repo").toString()));
      assertTrue(Files.readString(err).contains("Too small maximum heap"), env + ": " + Files.readString(err));
    }
  }

  @Test
  void jsonOutputIsOneDocumentWhateverTheJvmPrints() throws Exception {
    Path source = oneFileSource("json-source");
    String repo = dir.resolve("json-repo").toString();
    // The compiler directives make the JVM print a line on its console; never on stdout.
    Path out = dir.resolve("json.out");
    assertEquals(0, run(out, "backup", "--source", source.toString(), "--repo", repo, "--json"));
    JsonNode result = new ObjectMapper().readTree(Files.readString(out));
    assertEquals(1, result.path("files").asLong(-1), Files.readString(out));
    // Asked for, the JVM's console output goes to stderr.
    assertEquals(0, run(out, Map.of("HBACKUP_JAVA_OPTS", "-XX:+DisplayVMOutput"),
        "backup", "--source", source.toString(), "--repo", repo, "--json"));
    assertEquals(1, new ObjectMapper().readTree(Files.readString(out)).path("files").asLong(-1));
  }

  /** A source directory holding one small file. */
  private static Path oneFileSource(String name) throws IOException {
    Path source = Files.createDirectories(dir.resolve(name));
    Files.writeString(source.resolve("a"), "one file\n");
    return source;
  }

  private static int run(String... args) throws Exception {
    return run(dir.resolve("out-" + System.nanoTime() + ".log"), Map.of(), args);
  }

  private static int run(Path stdout, String... args) throws Exception {
    return run(stdout, Map.of(), args);
  }

  /** Runs the copied bin/hbackup with {@code stdout} as its standard output; stderr is kept apart. */
  private static int run(Path stdout, Map<String, String> env, String... args) throws Exception {
    return run(stdout, dir.resolve("err-" + System.nanoTime() + ".log"), env, args);
  }

  private static int run(Path stdout, Path stderr, Map<String, String> env, String... args) throws Exception {
    List<String> command = new ArrayList<>(List.of(home.resolve("bin/hbackup").toString()));
    command.addAll(List.of(args));
    ProcessBuilder pb = new ProcessBuilder(command).redirectOutput(stdout.toFile()).redirectError(stderr.toFile());
    pb.environment().put("JAVA_HOME", System.getProperty("java.home"));
    pb.environment().put("HBACKUP_TMP_DIR", Files.createDirectories(dir.resolve("hadoop-tmp")).toString());
    pb.environment().remove("HBACKUP_CDS");
    pb.environment().remove("HBACKUP_JAVA_OPTS");
    pb.environment().remove("HBACKUP_JIT");
    pb.environment().remove("HBACKUP_ONE_JAR");
    pb.environment().remove("HBACKUP_HEAP");
    pb.environment().remove("JAVA_TOOL_OPTIONS");
    pb.environment().remove("JDK_JAVA_OPTIONS");
    pb.environment().putAll(env);
    Process p = pb.start();
    if (!p.waitFor(300, TimeUnit.SECONDS)) {
      p.destroyForcibly();
      throw new AssertionError("bin/hbackup " + String.join(" ", args) + " did not end");
    }
    return p.exitValue();
  }
}
