package org.hbackup.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.InputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.util.Properties;

import org.apache.hadoop.conf.Configuration;
import org.hbackup.common.io.InProcessLocalFileSystem;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class HbackupTest {
  @TempDir
  java.nio.file.Path dir;

  private final ByteArrayOutputStream out = new ByteArrayOutputStream();
  private final ByteArrayOutputStream err = new ByteArrayOutputStream();

  private int run(String... args) throws Exception {
    Configuration conf = new Configuration();
    conf.set("hadoop.tmp.dir", dir.resolve("hadoop-tmp").toString());
    return Hbackup.run(conf, args, new PrintStream(out, true, StandardCharsets.UTF_8),
        new PrintStream(err, true, StandardCharsets.UTF_8));
  }

  @Test
  void usageErrorsExitWith2() throws Exception {
    assertEquals(ExitCodes.USAGE, run());
    assertEquals(ExitCodes.USAGE, run("frobnicate"));
    assertEquals(ExitCodes.USAGE, run("backup", "--source", "x"));
    assertEquals(ExitCodes.USAGE, run("list", "--repo", "r", "stray"));
    assertEquals(ExitCodes.USAGE, run("restore", "--repo", "r", "--point", "not-an-id", "--target", "t"));
    assertEquals(ExitCodes.USAGE, run("restore", "--repo", "r", "--point", "latest", "--target", "t", "--path", "../up"));
    String[] lines = err.toString(StandardCharsets.UTF_8).split("\n");
    assertTrue(lines.length > 0);
  }

  @Test
  void usesTheInProcessLocalFileSystemOnlyOnTheLocalJobRunner() throws Exception {
    Configuration local = new Configuration();
    local.set("hadoop.tmp.dir", dir.resolve("hadoop-tmp").toString());
    Hbackup.run(local, new String[] {"list", "--repo", dir.resolve("none").toString()},
        new PrintStream(out, true, StandardCharsets.UTF_8), new PrintStream(err, true, StandardCharsets.UTF_8));
    assertEquals(InProcessLocalFileSystem.class.getName(), local.get(InProcessLocalFileSystem.IMPL_KEY));

    Configuration cluster = new Configuration();
    Hbackup.run(cluster, new String[] {"list", "-D", "mapreduce.framework.name=yarn", "--repo",
        dir.resolve("none").toString()}, new PrintStream(out, true, StandardCharsets.UTF_8),
        new PrintStream(err, true, StandardCharsets.UTF_8));
    assertNull(cluster.get(InProcessLocalFileSystem.IMPL_KEY));
  }

  @Test
  void helpExitsWith0() throws Exception {
    assertEquals(ExitCodes.SUCCESS, run("--help"));
    assertEquals(ExitCodes.SUCCESS, run("restore", "--help"));
    assertTrue(out.toString(StandardCharsets.UTF_8).contains("--overwrite"));
  }

  @Test
  void writesOozieCapturedOutputWhenAsked() throws Exception {
    java.nio.file.Path source = dir.resolve("source");
    Files.createDirectories(source.resolve("sub"));
    Files.write(source.resolve("sub/a.txt"), "captured\n".getBytes(StandardCharsets.UTF_8));
    java.nio.file.Path properties = dir.resolve("oozie.properties");
    System.setProperty(Command.OOZIE_OUTPUT, properties.toString());
    try {
      assertEquals(ExitCodes.SUCCESS, run("backup", "--source", source.toString(), "--repo", dir.resolve("repo").toString()));
    } finally {
      System.clearProperty(Command.OOZIE_OUTPUT);
    }
    Properties captured = new Properties();
    try (InputStream in = Files.newInputStream(properties)) {
      captured.load(in);
    }
    assertTrue(captured.getProperty("point").matches("\\d{8}T\\d{9}Z-[0-9a-f]{8}"), captured.toString());
    assertEquals("1", captured.getProperty("files"));
    assertEquals("9", captured.getProperty("bytesRead"));
    assertTrue(Files.size(properties) <= Command.OOZIE_MAX_BYTES);
    assertTrue(out.toString(StandardCharsets.UTF_8).startsWith("Point "), out.toString(StandardCharsets.UTF_8));
  }
}
