package org.hbackup.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;

import com.fasterxml.jackson.databind.JsonNode;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.Path;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * verify's memory does not grow with the repository: a repository with ten times the points,
 * files and chunks of another is verified, in a JVM of its own with the same small heap, with
 * about the same peak live heap (driver and tasks together: on the local runner they share the
 * JVM), within 8 MiB; holding every chunk id of the large one (360,000) would take more than 30
 * MiB on its own. The live heap is what the collector left after full collections every 100 ms
 * ({@link HeapSampling}).
 * The repositories are written directly with the format's writers (tiny chunks, so that chunk
 * counts are large and the data small); Hadoop's own buffers are set small (sort buffer, shuffle
 * memory) so that what is measured is hbackup's.
 */
class VerifyMemoryIT {
  /** Sampled every 50 ms: a short run of the small repository otherwise shows too few samples. */
  private static final List<String> JVM = List.of("-Xmx160m", "-XX:+UseSerialGC", "-Dhbackup.test.heap.sample.ms=50");

  @TempDir
  static java.nio.file.Path dir;

  private static Configuration conf;

  @BeforeAll
  static void setUp() {
    conf = new Configuration();
    conf.set("hadoop.tmp.dir", dir.resolve("hadoop-tmp").toString());
  }

  /** A repository of {@code points} points ({@link SyntheticRepository}). */
  private static String synthesize(String name, int points) throws Exception {
    java.nio.file.Path base = System.getProperty("hbackup.test.memory.dir") == null ? dir
        : java.nio.file.Path.of(System.getProperty("hbackup.test.memory.dir"));
    Path root = new Path(base.resolve(name).toUri());
    SyntheticRepository.create(root, points, conf);
    return root.toString();
  }

  /** Blobs of a synthetic repository of {@code points} points: each file's own chunks. */
  static long blobs(int points) {
    return (long) points * SyntheticRepository.FILES_PER_POINT * SyntheticRepository.CHUNKS_PER_FILE;
  }

  /** Its chunk references: every tenth file of each point but the first also uses one of the point before. */
  static long references(int points) {
    return blobs(points) + (points - 1L) * SyntheticRepository.FILES_PER_POINT / 10;
  }

  private static Cli.Result verify(String repo, String... extra) throws Exception {
    List<String> args = new ArrayList<>(List.of("verify", "-D", "mapreduce.task.io.sort.mb=4",
        "-D", "mapreduce.reduce.shuffle.input.buffer.percent=0.01", "--repo", repo, "--json"));
    args.addAll(List.of(extra));
    Cli.Result r = Cli.child(JVM, HeapSampling.class.getName(), dir.resolve("hadoop-tmp"), args.toArray(new String[0]));
    assertEquals(0, r.exitCode, r.toString());
    return r;
  }

  @Test
  void tenTimesThePointsFilesAndChunksNeedNoMoreHeap() throws Exception {
    String small = synthesize("small", 3);
    String large = synthesize("large", 30);

    Cli.Result s = verify(small);
    Cli.Result l = verify(large);
    JsonNode sj = s.json();
    JsonNode lj = l.json();
    assertEquals(references(3), sj.get("chunksReferenced").asLong());
    assertEquals(references(30), lj.get("chunksReferenced").asLong());
    assertEquals(30, lj.get("points").asLong());
    assertEquals(blobs(30), lj.get("indexRows").asLong());

    long smallPeak = HeapSampling.peak(s);
    long largePeak = HeapSampling.peak(l);
    System.err.printf("verify peak live heap: %d points, %d chunks: %.1f MiB; %d points, %d chunks: %.1f MiB%n",
        3, sj.get("chunksReferenced").asLong(), smallPeak / 1048576.0,
        30, lj.get("chunksReferenced").asLong(), largePeak / 1048576.0);
    assertTrue(largePeak < smallPeak + 8L * 1024 * 1024,
        "peak live heap grew from " + smallPeak + " to " + largePeak + " bytes");

    // Against the small repository read the same way: reading blobs holds each map thread's blob
    // buffers (up to 4 MiB stored and 4 MiB decoded), which the structure check never needs, and
    // the structure check's peak varies by 4 MiB from run to run with the threads' timing.
    Cli.Result smallData = verify(small, "--read-data");
    Cli.Result data = verify(large, "--read-data");
    assertEquals(blobs(30), data.json().get("blobsRead").asLong());
    long smallDataPeak = HeapSampling.peak(smallData);
    long dataPeak = HeapSampling.peak(data);
    System.err.printf("verify --read-data peak live heap: small %.1f MiB, large %.1f MiB%n",
        smallDataPeak / 1048576.0, dataPeak / 1048576.0);
    // The small repository's two runs both bound what its tasks hold; the larger is the baseline.
    long baseline = Math.max(smallPeak, smallDataPeak);
    assertTrue(dataPeak < baseline + 8L * 1024 * 1024,
        "reading every blob: peak live heap grew from " + baseline + " to " + dataPeak + " bytes");
  }
}
