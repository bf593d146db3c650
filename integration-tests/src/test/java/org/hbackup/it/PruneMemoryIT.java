package org.hbackup.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;

import com.fasterxml.jackson.databind.JsonNode;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.Path;
import org.hbackup.common.id.PointId;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * prune's memory does not grow with the repository: two synthetic repositories
 * ({@link SyntheticRepository}), one with ten times the points, files and chunks of the other,
 * lose every other point to forget, and each is pruned (marked, swept, planned, its forgotten
 * points' packs rewritten, a new index written and checked) in a JVM of its own with the same
 * small heap. The peak live heap (driver and tasks together, {@link HeapSampling}) stays within
 * 12 MiB; the large one's 360,000 chunk ids alone would take more than 30 MiB.
 */
class PruneMemoryIT {
  private static final List<String> JVM = List.of("-Xmx160m", "-XX:+UseSerialGC");

  @TempDir
  static java.nio.file.Path dir;

  private static Configuration conf;

  @BeforeAll
  static void setUp() {
    conf = new Configuration();
    conf.set("hadoop.tmp.dir", dir.resolve("hadoop-tmp").toString());
  }

  /** A synthetic repository whose every other point (the newest kept) is forgotten; returns its URI. */
  private static String withHalfForgotten(String name, int points) throws Exception {
    Path root = new Path(dir.resolve(name).toUri());
    List<PointId> ids = SyntheticRepository.create(root, points, conf);
    List<String> args = new ArrayList<>(List.of("forget", "--repo", root.toString()));
    for (int p = points - 2; p >= 0; p -= 2) {
      args.add("--point");
      args.add(ids.get(p).toString());
    }
    Cli.Result forget = Cli.run(conf, args.toArray(new String[0]));
    assertEquals(0, forget.exitCode, forget.toString());
    return root.toString();
  }

  private static Cli.Result prune(String repo) throws Exception {
    Cli.Result r = Cli.child(JVM, HeapSampling.class.getName(), dir.resolve("hadoop-tmp"), "prune",
        "-D", "hbackup.prune.grace.seconds=0", "-D", "mapreduce.task.io.sort.mb=4",
        "-D", "mapreduce.reduce.shuffle.input.buffer.percent=0.01", "--repo", repo, "--json");
    assertEquals(0, r.exitCode, r.toString());
    return r;
  }

  @Test
  void tenTimesThePointsFilesAndChunksNeedNoMoreHeapToPrune() throws Exception {
    String small = withHalfForgotten("small", 3);
    String large = withHalfForgotten("large", 30);
    Cli.Result s = prune(small);
    Cli.Result l = prune(large);
    JsonNode lj = l.json();
    assertEquals(15, lj.get("points").asLong());
    assertEquals(VerifyMemoryIT.blobs(30), lj.get("blobs").asLong());
    assertEquals(15, lj.get("packsRepacked").asLong(), "each forgotten point's pack holds a few used blobs");
    assertEquals(15L * SyntheticRepository.FILES_PER_POINT / 10, lj.get("blobsCopied").asLong());
    assertTrue(lj.get("deleted").asBoolean());

    long smallPeak = HeapSampling.peak(s);
    long largePeak = HeapSampling.peak(l);
    System.err.printf("prune peak live heap: 3 points, %d blobs: %.1f MiB; 30 points, %d blobs: %.1f MiB%n",
        s.json().get("blobs").asLong(), smallPeak / 1048576.0, lj.get("blobs").asLong(), largePeak / 1048576.0);
    // Not 8 MiB: the samples include running tasks' fixed sort and pack buffers, and the longer run
    // catches more of them at once (26.4 vs 34.9 MiB seen on a busy machine).
    assertTrue(largePeak < smallPeak + 12L * 1024 * 1024,
        "peak live heap grew from " + smallPeak + " to " + largePeak + " bytes");
    assertEquals(0, Cli.run(conf, "verify", "--repo", large, "--read-data").exitCode);
  }
}
