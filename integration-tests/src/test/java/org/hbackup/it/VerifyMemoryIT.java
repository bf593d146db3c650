package org.hbackup.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;

import com.fasterxml.jackson.databind.JsonNode;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.Path;
import org.hbackup.common.id.ContentId;
import org.hbackup.common.id.FileHasher;
import org.hbackup.common.id.PointId;
import org.hbackup.common.manifest.ChunkRef;
import org.hbackup.common.manifest.EntryType;
import org.hbackup.common.manifest.ManifestEntry;
import org.hbackup.common.point.PointRecord;
import org.hbackup.common.point.PointType;
import org.hbackup.common.repo.Repository;
import org.hbackup.common.testing.RepositoryFixture;
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
  private static final int FILES_PER_POINT = 2_000;
  private static final int CHUNKS_PER_FILE = 6;
  private static final List<String> JVM = List.of("-Xmx160m", "-XX:+UseSerialGC");

  @TempDir
  static java.nio.file.Path dir;

  private static Configuration conf;

  @BeforeAll
  static void setUp() {
    conf = new Configuration();
    conf.set("hadoop.tmp.dir", dir.resolve("hadoop-tmp").toString());
  }

  /** A repository of {@code points} points, each of its own files, each file of its own chunks. */
  private static String synthesize(String name, int points) throws Exception {
    java.nio.file.Path base = System.getProperty("hbackup.test.memory.dir") == null ? dir
        : java.nio.file.Path.of(System.getProperty("hbackup.test.memory.dir"));
    Path root = new Path(base.resolve(name).toUri());
    RepositoryFixture fixture = RepositoryFixture.create(root, conf);
    Repository repository = fixture.repository();
    Random random = new Random(points);
    for (int p = 0; p < points; p++) {
      List<byte[]> chunks = new ArrayList<>();
      List<ManifestEntry> entries = new ArrayList<>();
      entries.add(ManifestEntry.builder(EntryType.DIRECTORY, "").permission((short) 0755).build());
      entries.add(ManifestEntry.builder(EntryType.DIRECTORY, "d").permission((short) 0755).build());
      for (int f = 0; f < FILES_PER_POINT; f++) {
        FileHasher hasher = new FileHasher(0);
        List<ChunkRef> refs = new ArrayList<>();
        for (int c = 0; c < CHUNKS_PER_FILE; c++) {
          byte[] chunk = ByteBuffer.allocate(40).putInt(p).putInt(f).putInt(c).putLong(random.nextLong()).array();
          chunks.add(chunk);
          hasher.update(chunk, 0, chunk.length);
          refs.add(new ChunkRef(ContentId.of(chunk), chunk.length));
        }
        entries.add(ManifestEntry.builder(EntryType.FILE, String.format("d/f%06d", f)).permission((short) 0644)
            .length(40L * CHUNKS_PER_FILE).modificationTime(1_709_208_000_000L).fileHash(hasher.finish())
            .chunks(refs).build());
      }
      fixture.store(chunks);
      PointId point = fixture.writeManifest(entries);
      PointRecord record = PointRecord.builder(point, PointType.FULL).source("file:/synthetic/" + p)
          .completed(Instant.now()).totals(FILES_PER_POINT, 2, 0, 40L * CHUNKS_PER_FILE * FILES_PER_POINT).build();
      try (OutputStream out = repository.fileSystem().create(repository.layout().point(point), false)) {
        out.write(record.toJson());
      }
      Thread.sleep(2); // point ids are by the millisecond
    }
    return root.toString();
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
    assertEquals(3 * FILES_PER_POINT * CHUNKS_PER_FILE, sj.get("chunksReferenced").asLong());
    assertEquals(30 * FILES_PER_POINT * CHUNKS_PER_FILE, lj.get("chunksReferenced").asLong());
    assertEquals(30, lj.get("points").asLong());
    assertEquals(lj.get("chunksReferenced").asLong(), lj.get("indexRows").asLong());

    long smallPeak = HeapSampling.peak(s);
    long largePeak = HeapSampling.peak(l);
    System.err.printf("verify peak live heap: %d points, %d chunks: %.1f MiB; %d points, %d chunks: %.1f MiB%n",
        3, sj.get("chunksReferenced").asLong(), smallPeak / 1048576.0,
        30, lj.get("chunksReferenced").asLong(), largePeak / 1048576.0);
    assertTrue(largePeak < smallPeak + 8L * 1024 * 1024,
        "peak live heap grew from " + smallPeak + " to " + largePeak + " bytes");

    Cli.Result data = verify(large, "--read-data");
    assertEquals(lj.get("chunksReferenced").asLong(), data.json().get("blobsRead").asLong());
    long dataPeak = HeapSampling.peak(data);
    System.err.printf("verify --read-data peak live heap, large: %.1f MiB%n", dataPeak / 1048576.0);
    assertTrue(dataPeak < smallPeak + 8L * 1024 * 1024, "reading every blob: " + dataPeak + " bytes");
  }
}
