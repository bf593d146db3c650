package org.hbackup.bench;

import java.io.IOException;
import java.io.OutputStream;
import java.io.RandomAccessFile;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;
import java.util.stream.Stream;

/**
 * hbackup against restic and borg as a user runs them on one machine (issue 11): a fresh process
 * per command, the same data, the same run, tools alternating from round to round, medians.
 *
 * <p>Two trees. "mixed": real files copied from the system's own /usr/share and /usr/lib (sorted
 * walk, files up to 4 MiB, until 420 MB; symlinks kept), ten 50 MiB random files and 100 MiB of
 * logs; its v2 appends to two logs, rewrites 64 KiB inside a random file, deletes 100 files, adds
 * 200 and renames a directory. "small": 200,000 files of 0.2-2 KB in 400 directories. For each
 * tool and round: a fresh copy of the tree at the same path, a new repository, then timed: full
 * backup; (mixed) v2 applied, incremental backup; backup with nothing changed (its repository
 * growth measured); restore of the latest point. Also a one-file backup into a new repository.
 * Wall time and peak RSS come from {@code /usr/bin/time}.
 *
 * <p>Usage: {@code PeersBenchmark WORK_DIR [ROUNDS]}, with {@code -Dhbackup.home}. Prints Markdown.
 */
public final class PeersBenchmark {
  private static final String[] TOOLS = {"hbackup", "restic", "borg"};

  private final Path work;
  private final String hbackup;
  /** step name -> tool -> samples of {seconds, peak RSS KiB, CPU seconds}. */
  private final Map<String, Map<String, List<double[]>>> samples = new LinkedHashMap<>();
  private final Map<String, Map<String, List<Long>>> growth = new LinkedHashMap<>();

  private PeersBenchmark(Path work, Path home) {
    this.work = work;
    this.hbackup = home.resolve("bin/hbackup").toString();
  }

  public static void main(String[] args) throws Exception {
    Path work = Paths.get(args.length > 0 ? args[0] : "/tmp/hbackup-peers").toAbsolutePath();
    int rounds = args.length > 1 ? Integer.parseInt(args[1]) : 5;
    Path home = Paths.get(System.getProperty("hbackup.home", ".")).toAbsolutePath();
    System.setProperty("hbackup.bench.borg.base", work.resolve("borg-home").toString());
    PeersBenchmark b = new PeersBenchmark(work, home);
    Path mixed = work.resolve("pristine-mixed");
    Path small = work.resolve("pristine-small");
    if (!Files.exists(work.resolve("pristine.complete"))) {
      EndToEndBenchmark.delete(work);
      Files.createDirectories(work);
      mixedTree(mixed);
      smallTree(small);
      Files.createFile(work.resolve("pristine.complete"));
    }
    VerifyBenchmark.warmUp(b.hbackup, work);
    for (int round = 0; round < rounds; round++) {
      List<String> order = new ArrayList<>(Arrays.asList(TOOLS));
      java.util.Collections.rotate(order, round);
      for (String tool : order) {
        b.mixedRound(tool, mixed);
        b.smallRound(tool, small);
        b.oneFile(tool);
        System.err.printf(Locale.ROOT, "round %d of %d: %s done%n", round + 1, rounds, tool);
      }
    }
    b.print(mixed, small, rounds);
  }

  // ---- the data --------------------------------------------------------------------------------

  /** Real files from /usr (sorted, deterministic on one machine), large random files, logs. */
  static void mixedTree(Path root) throws Exception {
    Path real = root.resolve("usr");
    Files.createDirectories(real);
    Path list = root.getParent().resolve("usr-files.txt");
    long budget = 420L * 1000 * 1000;
    long taken = 0;
    List<String> names = new ArrayList<>();
    for (String top : new String[] {"/usr/share", "/usr/lib"}) {
      List<Path> entries;
      try (Stream<Path> s = Files.walk(Paths.get(top))) {
        entries = s.sorted().toList();
      }
      for (Path p : entries) {
        if (taken >= budget) {
          break;
        }
        if (Files.isSymbolicLink(p)) {
          names.add(p.toString().substring(1));
        } else if (Files.isRegularFile(p, LinkOption.NOFOLLOW_LINKS) && Files.isReadable(p)) {
          long size = Files.size(p);
          if (size <= 4L << 20) {
            names.add(p.toString().substring(1));
            taken += size;
          }
        }
      }
    }
    Files.write(list, names, StandardCharsets.UTF_8);
    VerifyBenchmark.run("tar", "-C", "/", "--no-recursion", "-cf", root.getParent().resolve("usr.tar").toString(),
        "-T", list.toString());
    VerifyBenchmark.run("tar", "-C", real.toString(), "-xf", root.getParent().resolve("usr.tar").toString());
    Files.delete(root.getParent().resolve("usr.tar"));
    Random random = new Random(20261201L);
    byte[] block = new byte[1 << 20];
    for (int i = 0; i < 10; i++) {
      try (OutputStream out = Files.newOutputStream(mkdirs(root.resolve("large/random-" + i + ".bin")))) {
        for (int m = 0; m < 50; m++) {
          random.nextBytes(block);
          out.write(block);
        }
      }
    }
    for (int i = 0; i < 4; i++) {
      log(mkdirs(root.resolve("logs/app-" + i + ".log")), 25L << 20, random, false);
    }
  }

