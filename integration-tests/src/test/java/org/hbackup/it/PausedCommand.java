package org.hbackup.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Instant;
import java.util.stream.Stream;

import org.apache.hadoop.conf.Configuration;
import org.hbackup.common.CrashPoints;

/**
 * A command run in a thread of its own, paused at one {@link CrashPoints} step until released:
 * what another process does in that moment (take the lock over, unlock) is what the test sees.
 */
final class PausedCommand {
  private final Thread thread;
  private final Cli.Result[] result;
  private final Path pause;

  private PausedCommand(Thread thread, Cli.Result[] result, Path pause) {
    this.thread = thread;
    this.result = result;
    this.pause = pause;
  }

  /** Starts {@code args} with {@code conf}, and returns once it has reached {@code step}. */
  static PausedCommand start(Configuration conf, Path pause, String step, String... args) throws Exception {
    Files.write(pause, new byte[0]);
    Configuration paused = new Configuration(conf);
    paused.set(CrashPoints.PAUSE_AT, step);
    paused.set(CrashPoints.PAUSE_FILE, pause.toString());
    Cli.Result[] result = new Cli.Result[1];
    Thread thread = new Thread(() -> {
      try {
        result[0] = Cli.run(paused, args);
      } catch (Exception e) {
        throw new RuntimeException(e);
      }
    });
    thread.start();
    Path reached = Path.of(pause + ".reached");
    for (int i = 0; i < 600 && !Files.exists(reached); i++) {
      Thread.sleep(100);
    }
    assertTrue(Files.exists(reached), args[0] + " reached " + step);
    return new PausedCommand(thread, result, pause);
  }

  /** Lets the command go on; returns how it ended. */
  Cli.Result release() throws Exception {
    Files.delete(pause);
    thread.join(120_000);
    assertFalse(thread.isAlive(), "the command finished");
    return result[0];
  }

  /** Ages every lock of {@code repo} past the stale time and removes them with {@code unlock}. */
  static void takeLocksAway(Configuration conf, Path repo) throws Exception {
    try (Stream<Path> locks = Files.list(repo.resolve("locks"))) {
      for (Path lock : locks.toList()) {
        Files.setLastModifiedTime(lock, FileTime.from(Instant.now().minusSeconds(7200)));
      }
    }
    assertEquals(0, Cli.run(conf, "unlock", "--repo", repo.toUri().toString()).exitCode);
  }
}
