package org.hbackup.common.io;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;

import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;

class ProcessIdentityTest {
  private static ProcessIdentity of(long pid) {
    ProcessIdentity self = ProcessIdentity.self();
    return new ProcessIdentity(self.host(), pid, 0, self.boot(), self.pidNamespace(), ProcessIdentity.startTicksOf(pid));
  }

  @Test
  void thisProcessIsNotGone() {
    assertFalse(ProcessIdentity.self().knownGone());
  }

  /**
   * A job killed with -9 stays a zombie until its parent reaps it (about 2 s after a kill from a
   * shell): its lock blocked every command meanwhile, as if it still ran.
   */
  @Test
  void aKilledProcessNotYetReapedIsGone() throws Exception {
    Assumptions.assumeTrue(java.nio.file.Files.exists(java.nio.file.Paths.get("/proc/self/stat")), "Linux /proc");
    // bash starts a child, then becomes sleep, which never reaps it: the child stays a zombie.
    Process parent = new ProcessBuilder("bash", "-c", "sleep 0.1 & echo $!; exec sleep 30").start();
    try {
      long child;
      try (BufferedReader out = new BufferedReader(new InputStreamReader(parent.getInputStream(), StandardCharsets.UTF_8))) {
        child = Long.parseLong(out.readLine().trim());
        ProcessIdentity identity = of(child);
        assertTrue(identity.startTicks() > 0);
        long deadline = System.nanoTime() + 10_000_000_000L;
        while (!ProcessIdentity.isZombie(child) && System.nanoTime() < deadline) {
          Thread.sleep(20);
        }
        assertTrue(ProcessIdentity.isZombie(child), "the child ended and waits to be reaped");
        assertTrue(ProcessHandle.of(child).map(ProcessHandle::isAlive).orElse(false), "Java still sees it alive");
        assertTrue(identity.knownGone());
      }
    } finally {
      parent.destroyForcibly();
    }
  }
}
