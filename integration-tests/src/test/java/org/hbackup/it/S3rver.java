package org.hbackup.it;

import java.io.IOException;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.List;
import java.util.concurrent.TimeUnit;

import org.apache.hadoop.conf.Configuration;
import org.junit.jupiter.api.Assumptions;

/**
 * A local S3-compatible server for tests: npm's {@code s3rver}, installed into the module's
 * {@code target/} by the test itself (so {@code mvn verify} needs nothing set up beforehand) and
 * run as a child process with one bucket. Where npm or the package cannot be had, the tests that
 * need it are skipped with the reason.
 */
final class S3rver implements AutoCloseable {
  static final String BUCKET = "hbackup";
  private static final String VERSION = "3.7.1";

  private final Process process;
  private final int port;

  private S3rver(Process process, int port) {
    this.process = process;
    this.port = port;
  }

  /** Installs (once) and starts a server whose objects live under {@code dataDir}. */
  static S3rver start(Path dataDir) throws Exception {
    Path executable = install();
    Files.createDirectories(dataDir);
    int port;
    try (ServerSocket s = new ServerSocket(0)) {
      port = s.getLocalPort();
    }
    ProcessBuilder pb = new ProcessBuilder(executable.toString(), "--address", "127.0.0.1",
        "--port", Integer.toString(port), "--directory", dataDir.toString(),
        "--configure-bucket", BUCKET, "--silent");
    // s3rver 3's certificate code needs OpenSSL's legacy algorithms on Node 17 and later; older
    // Node refuses the option.
    if (nodeMajorVersion() >= 17) {
      pb.environment().put("NODE_OPTIONS", "--openssl-legacy-provider");
    }
    pb.redirectErrorStream(true).redirectOutput(dataDir.resolveSibling("s3rver.log").toFile());
    S3rver server = new S3rver(pb.start(), port);
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
    while (true) {
      try (Socket ignored = new Socket("127.0.0.1", port)) {
        return server;
      } catch (IOException notYet) {
        if (!server.process.isAlive() || System.nanoTime() > deadline) {
          server.close();
          Path log = dataDir.resolveSibling("s3rver.log");
          String tail = Files.exists(log) ? Files.readString(log, StandardCharsets.UTF_8) : "";
          Assumptions.abort("S3A tests skipped: the local S3 server (s3rver) installed but did not start: "
              + tail.substring(Math.max(0, tail.length() - 500)));
        }
        Thread.sleep(100);
      }
    }
  }

  private static int nodeMajorVersion() {
    try {
      Process node = new ProcessBuilder("node", "--version").redirectErrorStream(true).start();
      String version = new String(node.getInputStream().readAllBytes(), StandardCharsets.UTF_8).trim();
      node.waitFor(30, TimeUnit.SECONDS);
      java.util.regex.Matcher m = java.util.regex.Pattern.compile("v(\\d+)\\.").matcher(version);
      return m.lookingAt() ? Integer.parseInt(m.group(1)) : 0;
    } catch (IOException | InterruptedException | NumberFormatException e) {
      return 0;
    }
  }

  private static Path install() throws Exception {
    Path prefix = Paths.get("target", "s3rver").toAbsolutePath();
    Path executable = prefix.resolve("node_modules/.bin/s3rver");
    if (Files.isExecutable(executable)) {
      return executable;
    }
    Files.createDirectories(prefix);
    Path log = prefix.resolve("npm-install.log");
    Process npm;
    try {
      npm = new ProcessBuilder(List.of("npm", "install", "--prefix", prefix.toString(), "--no-audit",
          "--no-fund", "--no-save", "s3rver@" + VERSION))
          .redirectErrorStream(true).redirectOutput(log.toFile()).start();
    } catch (IOException e) {
      Assumptions.abort("S3A tests skipped: npm is not installed, so the local S3 server (s3rver) cannot be ("
          + e.getMessage() + ")");
      throw e;
    }
    boolean done = npm.waitFor(5, TimeUnit.MINUTES);
    if (!done) {
      npm.destroyForcibly();
    }
    if (!done || npm.exitValue() != 0 || !Files.isExecutable(executable)) {
      String tail = Files.exists(log) ? Files.readString(log, StandardCharsets.UTF_8) : "";
      Assumptions.abort("S3A tests skipped: `npm install s3rver@" + VERSION + "` failed (no registry?): "
          + tail.substring(Math.max(0, tail.length() - 500)));
    }
    return executable;
  }

  /**
   * S3A settings for this server. Syncable calls are made to fail rather than warn, so a writer
   * that calls {@code hsync} on an S3A stream fails the test.
   */
  void configure(Configuration conf) {
    conf.set("fs.s3a.endpoint", "http://127.0.0.1:" + port);
    conf.set("fs.s3a.endpoint.region", "us-east-1");
    conf.setBoolean("fs.s3a.path.style.access", true);
    conf.setBoolean("fs.s3a.connection.ssl.enabled", false);
    conf.set("fs.s3a.aws.credentials.provider", "org.apache.hadoop.fs.s3a.SimpleAWSCredentialsProvider");
    // s3rver's built-in credentials.
    conf.set("fs.s3a.access.key", "S3RVER");
    conf.set("fs.s3a.secret.key", "S3RVER");
    // s3rver cannot check a signed payload's chunks.
    conf.set("fs.s3a.signing-algorithm", "AWS4UnsignedPayloadSignerType");
    conf.setBoolean("fs.s3a.downgrade.syncable.exceptions", false);
    conf.setInt("fs.s3a.attempts.maximum", 2);
    conf.setInt("fs.s3a.retry.limit", 2);
    conf.set("fs.s3a.retry.interval", "50ms");
    // Fresh instances per test: a cached one would outlive the server.
    conf.setBoolean("fs.s3a.impl.disable.cache", true);
  }

  String uri(String key) {
    return "s3a://" + BUCKET + "/" + key;
  }

  @Override
  public void close() {
    process.destroy();
    try {
      if (!process.waitFor(10, TimeUnit.SECONDS)) {
        process.destroyForcibly();
      }
    } catch (InterruptedException e) {
      process.destroyForcibly();
      Thread.currentThread().interrupt();
    }
  }
}
