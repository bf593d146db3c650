package org.hbackup.bench;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.stream.Stream;

import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.tools.DistCp;
import org.apache.hadoop.util.ToolRunner;
import org.hbackup.cli.Hbackup;
import org.hbackup.common.io.InProcessLocalFileSystem;

/**
 * Times, in one run on the embedded default (local job runner, local file system, every core),
 * hbackup's full backup and restore against DistCp copying the same data set. Each tool runs
 * twice, alternating, and the better time counts, so that neither profits from running second.
 *
 * <p>Usage: {@code EndToEndBenchmark WORK_DIR [GIB [SUBDIRECTORY]]}: with a subdirectory of the
 * data set (for example {@code large}), both tools copy only that part. Prints a Markdown table.
 */
public final class EndToEndBenchmark {
  private EndToEndBenchmark() {
  }

  public static void main(String[] args) throws Exception {
    Path work = Paths.get(args.length > 0 ? args[0] : "/tmp/hbackup-bench").toAbsolutePath();
    double gib = args.length > 1 ? Double.parseDouble(args[1]) : 1.0;
    Path generated = work.resolve("source");
    Path source = args.length > 2 ? generated.resolve(args[2]) : generated;
    long bytes;
    if (!Files.exists(work.resolve("source.complete"))) {
      delete(work);
      Files.createDirectories(generated);
      long started = System.nanoTime();
      long written = DataSet.generate(generated, (long) (gib * (1L << 30)));
      Files.createFile(work.resolve("source.complete"));
      System.err.printf("generated %d bytes in %.1f s%n", written, (System.nanoTime() - started) / 1e9);
    }
    long files;
    try (Stream<Path> s = Files.walk(source)) {
      files = s.filter(Files::isRegularFile).count();
    }
    bytes = size(source);
    Configuration conf = new Configuration();
    conf.set("hadoop.tmp.dir", work.resolve("hadoop-tmp").toString());
    // The file: implementation bin/hbackup uses on the local job runner, set before anything in
    // this JVM opens file: (Hadoop caches the instance), so DistCp and hbackup share it.
    InProcessLocalFileSystem.preferFor(conf);
    int cores = Runtime.getRuntime().availableProcessors();
    conf.setInt("mapreduce.local.map.tasks.maximum", cores);

    List<String> rows = new ArrayList<>();
    double[] distcp = new double[2];
    double[] backup = new double[2];
    double[] restore = new double[2];
    long stored = 0;
    for (int round = 0; round < 2; round++) {
      delete(work.resolve("distcp"));
      delete(work.resolve("repo"));
      delete(work.resolve("restored"));
      distcp[round] = time(() -> check(ToolRunner.run(new Configuration(conf), new DistCp(new Configuration(conf), null),
          new String[] {"-m", "20", "-direct", source.toUri().toString(), work.resolve("distcp").toUri().toString()})));
      backup[round] = time(() -> check(Hbackup.run(conf, new String[] {"backup", "--source", source.toString(),
          "--repo", work.resolve("repo").toString()}, quiet(), System.err)));
      restore[round] = time(() -> check(Hbackup.run(conf, new String[] {"restore", "--repo",
          work.resolve("repo").toString(), "--point", "latest", "--target", work.resolve("restored").toString()},
          quiet(), System.err)));
      stored = size(work.resolve("repo"));
      System.err.printf("round %d: distcp %.2f s, backup %.2f s, restore %.2f s%n", round + 1, distcp[round],
          backup[round], restore[round]);
    }
    double d = Math.min(distcp[0], distcp[1]);
    double b = Math.min(backup[0], backup[1]);
    double r = Math.min(restore[0], restore[1]);
    rows.add(String.format(Locale.ROOT, "| DistCp copy (`-m 20 -direct`) | %.2f s | %.0f MB/s | 1.00x |", d, bytes / d / 1e6));
    rows.add(String.format(Locale.ROOT, "| hbackup full backup | %.2f s | %.0f MB/s | %.2fx |", b, bytes / b / 1e6, b / d));
    rows.add(String.format(Locale.ROOT, "| hbackup restore | %.2f s | %.0f MB/s | %.2fx |", r, bytes / r / 1e6, r / d));
    System.out.printf(Locale.ROOT, "Data set: %d bytes in %d files (%s); %d cores; repository after backup: %d bytes (%.0f%%)%n%n",
        bytes, files, work, cores, stored, 100.0 * stored / bytes);
    System.out.println("| run | best of 2 | throughput | vs DistCp |");
    System.out.println("|---|---|---|---|");
    rows.forEach(System.out::println);
    System.out.printf(Locale.ROOT, "%nAll runs (s): distcp %.2f/%.2f, backup %.2f/%.2f, restore %.2f/%.2f%n",
        distcp[0], distcp[1], backup[0], backup[1], restore[0], restore[1]);
  }

  interface Step {
    void run() throws Exception;
  }

  static double time(Step step) throws Exception {
    long started = System.nanoTime();
    step.run();
    return (System.nanoTime() - started) / 1e9;
  }

  private static void check(int exitCode) {
    if (exitCode != 0) {
      throw new IllegalStateException("step failed with exit code " + exitCode);
    }
  }

  private static PrintStream quiet() {
    return new PrintStream(new ByteArrayOutputStream(), true, StandardCharsets.UTF_8);
  }

  static long size(Path dir) throws IOException {
    try (Stream<Path> s = Files.walk(dir)) {
      return s.filter(Files::isRegularFile).mapToLong(p -> p.toFile().length()).sum();
    }
  }

  static void delete(Path dir) throws IOException {
    if (!Files.exists(dir)) {
      return;
    }
    try (Stream<Path> s = Files.walk(dir)) {
      s.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
    }
  }
}
