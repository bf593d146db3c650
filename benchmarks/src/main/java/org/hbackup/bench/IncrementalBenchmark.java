package org.hbackup.bench;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.io.RandomAccessFile;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.nio.file.StandardOpenOption;
import java.util.Locale;
import java.util.Random;
import java.util.stream.Stream;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.tools.DistCp;
import org.apache.hadoop.util.ToolRunner;
import org.hbackup.cli.Hbackup;
import org.hbackup.common.io.InProcessLocalFileSystem;

/**
 * Times, in one run on the embedded default, what a 1% change of the end-to-end data set costs:
 * hbackup's incremental backup, a full backup of the changed data, and {@code distcp -update}
 * bringing a mirror up to date. Each round starts from a fresh copy of the data set, so every
 * round makes the same change; two rounds, the better time counts.
 *
 * <p>Usage: {@code IncrementalBenchmark WORK_DIR [GIB]} (the data set is shared with
 * {@link EndToEndBenchmark}). Prints a Markdown table.
 */
public final class IncrementalBenchmark {
  private static final int KIB = 1024;

  private IncrementalBenchmark() {
  }

  public static void main(String[] args) throws Exception {
    Path work = Paths.get(args.length > 0 ? args[0] : "/tmp/hbackup-bench").toAbsolutePath();
    double gib = args.length > 1 ? Double.parseDouble(args[1]) : 1.0;
    Path pristine = work.resolve("source");
    if (!Files.exists(work.resolve("source.complete"))) {
      EndToEndBenchmark.delete(work);
      Files.createDirectories(pristine);
      DataSet.generate(pristine, (long) (gib * (1L << 30)));
      Files.createFile(work.resolve("source.complete"));
    }
    long dataBytes = EndToEndBenchmark.size(pristine);
    Configuration conf = new Configuration();
    conf.set("hadoop.tmp.dir", work.resolve("hadoop-tmp").toString());
    // The file: implementation bin/hbackup uses on the local job runner, set before anything in
    // this JVM opens file: (Hadoop caches the instance), so DistCp and hbackup share it.
    InProcessLocalFileSystem.preferFor(conf);
    int cores = Runtime.getRuntime().availableProcessors();
    conf.setInt("mapreduce.local.map.tasks.maximum", cores);
    Path live = work.resolve("live");
    Path mirror = work.resolve("mirror");
    Path repo = work.resolve("repo-incremental");
    Path fullRepo = work.resolve("repo-full-after");

    double[] incremental = new double[2];
    double[] full = new double[2];
    double[] update = new double[2];
    JsonNode report = null;
    long trulyNew = 0;
    for (int round = 0; round < 2; round++) {
      for (Path p : new Path[] {live, mirror, repo, fullRepo}) {
        EndToEndBenchmark.delete(p);
      }
      copy(pristine, live);
      // Set-up, not timed: the base point and the mirror of the data before the change (a copy
      // with the same lengths and times, which is all that -update compares without checksums).
      hbackup(conf, "backup", "--source", live.toString(), "--repo", repo.toString());
      copy(live, mirror);
      trulyNew = mutate(live);
      update[round] = EndToEndBenchmark.time(() -> check(ToolRunner.run(new Configuration(conf),
          new DistCp(new Configuration(conf), null), new String[] {"-m", "20", "-direct", "-update", "-delete",
              live.toUri().toString(), mirror.toUri().toString()})));
      JsonNode[] out = new JsonNode[1];
      incremental[round] = EndToEndBenchmark.time(() -> out[0] = hbackup(conf, "backup", "--source",
          live.toString(), "--repo", repo.toString(), "--type", "incremental", "--json"));
      report = out[0];
      full[round] = EndToEndBenchmark.time(() -> hbackup(conf, "backup", "--source", live.toString(),
          "--repo", fullRepo.toString(), "--json"));
      System.err.printf("round %d: distcp -update %.1f s, incremental %.2f s, full %.2f s%n", round + 1,
          update[round], incremental[round], full[round]);
    }
    double u = Math.min(update[0], update[1]);
    double i = Math.min(incremental[0], incremental[1]);
    double f = Math.min(full[0], full[1]);
    long read = report.get("bytesRead").asLong();
    long stored = report.get("bytesStored").asLong();
    System.out.printf(Locale.ROOT, "Data set: %d bytes; change: %d truly new bytes (%.2f%%); %d cores%n%n",
        dataBytes, trulyNew, 100.0 * trulyNew / dataBytes, cores);
    System.out.println("| run | best of 2 | vs full backup | vs `distcp -update` |");
    System.out.println("|---|---|---|---|");
    System.out.printf(Locale.ROOT, "| `distcp -update -delete` (`-m 20 -direct`) | %.2f s | %.2fx | 1.00x |%n", u, u / f);
    System.out.printf(Locale.ROOT, "| hbackup full backup of the changed data | %.2f s | 1.00x | %.2fx |%n", f, f / u);
    System.out.printf(Locale.ROOT, "| hbackup incremental backup | %.2f s | **%.2fx** | **%.2fx** |%n", i, i / f, i / u);
    System.out.printf(Locale.ROOT, "%nIncremental: %d bytes read (%.2f%% of the data set), %d bytes new, %d stored"
        + " (%.2fx the truly new bytes), %d files carried over, %d base segments decoded; paths: %d added,"
        + " %d modified, %d deleted%n",
        read, 100.0 * read / dataBytes, report.get("bytesNew").asLong(), stored,
        (double) stored / trulyNew, report.get("filesCarriedOver").asLong(), report.get("baseSegmentsRead").asLong(),
        report.get("pathsAdded").asLong(), report.get("pathsModified").asLong(), report.get("pathsDeleted").asLong());
    System.out.printf(Locale.ROOT, "All runs (s): distcp -update %.2f/%.2f, incremental %.2f/%.2f, full %.2f/%.2f%n",
        update[0], update[1], incremental[0], incremental[1], full[0], full[1]);
  }