  /** 200,000 files of 0.2-2 KB (compressible text with random parts), 500 to a directory. */
  static void smallTree(Path root) throws IOException {
    Random random = new Random(200_000L);
    for (int i = 0; i < 200_000; i++) {
      Path p = root.resolve("d" + (i / 500)).resolve("f" + i + ".txt");
      if (i % 500 == 0) {
        Files.createDirectories(p.getParent());
      }
      int length = 200 + random.nextInt(1800);
      StringBuilder s = new StringBuilder(length + 64);
      while (s.length() < length) {
        s.append("record ").append(i).append(' ').append(random.nextInt(1_000_000)).append(" value=")
            .append(Long.toHexString(random.nextLong())).append('\n');
      }
      Files.write(p, s.substring(0, length).getBytes(StandardCharsets.US_ASCII));
    }
  }

  private static void log(Path file, long bytes, Random random, boolean append) throws IOException {
    String[] levels = {"INFO", "WARN", "DEBUG", "ERROR"};
    try (OutputStream out = new java.io.BufferedOutputStream(append
        ? Files.newOutputStream(file, java.nio.file.StandardOpenOption.APPEND) : Files.newOutputStream(file), 1 << 20)) {
      long left = bytes;
      long t = 1_764_547_200_000L;
      while (left > 0) {
        t += random.nextInt(50);
        byte[] line = (t + " " + levels[random.nextInt(4)] + " DataNode: block blk_" + random.nextInt(1_000_000)
            + " replicated to 10.0." + random.nextInt(256) + "." + random.nextInt(256) + " in "
            + random.nextInt(1000) + " ms\n").getBytes(StandardCharsets.US_ASCII);
        int n = (int) Math.min(line.length, left);
        out.write(line, 0, n);
        left -= n;
      }
    }
  }

  /** v2: appends, an edit inside a large file, deletes, adds and a directory renamed. */
  static void change(Path root) throws IOException {
    Random random = new Random(2L);
    log(root.resolve("logs/app-0.log"), 1L << 20, random, true);
    log(root.resolve("logs/app-1.log"), 1L << 20, random, true);
    try (RandomAccessFile f = new RandomAccessFile(root.resolve("large/random-3.bin").toFile(), "rw")) {
      byte[] edit = new byte[64 << 10];
      random.nextBytes(edit);
      f.seek(20L << 20);
      f.write(edit);
    }
    List<Path> files;
    try (Stream<Path> s = Files.walk(root.resolve("usr"))) {
      files = s.filter(p -> Files.isRegularFile(p, LinkOption.NOFOLLOW_LINKS)).sorted().toList();
    }
    for (int i = 0; i < 100; i++) {
      Files.delete(files.get((int) ((long) i * files.size() / 100)));
    }
    for (int i = 0; i < 200; i++) {
      byte[] b = new byte[512 + random.nextInt(8192)];
      random.nextBytes(b);
      Files.write(mkdirs(root.resolve("added/new-" + i + ".dat")), b);
    }
    try (Stream<Path> s = Files.list(root.resolve("usr/usr/share"))) {
      Path dir = s.filter(Files::isDirectory).sorted().findFirst().orElseThrow();
      Files.move(dir, dir.resolveSibling(dir.getFileName() + "-renamed"));
    }
  }

  private static Path mkdirs(Path file) throws IOException {
    Files.createDirectories(file.getParent());
    return file;
  }

  // ---- the runs --------------------------------------------------------------------------------

