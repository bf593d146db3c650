package org.hbackup.bench;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;
import java.util.stream.Stream;

/**
 * Times {@code hbackup forget --keep-last 2 --prune} against {@code restic forget --keep-last 2
 * --prune} (and borg's prune and compact) as a user runs them: fresh processes, the same chain of
 * four versions of the data set backed up by each tool beforehand, then each tool's forget and
 * prune on a fresh copy of its repository, twice, in alternating order; the better time counts.
 * Each of the three changes rewrites one large random file (128 MiB) and one log (32 MiB) of the
 * data set, so that about 30% of the data only the two forgotten versions use.
 *
 * <p>Usage: {@code PruneBenchmark WORK_DIR [GIB]}, with {@code -Dhbackup.home}. The data set is
 * {@code EndToEndBenchmark}'s, generated in WORK_DIR/source when missing. Prints a Markdown table.
 */
public final class PruneBenchmark {
  private static final int VERSIONS = 4;

  private PruneBenchmark() {
  }

  public static void main(String[] args) throws Exception {
    Path work = Paths.get(args.length > 0 ? args[0] : "/tmp/hbackup-bench").toAbsolutePath();
    double gib = args.length > 1 ? Double.parseDouble(args[1]) : 1.0;
    Path home = Paths.get(System.getProperty("hbackup.home", ".")).toAbsolutePath();
    Path generated = work.resolve("source");
    if (!Files.exists(work.resolve("source.complete"))) {
      EndToEndBenchmark.delete(work);
      Files.createDirectories(generated);
      DataSet.generate(generated, (long) (gib * (1L << 30)));
      Files.createFile(work.resolve("source.complete"));
    }
    String hbackup = home.resolve("bin/hbackup").toString();
    Path dir = work.resolve("prune");
    Path source = dir.resolve("source");
    Path hb = dir.resolve("hbackup-repo");
    Path restic = dir.resolve("restic-repo");
    Path borg = dir.resolve("borg-repo");
    // borg's cache and security state live in its base directory: kept as it was after the
    // backups and put back before each timed run, as a user's stays warm between commands.
    Path borgBase = dir.resolve("borg-home");
    Path borgBaseSetUp = dir.resolve("borg-home-set-up");
    System.setProperty("hbackup.bench.borg.base", borgBase.toString());
    if (!Files.exists(dir.resolve("repos.complete"))) {
      EndToEndBenchmark.delete(dir);
      Files.createDirectories(dir);
      VerifyBenchmark.run("cp", "-a", generated.toString(), source.toString());
      VerifyBenchmark.run("restic", "-r", restic.toString(), "init");
      VerifyBenchmark.run("borg", "init", "-e", "none", borg.toString());
      for (int v = 0; v < VERSIONS; v++) {
        if (v > 0) {
          change(source, v);
        }
        VerifyBenchmark.run(hbackup, "backup", "--source", source.toString(), "--repo", hb.toString());
        VerifyBenchmark.run("restic", "-r", restic.toString(), "backup", "--quiet", source.toString());
        VerifyBenchmark.run("borg", "create", borg + "::v" + v, source.toString());
      }
      VerifyBenchmark.run("cp", "-a", borgBase.toString(), borgBaseSetUp.toString());
      Files.createFile(dir.resolve("repos.complete"));
    }

    VerifyBenchmark.warmUp(hbackup, work);
    Map<String, List<String[]>> runs = new LinkedHashMap<>();
    // Everything in the chain was written minutes ago: without a grace period, as restic and borg.
    runs.put("hbackup forget --keep-last 2 --prune", List.<String[]>of(new String[] {hbackup, "forget",
        "-D", "hbackup.prune.grace.seconds=0", "--repo", "@", "--keep-last", "2", "--prune"}));
    runs.put("restic forget --keep-last 2 --prune", List.<String[]>of(new String[] {"restic", "-r", "@", "forget",
        "--keep-last", "2", "--prune"}));
    runs.put("borg prune --keep-last 2; borg compact", List.of(new String[] {"borg", "prune", "--keep-last", "2", "@"},
        new String[] {"borg", "compact", "@"}));
    Map<String, Path> repos = Map.of("hbackup forget --keep-last 2 --prune", hb,
        "restic forget --keep-last 2 --prune", restic, "borg prune --keep-last 2; borg compact", borg);
    Map<String, double[]> times = new LinkedHashMap<>();
    Map<String, long[]> sizes = new LinkedHashMap<>();
    for (int round = 0; round < 2; round++) {
      List<String> order = new ArrayList<>(runs.keySet());
      if (round == 1) {
        java.util.Collections.reverse(order);
      }
      for (String name : order) {
        Path copy = dir.resolve("run-" + repos.get(name).getFileName());
        EndToEndBenchmark.delete(copy);
        VerifyBenchmark.run("cp", "-a", repos.get(name).toString(), copy.toString());
        EndToEndBenchmark.delete(borgBase);
        VerifyBenchmark.run("cp", "-a", borgBaseSetUp.toString(), borgBase.toString());
        long before = EndToEndBenchmark.size(copy);
        double t = EndToEndBenchmark.time(() -> {
          for (String[] command : runs.get(name)) {
            String[] c = command.clone();
            for (int i = 0; i < c.length; i++) {
              c[i] = c[i].equals("@") ? copy.toString() : c[i];
            }
            VerifyBenchmark.run(c);
          }
        });
        times.computeIfAbsent(name, k -> new double[2])[round] = t;
        sizes.put(name, new long[] {before, EndToEndBenchmark.size(copy)});
        System.err.printf(Locale.ROOT, "round %d: %s %.2f s, %d -> %d bytes%n", round + 1, name, t, before,
            sizes.get(name)[1]);
      }
    }
    String resticName = "restic forget --keep-last 2 --prune";
    double resticTime = Math.min(times.get(resticName)[0], times.get(resticName)[1]);
    long resticAfter = sizes.get(resticName)[1];
    System.out.printf(Locale.ROOT, "Data set: %d bytes (%s), %d versions, each change rewrites a 128 MiB random"
        + " file and a 32 MiB log; %s%n%n", EndToEndBenchmark.size(generated), work, VERSIONS,
        VerifyBenchmark.version("restic", "version"));
    System.out.println("| run | best of 2 | vs restic | repository before | after | after vs restic | all runs |");
    System.out.println("|---|---|---|---|---|---|---|");
    for (String name : runs.keySet()) {
      double best = Math.min(times.get(name)[0], times.get(name)[1]);
      long[] s = sizes.get(name);
      System.out.printf(Locale.ROOT, "| `%s` | %.2f s | %.2fx | %,d | %,d | %.3fx | %.2f s / %.2f s |%n", name, best,
          best / resticTime, s[0], s[1], (double) s[1] / resticAfter, times.get(name)[0], times.get(name)[1]);
    }
  }

  /** The v-th change: one large random file and one log rewritten with new content of the same size. */
  private static void change(Path source, int v) throws IOException {
    rewrite(pick(source.resolve("large"), v), v, false);
    rewrite(pick(source.resolve("logs"), v), v, true);
  }

  private static Path pick(Path dir, int v) throws IOException {
    try (Stream<Path> files = Files.list(dir)) {
      List<Path> sorted = files.sorted().toList();
      return sorted.get((v - 1) % sorted.size());
    }
  }

  private static void rewrite(Path file, int v, boolean text) throws IOException {
    long size = Files.size(file);
    Random random = new Random(1000 + v);
    byte[] block = new byte[1 << 20];
    try (OutputStream out = Files.newOutputStream(file)) {
      for (long left = size; left > 0; left -= block.length) {
        if (text) {
          for (int i = 0; i < block.length; i++) {
            block[i] = (byte) (i % 97 == 96 ? '\n' : 'a' + random.nextInt(8));
          }
        } else {
          random.nextBytes(block);
        }
        out.write(block, 0, (int) Math.min(block.length, left));
      }
    }
  }
}
