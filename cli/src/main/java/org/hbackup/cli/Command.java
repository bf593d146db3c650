package org.hbackup.cli;

import java.io.FileOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;

import com.fasterxml.jackson.databind.node.ObjectNode;
import org.apache.commons.cli.CommandLine;
import org.apache.commons.cli.DefaultParser;
import org.apache.commons.cli.HelpFormatter;
import org.apache.commons.cli.Option;
import org.apache.commons.cli.Options;
import org.apache.commons.cli.ParseException;
import org.apache.hadoop.conf.Configured;
import org.apache.hadoop.fs.Path;
import org.apache.hadoop.util.Tool;
import org.hbackup.common.Printable;
import org.hbackup.common.DamageException;
import org.hbackup.common.HbackupException;
import org.hbackup.common.OneLine;
import org.hbackup.common.id.PointId;
import org.hbackup.common.point.PointRecord;
import org.hbackup.common.repo.PointScan;
import org.hbackup.common.repo.Repository;
import org.hbackup.common.repo.RepositoryLayout;
import org.hbackup.common.io.InProcessLocalFileSystem;
import org.hbackup.common.io.Json;
import org.hbackup.job.JobSetup;
import org.hbackup.job.ProgressReporter;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One subcommand, run through {@link org.apache.hadoop.util.ToolRunner} so Hadoop's generic
 * options work. Turns every outcome into one line on stderr (or a JSON document on stdout) and a
 * documented exit code; the Oozie properties file gets the same figures.
 */
abstract class Command extends Configured implements Tool {
  private static final Logger LOG = LoggerFactory.getLogger(Command.class);
  /** The system property through which Oozie's java action asks for captured output. */
  static final String OOZIE_OUTPUT = "oozie.action.output.properties";
  /** Oozie's limit for captured output. */
  static final int OOZIE_MAX_BYTES = 2048;

  private final PrintStream out;
  private final PrintStream err;

  Command(PrintStream out, PrintStream err) {
    this.out = out;
    this.err = err;
  }

  abstract String name();

  abstract String synopsis();

  abstract Options options();

  /** Runs the parsed command; returns the exit code. */
  abstract int execute(CommandLine line) throws Exception;

  @Override
  public final int run(String[] args) {
    CommandLine line;
    try {
      line = new DefaultParser().parse(options(), args);
      if (!line.getArgList().isEmpty()) {
        throw new ParseException("unexpected argument '" + line.getArgList().get(0) + "'");
      }
    } catch (ParseException e) {
      err.println("hbackup " + name() + ": " + e.getMessage());
      err.println("usage: " + synopsis());
      return ExitCodes.USAGE;
    }
    Hbackup.useTmpDirProperty(getConf());
    if (JobSetup.runsLocally(getConf())) {
      // Before this command's first use of file:, whose instance Hadoop caches per JVM.
      InProcessLocalFileSystem.preferFor(getConf());
    }
    // Progress lines of the jobs this command runs go to its stderr (ProgressReporter).
    ProgressReporter.printTo(line.hasOption("quiet") ? null : err);
    try {
      return execute(line);
    } catch (UsageException e) {
      err.println("hbackup " + name() + ": " + e.getMessage());
      return ExitCodes.USAGE;
    } catch (DamageException e) {
      err.println("hbackup " + name() + ": damage found: " + Printable.escape(e.getMessage()));
      return ExitCodes.DAMAGE;
    } catch (Exception e) {
      LOG.debug("hbackup {} failed", name(), e);
      err.println("hbackup " + name() + ": " + Printable.escape(oneLine(e)));
      return ExitCodes.FAILURE;
    } finally {
      ProgressReporter.printTo(null);
    }
  }

  static String oneLine(Throwable e) {
    return OneLine.of(e);
  }

  PrintStream out() {
    return out;
  }

  PrintStream err() {
    return err;
  }

  static Option required(String longName, String argName, String description) {
    return Option.builder().longOpt(longName).hasArg().argName(argName).required().desc(description).build();
  }

  static Option optional(String longName, String argName, String description) {
    return Option.builder().longOpt(longName).hasArg().argName(argName).desc(description).build();
  }

  /** The smallest --bandwidth: 10 KiB/s per map task. */
  static final float MIN_BANDWIDTH_MIB = 0.01f;