  private void mixedRound(String tool, Path pristine) throws Exception {
    Path source = fresh(pristine, "source");
    Path repo = newRepo(tool, "repo-mixed");
    measure("mixed: full backup", tool, backup(tool, source, repo));
    change(source);
    measure("mixed: incremental v1 -> v2", tool, backup(tool, source, repo));
    long before = EndToEndBenchmark.size(repo);
    measure("mixed: nothing changed", tool, backup(tool, source, repo));
    growth.computeIfAbsent("mixed: nothing changed", k -> new LinkedHashMap<>())
        .computeIfAbsent(tool, k -> new ArrayList<>()).add(EndToEndBenchmark.size(repo) - before);
    Path target = work.resolve("restored");
    EndToEndBenchmark.delete(target);
    measure("mixed: restore v2", tool, restore(tool, repo, target));
    EndToEndBenchmark.delete(target);
  }

  private void smallRound(String tool, Path pristine) throws Exception {
    Path source = fresh(pristine, "source");
    Path repo = newRepo(tool, "repo-small");
    measure("200k files: full backup", tool, backup(tool, source, repo));
    long before = EndToEndBenchmark.size(repo);
    measure("200k files: nothing changed", tool, backup(tool, source, repo));
    growth.computeIfAbsent("200k files: nothing changed", k -> new LinkedHashMap<>())
        .computeIfAbsent(tool, k -> new ArrayList<>()).add(EndToEndBenchmark.size(repo) - before);
  }

  /** A fresh source directory holding one small file. */
  private Path oneFileSource() throws Exception {
    Path source = work.resolve("source");
    EndToEndBenchmark.delete(source);
    Files.createDirectories(source);
    Files.write(source.resolve("one.txt"), "one file\n".getBytes(StandardCharsets.US_ASCII));
    return source;
  }

  private void oneFile(String tool) throws Exception {
    Path source = oneFileSource();
    Path repo = newRepo(tool, "repo-one");
    measure("one-file backup", tool, backup(tool, source, repo));
  }

  /** A copy of the pristine tree at the same path every time (tar keeps times, modes and links). */
  private Path fresh(Path pristine, String name) throws Exception {
    Path source = work.resolve(name);
    EndToEndBenchmark.delete(source);
    Files.createDirectories(source);
    VerifyBenchmark.run("sh", "-c", "tar -C '" + pristine + "' -cf - . | tar -C '" + source + "' -xf -");
    return source;
  }

  private Path newRepo(String tool, String name) throws Exception {
    Path repo = work.resolve(name + "-" + tool);
    EndToEndBenchmark.delete(repo);
    EndToEndBenchmark.delete(work.resolve("borg-home"));
    switch (tool) {
      case "restic":
        VerifyBenchmark.run("restic", "-r", repo.toString(), "init");
        break;
      case "borg":
        VerifyBenchmark.run("borg", "init", "-e", "none", repo.toString());
        break;
      default:
        break;
    }
    return repo;
  }

  private String[] backup(String tool, Path source, Path repo) {
    switch (tool) {
      case "restic":
        return new String[] {"restic", "-r", repo.toString(), "backup", "--quiet", source.toString()};
      case "borg":
        return new String[] {"borg", "create", repo + "::{now:%Y%m%dT%H%M%S.%f}", source.toString()};
      default:
        return new String[] {hbackup, "backup", "--source", source.toString(), "--repo", repo.toString()};
    }
  }

  private String[] restore(String tool, Path repo, Path target) throws Exception {
    Files.createDirectories(target);
    switch (tool) {
      case "restic":
        return new String[] {"restic", "-r", repo.toString(), "restore", "latest", "--target", target.toString()};
      case "borg":
        // borg extracts into the working directory; the archive's name is looked up untimed.
        String archive = VerifyBenchmark.output("borg", "list", "--last", "1", "--format", "{archive}", repo.toString());
        return new String[] {"sh", "-c", "cd '" + target + "' && exec borg extract '" + repo + "::" + archive + "'"};
      default:
        return new String[] {hbackup, "restore", "--repo", repo.toString(), "--point", "latest",
            "--target", target.toString()};
    }
  }

