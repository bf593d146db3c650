package org.hbackup.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

import com.fasterxml.jackson.databind.JsonNode;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.hbackup.common.io.FileSystems;
import org.hbackup.common.repo.Repository;
import org.hbackup.common.repo.RepositoryLock;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Writers at once: backups into one repository from separate processes, of the same source and
 * of another, all publish points that restore exactly (a content-addressed file another writer
 * published first is checked and shared, never a failure); a backup meets an exclusive lock with
 * a clear message, or waits for it when asked.
 */
class ConcurrencyIT {
  @TempDir
  static java.nio.file.Path dir;

  private static Configuration conf;
  private static FileSystem fs;

  @BeforeAll
  static void makeSources() throws Exception {
    conf = new Configuration();
    conf.set("hadoop.tmp.dir", dir.resolve("hadoop-tmp").toString());
    for (String name : new String[] {"one", "two"}) {
      for (int i = 0; i < 30; i++) {
        java.nio.file.Path f = dir.resolve(name + "/d" + (i % 3) + "/f" + i);
        Files.createDirectories(f.getParent());
        // Both sources share most content, so the writers race to store the same chunks.
        Files.writeString(f, ("shared line " + i + "\n").repeat(200 + i) + (i == 0 ? name : ""));
      }
    }
    fs = FileSystems.raw(new Path(dir.toUri()), conf);
  }

  @Test
  void backupsRunningAtOnceAllPublishPointsThatRestore() throws Exception {
    String repo = dir.resolve("repo").toUri().toString();
    assertEquals(0, Cli.run(conf, "init", "--repo", repo).exitCode);
    ExecutorService pool = Executors.newFixedThreadPool(3);
    List<Future<Cli.Result>> runs = new ArrayList<>();
    for (String source : new String[] {"one", "one", "two"}) {
      runs.add(pool.submit(() -> Cli.child(dir.resolve("hadoop-tmp"), "backup", "--source",
          dir.resolve(source).toString(), "--repo", repo, "--json")));
    }
    List<String> points = new ArrayList<>();
    List<String> sources = new ArrayList<>();
    for (Future<Cli.Result> run : runs) {
      Cli.Result r = run.get();
      assertEquals(0, r.exitCode, r.toString());
      JsonNode report = r.json();
      points.add(report.get("point").asText());
      sources.add(report.get("source").asText());
    }
    pool.shutdown();
    assertEquals(3, Repository.open(new Path(repo), conf).listPoints().size());
    for (int i = 0; i < points.size(); i++) {
      String target = dir.resolve("restored-" + i).toUri().toString();
      Cli.Result restore = Cli.run(conf, "restore", "--repo", repo, "--point", points.get(i), "--target", target);
      assertEquals(0, restore.exitCode, restore.toString());
      Trees.assertSameTree(Trees.snapshot(fs, new Path(sources.get(i))), fs, fs, new Path(target), false, false);
    }
  }

  @Test
  void aBackupMeetsAnExclusiveLockWithItsHoldersNameOrWaitsForIt() throws Exception {
    String repo = dir.resolve("repo-locked").toUri().toString();
    assertEquals(0, Cli.run(conf, "backup", "--source", dir.resolve("two").toString(), "--repo", repo).exitCode);
    Repository repository = Repository.open(new Path(repo), conf);
    RepositoryLock held = RepositoryLock.acquire(repository, RepositoryLock.Mode.EXCLUSIVE, "prune", null, conf);
    Cli.Result refused = Cli.run(conf, "backup", "--source", dir.resolve("one").toString(), "--repo", repo);
    assertEquals(1, refused.exitCode, refused.toString());
    assertTrue(refused.stderr.contains("is locked by prune") && refused.stderr.contains("exclusive"), refused.stderr);
    assertEquals(1, refused.stderr.trim().lines().count(), refused.stderr);
    Cli.Result restoreRefused = Cli.run(conf, "restore", "--repo", repo, "--point", "latest",
        "--target", dir.resolve("nowhere").toUri().toString());
    assertEquals(1, restoreRefused.exitCode, restoreRefused.toString());
    assertTrue(restoreRefused.stderr.contains("is locked by prune"), restoreRefused.stderr);

    Thread release = new Thread(() -> {
      try {
        Thread.sleep(1500);
        held.close();
      } catch (Exception e) {
        throw new IllegalStateException(e);
      }
    });
    release.start();
    Cli.Result waited = Cli.run(conf, "backup", "-D", RepositoryLock.WAIT + "=60",
        "--source", dir.resolve("one").toString(), "--repo", repo);
    assertEquals(0, waited.exitCode, waited.toString());
    release.join();
  }
}