  /** {@code --max-maps N} and {@code --bandwidth MIB}, as DistCp's {@code -m} and {@code -bandwidth}. */
  static Options withTaskLimits(Options options) {
    return options.addOption(optional("max-maps", "N", "at most N map tasks (default 20)"))
        .addOption(optional("bandwidth", "MIB", "at most MIB MiB/s per map task, as DistCp's -bandwidth "
            + "(default: no limit)"));
  }

  /**
   * Sets the job keys of {@code --max-maps} and {@code --bandwidth} when given, then checks those
   * keys whichever way they were set: {@code -D} and configuration files too, where a 0 or a
   * negative number would otherwise quietly mean one map task or no limit.
   */
  void applyTaskLimits(CommandLine line, String maxMapsKey, String bandwidthKey) throws UsageException {
    if (line.hasOption("max-maps")) {
      getConf().set(maxMapsKey, line.getOptionValue("max-maps").trim());
    }
    if (line.hasOption("bandwidth")) {
      getConf().set(bandwidthKey, line.getOptionValue("bandwidth").trim());
    }
    String maps = getConf().getTrimmed(maxMapsKey);
    if (maps != null) {
      int value;
      try {
        value = Integer.parseInt(maps);
      } catch (NumberFormatException e) {
        value = 0;
      }
      if (value < 1) {
        throw new UsageException("--max-maps (" + maxMapsKey + ") must be a whole number from 1 to "
            + Integer.MAX_VALUE + ", not '" + maps + "'");
      }
      getConf().setInt(maxMapsKey, value);
    }
    String bandwidth = getConf().getTrimmed(bandwidthKey);
    if (bandwidth != null) {
      float mib;
      try {
        mib = bandwidth.matches("[0-9]*\\.?[0-9]+") ? Float.parseFloat(bandwidth) : Float.NaN;
      } catch (NumberFormatException e) {
        mib = Float.NaN;
      }
      // 0 is no limit; below 0.01 MiB/s (10 KiB/s) a task would take hours per file and look hung.
      boolean none = bandwidth.matches("0*\\.?0*");
      if (!(none && mib == 0 || mib >= MIN_BANDWIDTH_MIB) || Float.isInfinite(mib)) {
        throw new UsageException("--bandwidth (" + bandwidthKey + ") must be a number of MiB/s per map task, at least "
            + MIN_BANDWIDTH_MIB + " (0: no limit), not '" + bandwidth + "'");
      }
      getConf().setFloat(bandwidthKey, mib);
    }
  }

  static Option flag(String longName, String description) {
    return Option.builder().longOpt(longName).desc(description).build();
  }

  /** Builds an options object, turning its validation failures into usage errors. */
  static <T> T build(java.util.function.Supplier<T> builder) throws UsageException {
    try {
      return builder.get();
    } catch (IllegalArgumentException | NullPointerException e) {
      throw new UsageException(e.getMessage());
    }
  }

  /** A point option: its id, or null for "latest"; a malformed id is a usage error. */
  static PointId pointArgument(CommandLine line, String option) throws UsageException {
    String text = line.getOptionValue(option);
    return "latest".equals(text) ? null : build(() -> PointId.parse(text));
  }

  /**
   * The point itself, or the repository's latest for null. "latest" is the newest point the
   * repository holds, readable or not: when a newer record cannot be read, the newest readable
   * point is not the latest, and taking it silently would restore (or verify as clean) an older
   * point than the user asked for. That is damage, reported with the record's name.
   */
  static PointId resolve(Repository repository, PointId point) throws IOException {
    if (point != null) {
      return point;
    }
    PointScan scan = repository.scanPoints();
    PointRecord latest = scan.latest();
    List<String> newer = new ArrayList<>();
    for (PointScan.Unreadable u : scan.unreadable()) {
      String name = new Path(u.file()).getName();
      if (latest == null || name.compareTo(latest.id() + RepositoryLayout.JSON_SUFFIX) > 0) {
        newer.add(u.file() + " (" + u.reason() + ")");
      }
    }
    if (!newer.isEmpty()) {
      throw new DamageException("the latest point is not known: " + String.join("; ", newer)
          + (latest == null ? "" : "; the newest readable point is " + latest.id() + ", which --point "
              + latest.id() + " selects"));
    }
    if (latest == null) {
      throw new HbackupException("repository " + repository.layout().root() + " has no points");
    }
    return latest.id();
  }

