package org.hbackup.common.io;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.attribute.PosixFilePermissions;

import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class WorkDirectoriesTest {
  @TempDir
  java.nio.file.Path dir;

  /** An owner file as a process of this host, boot and PID namespace with {@code pid} writes it. */
  private static String ownerNaming(long pid) {
    ProcessIdentity self = ProcessIdentity.self();
    return "{\"format\":\"hbackup-work-directory\",\"version\":1,\"host\":\"" + self.host() + "\",\"pid\":" + pid
        + ",\"processStart\":0,\"boot\":\"" + self.boot() + "\",\"pidNamespace\":\"" + self.pidNamespace() + "\"}";
  }

  /**
   * A killed run's work directory (its process gone from this host) is removed by the next run;
   * a live process's, one without an owner file, another host's and a link are left alone.
   */
  @Test
  void aKilledRunsDirectoryIsRemovedByTheNextAndNothingElse() throws Exception {
    org.junit.jupiter.api.Assumptions.assumeFalse(ProcessIdentity.self().boot().isEmpty(), "needs Linux's /proc");
    FileSystem fs = FileSystem.getLocal(new Configuration()).getRaw();
    Process gone = new ProcessBuilder("true").start();
    gone.waitFor();
    java.nio.file.Path killed = Files.createDirectories(dir.resolve("prune-killed"));
    Files.writeString(killed.resolve(WorkDirectories.OWNER), ownerNaming(gone.pid()));
    Files.writeString(killed.resolve("listing"), "paths of a point");
    java.nio.file.Path live = Files.createDirectories(dir.resolve("verify-live"));
    Files.writeString(live.resolve(WorkDirectories.OWNER), ownerNaming(ProcessHandle.current().pid()));
    java.nio.file.Path unmarked = Files.createDirectories(dir.resolve("restore-unmarked"));
    java.nio.file.Path otherHost = Files.createDirectories(dir.resolve("verify-other-host"));
    Files.writeString(otherHost.resolve(WorkDirectories.OWNER),
        ownerNaming(gone.pid()).replace(ProcessIdentity.self().host(), "another-host"));
    java.nio.file.Path outside = Files.createDirectories(dir.resolve("outside/prune-x"));
    Files.writeString(outside.resolve(WorkDirectories.OWNER), ownerNaming(gone.pid()));
    java.nio.file.Path root = Files.createDirectories(dir.resolve("root"));
    for (java.nio.file.Path p : new java.nio.file.Path[] {killed, live, unmarked, otherHost}) {
      Files.move(p, root.resolve(p.getFileName()));
    }
    Files.createSymbolicLink(root.resolve("prune-link"), outside);

    Path mine = new Path(root.resolve("verify-new").toUri());
    assertEquals(1, WorkDirectories.create(fs, mine));
    assertFalse(Files.exists(root.resolve("prune-killed")), "the killed run's directory is removed");
    assertTrue(Files.exists(root.resolve("verify-live/" + WorkDirectories.OWNER)));
    assertTrue(Files.exists(root.resolve("restore-unmarked")));
    assertTrue(Files.exists(root.resolve("verify-other-host/" + WorkDirectories.OWNER)));
    assertTrue(Files.exists(outside.resolve(WorkDirectories.OWNER)), "a link is never followed");
    assertEquals("rwx------", PosixFilePermissions.toString(Files.getPosixFilePermissions(root.resolve("verify-new"))));
    assertEquals(0, WorkDirectories.reclaim(fs, new Path(root.toUri())), "this run's own directory is live");
    assertTrue(Files.exists(root.resolve("verify-new/" + WorkDirectories.OWNER)));
  }
}
