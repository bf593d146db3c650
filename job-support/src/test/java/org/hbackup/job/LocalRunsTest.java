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
  void eachProcessStagesUnderItsOwnDirectoryBelowHadoopTmpDir() {
    Configuration conf = new Configuration();
    conf.set("hadoop.tmp.dir", dir.toString());
    JobSetup.applyDefaults(conf);
    ProcessHandle self = ProcessHandle.current();
    String staging = conf.get(LocalRuns.STAGING_ROOT);
    assertTrue(staging.startsWith(dir.resolve("hbackup-runs/" + self.pid() + "-").toString()), staging);
    assertTrue(conf.get(LocalRuns.LOCAL_DIR).startsWith(dir.resolve("hbackup-runs").toString()));
    Configuration chosen = new Configuration();
    chosen.set("hadoop.tmp.dir", dir.toString());
    chosen.set(LocalRuns.STAGING_ROOT, "/elsewhere");
    JobSetup.applyDefaults(chosen);
    assertEquals("/elsewhere", chosen.get(LocalRuns.STAGING_ROOT), "a user's choice is kept");
  }

  @Test
  void reclaimsTheDirectoriesOfProcessesThatAreGoneAndNoOther() throws Exception {
    Process gone = new ProcessBuilder("true").start();
    gone.waitFor();
    long goneStart = gone.info().startInstant().map(java.time.Instant::toEpochMilli).orElse(1L);
    Path runs = Files.createDirectories(dir.resolve("hbackup-runs"));
    Path dead = Files.createDirectories(runs.resolve(gone.pid() + "-" + goneStart + "/staging/job_1"));
    Files.write(dead.resolve("job.xml"), new byte[100]);
    ProcessHandle self = ProcessHandle.current();
    Path alive = Files.createDirectories(runs.resolve(self.pid() + "-"
        + self.info().startInstant().map(java.time.Instant::toEpochMilli).orElse(0L)));
    Path foreign = Files.createDirectories(runs.resolve("not-a-run"));
    assertEquals(1, LocalRuns.reclaimDead(runs));
    assertFalse(Files.exists(runs.resolve(gone.pid() + "-" + goneStart)));
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
}
