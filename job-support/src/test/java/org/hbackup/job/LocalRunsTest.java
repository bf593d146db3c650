package org.hbackup.job;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

import org.apache.hadoop.conf.Configuration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class LocalRunsTest {
  @TempDir
  Path dir;

  @Test
  void eachProcessStagesUnderItsOwnDirectoryBelowHadoopTmpDir() throws IOException {
    Configuration conf = new Configuration();
    conf.set("hadoop.tmp.dir", dir.resolve("tmp").toString());
    JobSetup.applyDefaults(conf);
    ProcessHandle self = ProcessHandle.current();
    String staging = conf.get(LocalRuns.STAGING_ROOT);
    assertTrue(staging.startsWith(dir.resolve("tmp/hbackup-runs/" + self.pid() + "-").toString()), staging);
    assertTrue(conf.get(LocalRuns.LOCAL_DIR).startsWith(dir.resolve("tmp/hbackup-runs").toString()));
    assertEquals("rwx------", java.nio.file.attribute.PosixFilePermissions.toString(
        Files.getPosixFilePermissions(dir.resolve("tmp"))), "a new hadoop.tmp.dir is owner-only");
    Configuration chosen = new Configuration();
    chosen.set("hadoop.tmp.dir", dir.resolve("tmp").toString());
    chosen.set(LocalRuns.STAGING_ROOT, "/elsewhere");
    JobSetup.applyDefaults(chosen);
    assertEquals("/elsewhere", chosen.get(LocalRuns.STAGING_ROOT), "a user's choice is kept");
  }

  @Test
  void refusesAHadoopTmpDirThatIsALinkOrWritableByOthers() throws IOException {
    Path real = Files.createDirectories(dir.resolve("real"));
    Path link = Files.createSymbolicLink(dir.resolve("link"), real);
    org.junit.jupiter.api.Assertions.assertThrows(org.hbackup.common.HbackupException.class, () -> LocalRuns.checkOwn(link));
    Path open = Files.createDirectories(dir.resolve("open"));
    Files.setPosixFilePermissions(open, java.nio.file.attribute.PosixFilePermissions.fromString("rwxrwxrwx"));
    org.junit.jupiter.api.Assertions.assertThrows(org.hbackup.common.HbackupException.class, () -> LocalRuns.checkOwn(open));
    Files.setPosixFilePermissions(open, java.nio.file.attribute.PosixFilePermissions.fromString("rwx------"));
    LocalRuns.checkOwn(open);
  }

  @Test
  void reclaimsTheDirectoriesOfProcessesThatAreGoneAndNoOther() throws Exception {
    Process gone = new ProcessBuilder("true").start();
    gone.waitFor();
    org.hbackup.common.io.ProcessIdentity self = org.hbackup.common.io.ProcessIdentity.self();
    Path runs = Files.createDirectories(dir.resolve("hbackup-runs"));
    Path dead = Files.createDirectories(runs.resolve(gone.pid() + "-1/staging/job_1"));
    Files.writeString(runs.resolve(gone.pid() + "-1/owner"), self.host() + "\n" + gone.pid() + "\n1\n" + self.boot()
        + "\n" + self.pidNamespace() + "\n");
    Files.write(dead.resolve("job.xml"), new byte[100]);
    Path alive = Files.createDirectories(runs.resolve(self.pid() + "-" + self.start()));
    Files.writeString(alive.resolve("owner"), self.host() + "\n" + self.pid() + "\n" + self.start() + "\n"
        + self.boot() + "\n" + self.pidNamespace() + "\n");
    Path foreign = Files.createDirectories(runs.resolve("no-owner-file"));
    assertEquals(1, LocalRuns.reclaimDead(runs));
    assertFalse(Files.exists(runs.resolve(gone.pid() + "-1")));
    assertTrue(Files.exists(alive));
    assertTrue(Files.exists(foreign));
  }

  @Test
  void aFailureIsDescribedWithItsRootCause() throws IOException {
    IOException disk = new IOException("No space left on device");
    RuntimeException top = new RuntimeException("could not write pack p1", disk);
    assertEquals("could not write pack p1 (caused by No space left on device)", TaskFailures.describe(top));
    assertEquals("No space left on device", TaskFailures.describe(disk));
    org.apache.hadoop.mapreduce.JobID job = new org.apache.hadoop.mapreduce.JobID("local1", 7);
    TaskFailures.record(job, top);
    TaskFailures.record(job, new IOException("later"));
    assertEquals("could not write pack p1 (caused by No space left on device)", TaskFailures.take(job));
  }

  /** A work directory (a restore's, verify's) that is a link planted by someone else is refused before use. */
  @Test
  void aWorkRootThatIsALinkIsRefusedAndAMissingOneIsMadeOwnerOnly() throws IOException {
    org.apache.hadoop.conf.Configuration conf = new org.apache.hadoop.conf.Configuration();
    conf.set("fs.defaultFS", "file:///");
    Path tmp = dir.resolve("tmp");
    conf.set("hadoop.tmp.dir", tmp.toString());
    Path elsewhere = Files.createDirectories(dir.resolve("elsewhere"));
    JobSetup.requireOwnWorkRoot(conf, new org.apache.hadoop.fs.Path(tmp.resolve("hbackup").toString()));
    assertEquals("rwx------", java.nio.file.attribute.PosixFilePermissions.toString(
        Files.getPosixFilePermissions(tmp.resolve("hbackup"))));
    Files.delete(tmp.resolve("hbackup"));
    Files.createSymbolicLink(tmp.resolve("hbackup"), elsewhere);
    org.junit.jupiter.api.Assertions.assertThrows(org.hbackup.common.HbackupException.class,
        () -> JobSetup.requireOwnWorkRoot(conf, new org.apache.hadoop.fs.Path(tmp.resolve("hbackup").toString())));
  }
}
