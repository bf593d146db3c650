package org.hbackup.bench;

import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Times hbackup's verify against restic's check and borg's check as a user runs them: one fresh
 * process per command (bin/hbackup, restic, borg), over repositories of the same data set made
 * once beforehand, in the same run. Each check runs twice, in alternating order, and the better
 * time counts: the structure only ({@code hbackup verify}, {@code restic check}, {@code borg
 * check}) and every byte read and checked ({@code verify --read-data}, {@code check --read-data},
 * {@code check --verify-data}).
 *
 * <p>Usage: {@code VerifyBenchmark WORK_DIR [GIB]}, with {@code -Dhbackup.home} the checkout
 * (bin/benchmark sets it). restic's repository password comes from the environment
 * ({@code RESTIC_PASSWORD}), set here for the child processes only. Prints a Markdown table.
 */
public final class VerifyBenchmark {
  private VerifyBenchmark() {
  }

  public static void main(String[] args) throws Exception {
    Path work = Paths.get(args.length > 0 ? args[0] : "/tmp/hbackup-bench").toAbsolutePath();
    double gib = args.length > 1 ? Double.parseDouble(args[1]) : 1.0;
    Path home = Paths.get(System.getProperty("hbackup.home", ".")).toAbsolutePath();
    Path source = work.resolve("source");
    if (!Files.exists(work.resolve("source.complete"))) {
      EndToEndBenchmark.delete(work);
      Files.createDirectories(source);
      DataSet.generate(source, (long) (gib * (1L << 30)));
      Files.createFile(work.resolve("source.complete"));
    }
    String hbackup = home.resolve("bin/hbackup").toString();
    Path verifyDir = work.resolve("verify");
    String hb = verifyDir.resolve("hbackup-repo").toString();
    String restic = verifyDir.resolve("restic-repo").toString();
    String borg = verifyDir.resolve("borg-repo").toString();
    if (!Files.exists(verifyDir.resolve("repos.complete"))) {
      EndToEndBenchmark.delete(verifyDir);
      Files.createDirectories(verifyDir);
      run(hbackup, "backup", "--source", source.toString(), "--repo", hb);
      run("restic", "-r", restic, "init");
      run("restic", "-r", restic, "backup", "--quiet", source.toString());
      run("borg", "init", "-e", "none", borg);
      run("borg", "create", borg + "::bench", source.toString());
      Files.createFile(verifyDir.resolve("repos.complete"));
    }

    warmUp(hbackup, work);
    Map<String, List<String>> checks = new LinkedHashMap<>();
    checks.put("hbackup verify", List.of(hbackup, "verify", "--repo", hb));
    checks.put("restic check", List.of("restic", "-r", restic, "check"));
    checks.put("borg check", List.of("borg", "check", borg));
    checks.put("hbackup verify --read-data", List.of(hbackup, "verify", "--repo", hb, "--read-data"));
    checks.put("restic check --read-data", List.of("restic", "-r", restic, "check", "--read-data"));
    checks.put("borg check --verify-data", List.of("borg", "check", "--verify-data", borg));
    Map<String, double[]> times = new LinkedHashMap<>();
    checks.keySet().forEach(k -> times.put(k, new double[2]));
    for (int round = 0; round < 2; round++) {
      List<String> order = new ArrayList<>(checks.keySet());
      if (round == 1) {
        java.util.Collections.reverse(order);
      }
      for (String name : order) {
        List<String> command = checks.get(name);
        times.get(name)[round] = EndToEndBenchmark.time(() -> run(command.toArray(new String[0])));
        System.err.printf(Locale.ROOT, "round %d: %s %.2f s%n", round + 1, name, times.get(name)[round]);
      }
    }
    System.out.printf(Locale.ROOT, "Data set: %d bytes (%s); repositories: hbackup %d, restic %d, borg %d bytes; %s; %s%n%n",
        EndToEndBenchmark.size(source), work, EndToEndBenchmark.size(Paths.get(hb)),
        EndToEndBenchmark.size(Paths.get(restic)), EndToEndBenchmark.size(Paths.get(borg)),
        version("restic", "version"), version("borg", "--version"));
    System.out.println("| check | best of 2 | vs restic | all runs |");
    System.out.println("|---|---|---|---|");
    row(times, "hbackup verify", "restic check");
    row(times, "restic check", "restic check");
    row(times, "borg check", "restic check");
    row(times, "hbackup verify --read-data", "restic check --read-data");
    row(times, "restic check --read-data", "restic check --read-data");
    row(times, "borg check --verify-data", "restic check --read-data");
  }

  private static void row(Map<String, double[]> times, String name, String against) {
    double best = Math.min(times.get(name)[0], times.get(name)[1]);
    double restic = Math.min(times.get(against)[0], times.get(against)[1]);
    System.out.printf(Locale.ROOT, "| `%s` | %.2f s | %.2fx | %.2f s / %.2f s |%n", name, best, best / restic,
        times.get(name)[0], times.get(name)[1]);
  }

  /** Runs a command as its own process; its output is discarded, a failure stops the benchmark. */
  static void run(String... command) throws IOException, InterruptedException {
    ProcessBuilder pb = tool(command).redirectErrorStream(true)
        .redirectOutput(ProcessBuilder.Redirect.appendTo(new File(System.getProperty("java.io.tmpdir"),
            "hbackup-verify-benchmark.log")));
    int code = pb.start().waitFor();
    if (code != 0) {
      throw new IllegalStateException(String.join(" ", command) + " exited " + code
          + " (output in ${java.io.tmpdir}/hbackup-verify-benchmark.log)");
    }
  }

  /**
   * The first job after a build writes bin/hbackup's class-data archive from the classes that run
   * loaded, and takes longer for it: a one-file backup, untimed, so that the timed runs map an
   * archive as a user's usual runs do.
   */
  static void warmUp(String hbackup, Path work) throws IOException, InterruptedException {
    Path dir = work.resolve("warm-up");
    EndToEndBenchmark.delete(dir);
    Files.createDirectories(dir.resolve("source"));
    Files.writeString(dir.resolve("source").resolve("one.txt"), "one file\n");
    run(hbackup, "backup", "--source", dir.resolve("source").toString(), "--repo", dir.resolve("repo").toString());
    EndToEndBenchmark.delete(dir);
  }

  /** Runs a command as {@link #run} does and returns its standard output, trimmed. */
  static String output(String... command) throws IOException, InterruptedException {
    Process p = tool(command).start();
    String out = new String(p.getInputStream().readAllBytes()).trim();
    if (p.waitFor() != 0) {
      throw new IllegalStateException(String.join(" ", command) + " exited " + p.exitValue());
    }
    return out;
  }

  /** A process of a backup tool, with the environment every run of the benchmarks gives it. */
  private static ProcessBuilder tool(String... command) {
    ProcessBuilder pb = new ProcessBuilder(command);
    pb.environment().put("RESTIC_PASSWORD", "benchmark");
    pb.environment().put("BORG_UNKNOWN_UNENCRYPTED_REPO_ACCESS_IS_OK", "yes");
    // The benchmark runs tools on copies of their repositories: borg would ask whether one moved.
    pb.environment().put("BORG_RELOCATED_REPO_ACCESS_IS_OK", "yes");
    if (System.getProperty("hbackup.bench.borg.base") != null) {
      pb.environment().put("BORG_BASE_DIR", System.getProperty("hbackup.bench.borg.base"));
    }
    pb.redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")));
    return pb;
  }

  static String version(String... command) throws IOException, InterruptedException {
    Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
    String out = new String(p.getInputStream().readAllBytes()).trim();
    p.waitFor();
    return out;
  }
}
