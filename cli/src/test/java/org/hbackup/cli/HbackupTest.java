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
  void aPathThatHadoopCannotParseIsAUsageErrorNamingTheOption() throws Exception {
    assertEquals(ExitCodes.USAGE, run("restore", "--repo", "r", "--point", "latest", "--target", "out:2/x"));
    String message = err.toString(StandardCharsets.UTF_8);
    assertTrue(message.contains("--target 'out:2/x' is not a path or URI"), message);
    assertTrue(message.contains("./out:2/x"), message);
    assertEquals(ExitCodes.USAGE, run("backup", "--source", "src:1/a", "--repo", "r"));
    assertTrue(err.toString(StandardCharsets.UTF_8).contains("--source 'src:1/a'"));
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
  void printsItsVersion() throws Exception {
    assertEquals(ExitCodes.SUCCESS, run("--version"));
    String printed = out.toString(StandardCharsets.UTF_8).trim();
    assertEquals("hbackup " + org.hbackup.common.HbackupVersion.get(), printed);
    assertTrue(printed.matches("hbackup \\d+\\.\\d+\\.\\d+.*"), printed);
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
  /**
   * A value of non-ASCII names (file names in another script) is stored six bytes a character:
   * counted by characters it passed the budget and made a file Oozie refuses; now it is cut to
   * fit, and the file stays within Oozie's limit.
   */
  @Test
  void oozieOutputStaysWithinItsLimitWhateverTheScript() throws Exception {
    java.nio.file.Path properties = dir.resolve("oozie-wide.properties");
    System.setProperty(Command.OOZIE_OUTPUT, properties.toString());
    try {
      java.util.Map<String, String> values = new java.util.LinkedHashMap<>();
      values.put("point", "20261204T000000000Z-00000000");
      values.put("damaged", "\u0434\u0430\u043d\u043d\u044b\u0435/".repeat(200));
      values.put("affected", "20261204T000000000Z-00000000:\ud83d\udcc1/a.txt");
      values.put("affectedFiles", "1");
      Command.writeOozieProperties(values);
    } finally {
      System.clearProperty(Command.OOZIE_OUTPUT);
    }
    assertTrue(Files.size(properties) <= Command.OOZIE_MAX_BYTES, Files.size(properties) + " bytes");
    Properties captured = new Properties();
    try (InputStream in = Files.newInputStream(properties)) {
      captured.load(in);
    }
    assertEquals("20261204T000000000Z-00000000", captured.getProperty("point"));
    assertTrue(captured.getProperty("damaged").startsWith("\u0434\u0430\u043d"), captured.toString());
    assertTrue(captured.getProperty("damaged").endsWith("..."), captured.toString());
    assertEquals("20261204T000000000Z-00000000:\ud83d\udcc1/a.txt", captured.getProperty("affected"),
        "a short value after a long one is kept whole");
    assertEquals("1", captured.getProperty("affectedFiles"));
  }

  /**
   * Oozie's java action passes its {@code <configuration>} in a file named by a system property:
   * its settings reach the backup job (here the range size: the job reads a 4 MiB file in 1 MiB
   * ranges), and a {@code -D} on the command line still wins over them.
   */
  @Test
  void loadsTheOozieActionConfigurationIntoTheJobs() throws Exception {
    java.nio.file.Path source = Files.createDirectories(dir.resolve("oozie-source"));
    byte[] data = new byte[4 << 20];
    new java.util.Random(7).nextBytes(data);
    Files.write(source.resolve("big.bin"), data);
    java.nio.file.Path actionConf = dir.resolve("action.xml");
    Configuration written = new Configuration(false);
    written.set("hbackup.backup.range.bytes", Integer.toString(1 << 20));
    written.set("hadoop.tmp.dir", dir.resolve("hadoop-tmp").toString());
    written.set("mapreduce.job.queuename", "backups");
    try (java.io.OutputStream o = Files.newOutputStream(actionConf)) {
      written.writeXml(o);
    }
    java.nio.file.Path properties = dir.resolve("oozie-action.properties");
    System.setProperty(Hbackup.OOZIE_ACTION_CONF, actionConf.toString());
    System.setProperty(Command.OOZIE_OUTPUT, properties.toString());
    try {
      Configuration conf = Hbackup.configuration();
      assertEquals("backups", conf.get("mapreduce.job.queuename"));
      int code = Hbackup.run(conf, new String[] {"backup", "--source", source.toString(), "--repo",
          dir.resolve("oozie-repo").toString()}, new PrintStream(out, true, StandardCharsets.UTF_8),
          new PrintStream(err, true, StandardCharsets.UTF_8));
      assertEquals(ExitCodes.SUCCESS, code, err.toString(StandardCharsets.UTF_8));
      java.util.Properties captured = new java.util.Properties();
      try (java.io.InputStream in = Files.newInputStream(properties)) {
        captured.load(in);
      }
      assertEquals("4", captured.getProperty("ranges"), "the action's range size reached the job");

      Configuration overridden = Hbackup.configuration();
      code = Hbackup.run(overridden, new String[] {"backup", "-D", "hbackup.backup.range.bytes=" + (1 << 30),
          "--type", "full", "--source", source.toString(), "--repo", dir.resolve("oozie-repo").toString()},
          new PrintStream(out, true, StandardCharsets.UTF_8), new PrintStream(err, true, StandardCharsets.UTF_8));
      assertEquals(ExitCodes.SUCCESS, code, err.toString(StandardCharsets.UTF_8));
      try (java.io.InputStream in = Files.newInputStream(properties)) {
        captured.load(in);
      }
      assertEquals("0", captured.getProperty("ranges"), "-D wins over the action's configuration");
    } finally {
      System.clearProperty(Hbackup.OOZIE_ACTION_CONF);
      System.clearProperty(Command.OOZIE_OUTPUT);
    }
  }

  /** Modes print as ls prints them, setuid, setgid and sticky included. */
  @Test
  void showPrintsSpecialModeBits() {
    assertEquals("rwsr-xr-x", EntryPrinter.modeString((short) 04755));
    assertEquals("rwsr-s---", EntryPrinter.modeString((short) 06750));
    assertEquals("rwxrwsr-x", EntryPrinter.modeString((short) 02775));
    assertEquals("rwxrwxrwt", EntryPrinter.modeString((short) 01777));
    assertEquals("rwSr--r-T", EntryPrinter.modeString((short) 05644));
    assertEquals("---------", EntryPrinter.modeString((short) 0));
  }

  /**
   * bin/hbackup's -Dhadoop.tmp.dir is the configuration's value too: Hadoop answered conf.get
   * from core-default.xml while expanding ${hadoop.tmp.dir} from the property, so a restore's work
   * files went to a directory no check had looked at (a probe planted a link there). A value a
   * site file or -D gives still wins.
   */
  @Test
  void theTmpDirPropertyIsTheConfigurationsValueUnlessOneWasGiven() {
    String before = System.getProperty("hadoop.tmp.dir");
    try {
      System.setProperty("hadoop.tmp.dir", "/tmp/hbackup-probe-user");
      Configuration plain = new Configuration();
      Hbackup.useTmpDirProperty(plain);
      assertEquals("/tmp/hbackup-probe-user", plain.get("hadoop.tmp.dir"));
      Configuration given = new Configuration();
      given.set("hadoop.tmp.dir", "/data/tmp");
      Hbackup.useTmpDirProperty(given);
      assertEquals("/data/tmp", given.get("hadoop.tmp.dir"));
      // What Hadoop expands ${hadoop.tmp.dir} to is the given value too, in every configuration.
      assertEquals("/data/tmp/s3a", new Configuration().get("fs.s3a.buffer.dir"));
    } finally {
      if (before == null) {
        System.clearProperty("hadoop.tmp.dir");
      } else {
        System.setProperty("hadoop.tmp.dir", before);
      }
    }
  }
}