  /** Runs one command under /usr/bin/time, a fresh process, and keeps its wall time, RSS and CPU. */
  private void measure(String step, String tool, String[] command) throws Exception {
    Path times = work.resolve("time.txt");
    List<String> timed = new ArrayList<>(List.of("/usr/bin/time", "-o", times.toString(), "-f", "%e %M %U %S"));
    timed.addAll(Arrays.asList(command));
    VerifyBenchmark.run(timed.toArray(new String[0]));
    String[] f = Files.readAllLines(times).get(Files.readAllLines(times).size() - 1).trim().split(" ");
    samples.computeIfAbsent(step, k -> new LinkedHashMap<>()).computeIfAbsent(tool, k -> new ArrayList<>())
        .add(new double[] {Double.parseDouble(f[0]), Double.parseDouble(f[1]),
            Double.parseDouble(f[2]) + Double.parseDouble(f[3])});
  }

  // ---- the report ------------------------------------------------------------------------------

  private static double median(List<double[]> s, int field) {
    double[] v = s.stream().mapToDouble(x -> x[field]).sorted().toArray();
    return v.length % 2 == 1 ? v[v.length / 2] : (v[v.length / 2 - 1] + v[v.length / 2]) / 2;
  }

  private void print(Path mixed, Path small, int rounds) throws Exception {
    System.out.printf(Locale.ROOT, "Mixed tree: %,d bytes in %d files and %d symlinks; 200k tree: %,d bytes in"
        + " %d files. %s; %s. Medians of %d rounds, a fresh process per command.%n%n",
        EndToEndBenchmark.size(mixed), count(mixed, false), count(mixed, true), EndToEndBenchmark.size(small),
        count(small, false), VerifyBenchmark.version("restic", "version"), VerifyBenchmark.version("borg", "--version"),
        rounds);
    System.out.println("| step | hbackup | restic | borg | hbackup / restic | hbackup / borg |"
        + " peak RSS hbackup / restic / borg (MiB) | hbackup CPU / wall |");
    System.out.println("|---|---|---|---|---|---|---|---|");
    for (Map.Entry<String, Map<String, List<double[]>>> e : samples.entrySet()) {
      Map<String, List<double[]>> t = e.getValue();
      double h = median(t.get("hbackup"), 0);
      double r = median(t.get("restic"), 0);
      double g = median(t.get("borg"), 0);
      System.out.printf(Locale.ROOT, "| %s | %.2f s | %.2f s | %.2f s | %.2fx | %.2fx | %.0f / %.0f / %.0f | %.2f |%n",
          e.getKey(), h, r, g, h / r, h / g, median(t.get("hbackup"), 1) / 1024, median(t.get("restic"), 1) / 1024,
          median(t.get("borg"), 1) / 1024, median(t.get("hbackup"), 2) / h);
    }
    System.out.println();
    // Every run, in the order the rounds ran: on a shared machine the spread says how far a
    // median can be trusted.
    System.out.println("| step: every run (wall s) | hbackup | restic | borg |");
    System.out.println("|---|---|---|---|");
    for (Map.Entry<String, Map<String, List<double[]>>> e : samples.entrySet()) {
      System.out.printf(Locale.ROOT, "| %s | %s | %s | %s |%n", e.getKey(), runs(e.getValue().get("hbackup")),
          runs(e.getValue().get("restic")), runs(e.getValue().get("borg")));
    }
    System.out.println();
    System.out.println("| nothing-changed backup: repository growth | hbackup | restic | borg |");
    System.out.println("|---|---|---|---|");
    for (Map.Entry<String, Map<String, List<Long>>> e : growth.entrySet()) {
      System.out.printf(Locale.ROOT, "| %s | %,d bytes | %,d bytes | %,d bytes |%n", e.getKey(),
          medianLong(e.getValue().get("hbackup")), medianLong(e.getValue().get("restic")),
          medianLong(e.getValue().get("borg")));
    }
  }

  private static String runs(List<double[]> s) {
    StringBuilder b = new StringBuilder();
    for (double[] x : s == null ? List.<double[]>of() : s) {
      b.append(b.length() == 0 ? "" : " / ").append(String.format(Locale.ROOT, "%.2f", x[0]));
    }
    return b.toString();
  }

  private static long medianLong(List<Long> v) {
    List<Long> s = v.stream().sorted().toList();
    return s.get(s.size() / 2);
  }

  private static long count(Path root, boolean links) throws IOException {
    try (Stream<Path> s = Files.walk(root)) {
      return s.filter(p -> links ? Files.isSymbolicLink(p) : Files.isRegularFile(p, LinkOption.NOFOLLOW_LINKS)).count();
    }
  }
}
