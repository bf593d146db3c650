package org.hbackup.it;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.apache.hadoop.conf.Configuration;
import org.hbackup.cli.Hbackup;

/** Runs hbackup commands in process, as {@code hadoop jar} would, and keeps what they print. */
final class Cli {
  /** One command's outcome. */
  static final class Result {
    final int exitCode;
    final String stdout;
    final String stderr;

    Result(int exitCode, String stdout, String stderr) {
      this.exitCode = exitCode;
      this.stdout = stdout;
      this.stderr = stderr;
    }

    JsonNode json() {
      try {
        return new ObjectMapper().readTree(stdout);
      } catch (Exception e) {
        throw new AssertionError("stdout is not one JSON document: " + stdout + "\nstderr: " + stderr, e);
      }
    }

    @Override
    public String toString() {
      return "exit " + exitCode + "\nstdout: " + stdout + "\nstderr: " + stderr;
    }
  }

  private Cli() {
  }

  static Result run(Configuration conf, String... args) throws Exception {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    ByteArrayOutputStream err = new ByteArrayOutputStream();
    int code;
    try (PrintStream o = new PrintStream(out, true, StandardCharsets.UTF_8);
         PrintStream e = new PrintStream(err, true, StandardCharsets.UTF_8)) {
      code = Hbackup.run(new Configuration(conf), args, o, e);
    }
    return new Result(code, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
  }

  /** Something a test does while a command waits at a pause point. */
  @FunctionalInterface
  interface Meanwhile {
    void run() throws Exception;
  }

  /**
   * Runs a command (in this JVM, on another thread) that pauses at the named place of {@code
   * org.hbackup.common.CrashPoints}, does {@code meanwhile} there, lets it go on and returns its
   * result. {@code pauseDir} holds the pause file.
   */
  static Result runPausedAt(Configuration conf, String place, java.nio.file.Path pauseDir, Meanwhile meanwhile,
      String... args) throws Exception {
    java.nio.file.Path pause = java.nio.file.Files.createTempFile(pauseDir, "pause-", "");
    Configuration paused = new Configuration(conf);
    paused.set(org.hbackup.common.CrashPoints.PAUSE_AT, place);
    paused.set(org.hbackup.common.CrashPoints.PAUSE_FILE, pause.toString());
    Result[] result = new Result[1];
    Thread running = new Thread(() -> {
      try {
        result[0] = run(paused, args);
      } catch (Exception e) {
        throw new RuntimeException(e);
      }
    });
    running.start();
    java.nio.file.Path reached = java.nio.file.Paths.get(pause + ".reached");
    for (int i = 0; i < 600 && !java.nio.file.Files.exists(reached); i++) {
      Thread.sleep(100);
    }
    org.junit.jupiter.api.Assertions.assertTrue(java.nio.file.Files.exists(reached), "the command reached " + place);
    meanwhile.run();
    java.nio.file.Files.delete(pause);
    running.join(120_000);
    return result[0];
  }

  /**
   * Runs hbackup in a JVM of its own, as bin/hbackup does, with {@code hadoopTmp} as its
   * hadoop.tmp.dir; returns its exit code and output.
   */
  static Result child(java.nio.file.Path hadoopTmp, String... args) throws Exception {
    return child(java.util.List.of(), "org.hbackup.cli.Hbackup", hadoopTmp, args);
  }

  /** As {@link #child(java.nio.file.Path, String...)}, with JVM options and another main class. */
  static Result child(java.util.List<String> jvmOptions, String mainClass, java.nio.file.Path hadoopTmp,
      String... args) throws Exception {
    java.util.List<String> command = new java.util.ArrayList<>(java.util.List.of(
        System.getProperty("java.home") + java.io.File.separator + "bin" + java.io.File.separator + "java",
        "--add-opens", "java.base/java.lang=ALL-UNNAMED", "--add-opens", "java.base/java.util=ALL-UNNAMED",
        "--add-opens", "java.base/java.nio=ALL-UNNAMED", "--add-opens", "java.base/sun.nio.ch=ALL-UNNAMED",
        "-Dhadoop.tmp.dir=" + hadoopTmp));
    command.addAll(jvmOptions);
    command.addAll(java.util.List.of("-cp", System.getProperty("java.class.path"), mainClass));
    command.addAll(java.util.List.of(args));
    Process p = new ProcessBuilder(command).start();
    java.util.concurrent.CompletableFuture<byte[]> err = java.util.concurrent.CompletableFuture.supplyAsync(() -> {
      try {
        return p.getErrorStream().readAllBytes();
      } catch (java.io.IOException e) {
        return new byte[0];
      }
    });
    byte[] out = p.getInputStream().readAllBytes();
    if (!p.waitFor(300, java.util.concurrent.TimeUnit.SECONDS)) {
      p.destroyForcibly();
      throw new AssertionError("hbackup " + String.join(" ", args) + " did not end");
    }
    return new Result(p.exitValue(), new String(out, StandardCharsets.UTF_8),
        new String(err.get(), StandardCharsets.UTF_8));
  }
}
