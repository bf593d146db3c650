package org.hbackup.cli;

import java.io.PrintStream;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.apache.commons.cli.CommandLine;
import org.apache.commons.cli.Options;
import org.apache.hadoop.util.StringUtils;
import org.hbackup.common.io.Json;
import org.hbackup.common.repo.Repository;
import org.hbackup.prune.PruneCounters;
import org.hbackup.prune.PruneJob;
import org.hbackup.prune.PruneOptions;

/**
 * {@code hbackup prune}: deletes the data no remaining point uses and rewrites packs that are
 * mostly unused, under an exclusive lock; exit 3 when damage the remaining points depend on stops
 * it before it deletes anything.
 */
final class PruneCommand extends Command {
  PruneCommand(PrintStream out, PrintStream err) {
    super(out, err);
  }

  @Override
  String name() {
    return "prune";
  }

  @Override
  String synopsis() {
    return "hbackup prune --repo URI [--max-unused PERCENT] [--dry-run] [--quiet] [--json]";
  }

  @Override
  Options options() {
    return new Options()
        .addOption(required("repo", "URI", "repository"))
        .addOption(optional("max-unused", "PERCENT", "rewrite packs with more unused bytes than this (default 5)"))
        .addOption(flag("dry-run", "change nothing; report what would be deleted and rewritten"))
        .addOption(flag("json", "print one JSON report on stdout"))
        .addOption(flag("quiet", "no progress lines on stderr"));
  }

  @Override
  int execute(CommandLine line) throws Exception {
    PruneOptions options = options(line, line.hasOption("dry-run"));
    Repository repository = Repository.open(path(line, "repo"), getConf());
    PruneJob.Result r = new PruneJob(getConf(), repository.layout().root(), options).run();
    if (line.hasOption("json")) {
      ObjectNode report = Json.object();
      report.put("repository", repository.layout().root().toString());
      describe(r, report);
      printJson(report);
    } else {
      out().println(summary(r));
    }
    writeOozieProperties(properties(r));
    return exitCode(r, err(), name());
  }

  static PruneOptions options(CommandLine line, boolean dryRun) throws UsageException {
    String max = line.getOptionValue("max-unused", Double.toString(PruneOptions.DEFAULT_MAX_UNUSED_PERCENT));
    return build(() -> new PruneOptions(parsePercent(max), dryRun));
  }

  private static double parsePercent(String text) {
    String t = text.endsWith("%") ? text.substring(0, text.length() - 1) : text;
    try {
      return Double.parseDouble(t);
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException("--max-unused '" + text + "' is not a percentage");
    }
  }

  /** Exit 3 when damage stopped it, 1 when a point published meanwhile made it delete nothing. */
  static int exitCode(PruneJob.Result r, PrintStream err, String command) {
    if (r.damage()) {
      PruneJob.Problem first = r.problems().isEmpty() ? null : r.problems().get(0);
      err.println("hbackup " + command + ": damage found: " + r.get(PruneCounters.PROBLEMS) + " problem(s) the"
          + " remaining points depend on; nothing was deleted" + (first == null ? "" : " (first: " + first.file()
          + ": " + first.reason() + ")") + "; run 'hbackup verify', then 'hbackup repair'");
      return ExitCodes.DAMAGE;
    }
    if (r.deferredBecause() != null) {
      err.println("hbackup " + command + ": nothing was deleted: " + r.deferredBecause());
      return ExitCodes.FAILURE;
    }
    return ExitCodes.SUCCESS;
  }

  /** The one-line result. */
  static String summary(PruneJob.Result r) {
    long deleted = r.get(PruneCounters.PACKS_DELETED) + r.get(PruneCounters.PACKS_DAMAGED);
    if (r.dryRun()) {
      return String.format(Locale.ROOT, "Would delete %d of %d packs and rewrite %d (%s of their %s of blobs unused;"
          + " %s of used blobs to copy), and delete %d unused segments; nothing changed (%.1f s)", deleted,
          r.get(PruneCounters.PACKS_BEFORE), r.get(PruneCounters.PACKS_REPACKED),
          StringUtils.byteDesc(r.get(PruneCounters.BYTES_UNUSED)),
          StringUtils.byteDesc(r.get(PruneCounters.BYTES_UNUSED) + r.get(PruneCounters.BYTES_LIVE)),
          StringUtils.byteDesc(r.get(PruneCounters.BYTES_TO_COPY)), r.get(PruneCounters.SEGMENTS_UNUSED),
          r.durationMs() / 1000.0);
    }
    return String.format(Locale.ROOT, "%s %d of %d packs, rewrote %d (%d blobs, %s copied into %d new packs),"
        + " deleted %d segments and %d manifest files; %s -> %s (%s reclaimed) in %.1f s",
        r.deleted() ? "Deleted" : "Stopped before deleting:", deleted, r.get(PruneCounters.PACKS_BEFORE),
        r.get(PruneCounters.PACKS_REPACKED), r.get(PruneCounters.BLOBS_COPIED),
        StringUtils.byteDesc(r.get(PruneCounters.BYTES_COPIED)), r.get(PruneCounters.PACKS_WRITTEN),
        r.get(PruneCounters.SEGMENTS_DELETED), r.get(PruneCounters.MANIFEST_FILES_DELETED),
        StringUtils.byteDesc(r.bytesBefore()), StringUtils.byteDesc(r.bytesAfter()),
        StringUtils.byteDesc(Math.max(0, r.bytesBefore() - r.bytesAfter())), r.durationMs() / 1000.0);
  }

  /** Every figure of the prune into {@code report}. */
  static void describe(PruneJob.Result r, ObjectNode report) {
    report.put("dryRun", r.dryRun());
    report.put("deleted", r.deleted());
    if (r.deferredBecause() == null) {
      report.putNull("deferred");
    } else {
      report.put("deferred", r.deferredBecause());
    }
    report.put("bytesBefore", r.bytesBefore());
    report.put("bytesAfter", r.bytesAfter());
    report.put("bytesReclaimed", Math.max(0, r.bytesBefore() - r.bytesAfter()));
    for (PruneCounters c : PruneCounters.values()) {
      report.put(camel(c.name()), r.get(c));
    }
    ArrayNode problems = report.putArray("problemList");
    for (PruneJob.Problem p : r.problems()) {
      problems.addObject().put("file", p.file()).put("reason", p.reason());
    }
    report.put("durationMs", r.durationMs());
  }

  static Map<String, String> properties(PruneJob.Result r) {
    Map<String, String> props = new LinkedHashMap<>();
    props.put("deleted", Boolean.toString(r.deleted()));
    props.put("bytesBefore", Long.toString(r.bytesBefore()));
    props.put("bytesAfter", Long.toString(r.bytesAfter()));
    for (PruneCounters c : PruneCounters.values()) {
      props.put(camel(c.name()), Long.toString(r.get(c)));
    }
    return props;
  }
}