  /**
   * About 1% of the data set, the same every time: new files, 4 KiB edits and 4 KiB appends to
   * small files, a renamed directory, deletes. Large files keep their content: a changed large
   * file is read again in full (see docs/BENCHMARKS.md). Returns the truly new bytes: what the
   * change wrote that no earlier byte of the data set holds.
   */
  static long mutate(Path root) throws IOException {
    Random random = new Random(1);
    long trulyNew = 0;
    byte[] big = new byte[8 << 20];
    random.nextBytes(big);
    Files.createDirectories(root.resolve("new"));
    Files.write(root.resolve("new/random-new.bin"), big);
    trulyNew += big.length;
    for (int n = 0; n < 100; n++) {
      byte[] b = new byte[4 * KIB + random.nextInt(8 * KIB)];
      random.nextBytes(b);
      Files.createDirectories(root.resolve("small/part-new"));
      Files.write(root.resolve("small/part-new/f-" + n + ".dat"), b);
      trulyNew += b.length;
    }
    byte[] edit = new byte[4 * KIB];
    try (Stream<Path> files = Files.list(root.resolve("small/part-1"))) {
      for (Path p : (Iterable<Path>) files.sorted().limit(50)::iterator) {
        random.nextBytes(edit);
        int length = (int) Math.min(edit.length, Files.size(p));
        try (RandomAccessFile f = new RandomAccessFile(p.toFile(), "rw")) {
          f.write(edit, 0, length);
        }
        trulyNew += length;
      }
    }
    try (Stream<Path> files = Files.list(root.resolve("small/part-2"))) {
      for (Path p : (Iterable<Path>) files.sorted().limit(50)::iterator) {
        random.nextBytes(edit);
        Files.write(p, edit, StandardOpenOption.APPEND);
        trulyNew += edit.length;
      }
    }
    Files.move(root.resolve("small/part-3"), root.resolve("small/part-3-renamed"));
    try (Stream<Path> files = Files.list(root.resolve("small/part-4"))) {
      for (Path p : (Iterable<Path>) files.sorted().limit(20)::iterator) {
        Files.delete(p);
      }
    }
    return trulyNew;
  }

  private static void copy(Path from, Path to) throws IOException, InterruptedException {
    Process cp = new ProcessBuilder("cp", "-a", from.toString(), to.toString()).inheritIO().start();
    if (cp.waitFor() != 0) {
      throw new IOException("cp -a failed");
    }
  }

  private static JsonNode hbackup(Configuration conf, String... args) throws Exception {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    int code = Hbackup.run(conf, args, new PrintStream(out, true, StandardCharsets.UTF_8), System.err);
    check(code);
    String text = out.toString(StandardCharsets.UTF_8);
    return text.trim().startsWith("{") ? new ObjectMapper().readTree(text) : null;
  }

  private static void check(int exitCode) {
    if (exitCode != 0) {
      throw new IllegalStateException("step failed with exit code " + exitCode);
    }
  }
}