  static Path path(CommandLine line, String option) throws UsageException {
    String value = line.getOptionValue(option);
    if (value == null || value.isEmpty()) {
      throw new UsageException("--" + option + " needs a path or URI");
    }
    try {
      return new Path(value);
    } catch (IllegalArgumentException e) {
      // Hadoop reads "name:rest" as a URI of scheme "name"; a relative local path with a colon
      // before its first slash is not one (e.g. out:2/x), and java.net's message alone does not
      // say which argument or how to write it.
      throw new UsageException("--" + option + " '" + value + "' is not a path or URI ("
          + e.getMessage() + "); a local path with a colon is written ./" + value + " or as file:///...");
    }
  }

  void printJson(ObjectNode report) throws IOException {
    // Which hbackup wrote the report, like every point record it publishes.
    report.put("version", org.hbackup.common.HbackupVersion.get());
    out.println(Json.toPrettyString(report));
    out.flush();
  }

  /** Writes results for Oozie's capture-output when the action asked for it; at most 2 KB. */
  static void writeOozieProperties(Map<String, String> values) throws IOException {
    String file = System.getProperty(OOZIE_OUTPUT);
    if (file == null) {
      return;
    }
    Properties props = new Properties();
    // Counted as stored: Properties escapes every non-ASCII character as six bytes (a name in
    // another script is six times its length), and Oozie fails an action whose output is larger.
    // The header (a date line, which -Djava.properties.date may change) is measured, not assumed.
    java.io.ByteArrayOutputStream header = new java.io.ByteArrayOutputStream();
    new Properties().store(header, null);
    int budget = OOZIE_MAX_BYTES - header.size();
    // Every value that fits whole first, so that one long list does not starve the figures after
    // it; then the long ones, each cut to what is left.
    java.util.List<String> tooLong = new java.util.ArrayList<>();
    for (Map.Entry<String, String> e : values.entrySet()) {
      int cost = storedBytes(e.getKey(), e.getValue());
      if (cost <= budget) {
        budget -= cost;
        props.setProperty(e.getKey(), e.getValue());
      } else {
        tooLong.add(e.getKey());
      }
    }
    for (String key : tooLong) {
      String cut = longestPrefixWithin(key, values.get(key), budget);
      if (cut != null) {
        budget -= storedBytes(key, cut);
        props.setProperty(key, cut);
      }
    }
    try (OutputStream o = new FileOutputStream(file)) {
      props.store(o, null);
    }
  }

  /**
   * The longest prefix of {@code value}, marked "...", that stores within {@code budget} bytes;
   * or null when not even "..." does (an empty value would read as "none").
   */
  private static String longestPrefixWithin(String key, String value, int budget) throws IOException {
    int low = 0;
    int high = value.length();
    while (low < high) {
      int middle = (low + high + 1) >>> 1;
      if (storedBytes(key, value.substring(0, middle) + "...") <= budget) {
        low = middle;
      } else {
        high = middle - 1;
      }
    }
    if (low > 0 && Character.isHighSurrogate(value.charAt(low - 1))) {
      low--; // never half a character
    }
    String cut = value.substring(0, low) + "...";
    return storedBytes(key, cut) <= budget ? cut : null;
  }

  /** The bytes one property takes in a file {@link Properties#store(OutputStream, String)} writes. */
  static int storedBytes(String key, String value) throws IOException {
    Properties one = new Properties();
    one.setProperty(key, value);
    java.io.ByteArrayOutputStream bytes = new java.io.ByteArrayOutputStream();
    one.store(bytes, null);
    String text = bytes.toString(StandardCharsets.ISO_8859_1);
    return text.length() - (text.indexOf('\n') + 1); // less the date line store writes first
  }

  static void help(String synopsis, Options options, PrintStream to) {
    HelpFormatter formatter = new HelpFormatter();
    java.io.PrintWriter w = new java.io.PrintWriter(new java.io.OutputStreamWriter(to, StandardCharsets.UTF_8));
    formatter.printHelp(w, 100, synopsis, null, options, 2, 2, null);
    w.flush();
  }

  /** A counter's name as a report field: BYTES_READ becomes bytesRead. */
  static String camel(String constant) {
    StringBuilder b = new StringBuilder();
    boolean upper = false;
    for (char c : constant.toLowerCase(java.util.Locale.ROOT).toCharArray()) {
      if (c == '_') {
        upper = true;
      } else {
        b.append(upper ? Character.toUpperCase(c) : c);
        upper = false;
      }
    }
    return b.toString();
  }
}
