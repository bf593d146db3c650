package org.hbackup.cli;

import java.io.PrintStream;
import java.util.LinkedHashMap;
import java.util.Map;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.apache.commons.cli.CommandLine;
import org.apache.commons.cli.Option;
import org.apache.commons.cli.Options;
import org.hbackup.common.Printable;
import org.hbackup.common.id.PointId;
import org.hbackup.common.io.Json;
import org.hbackup.common.repo.Repository;
import org.hbackup.restore.RestoreConfigKeys;
import org.hbackup.restore.RestoreCounters;
import org.hbackup.restore.RestoreJob;
import org.hbackup.restore.RestoreOptions;
import org.hbackup.restore.RestorePreflight;
import org.hbackup.restore.RestoreResult;

/** {@code hbackup restore}: restores a point, or selected paths of it, into a target. */
final class RestoreCommand extends Command {
  RestoreCommand(PrintStream out, PrintStream err) {
    super(out, err);
  }

  @Override
  String name() {
    return "restore";
  }

  @Override
  String synopsis() {
    return "hbackup restore --repo URI --point ID|latest --target URI [--path PATH]... [--overwrite]"
        + " [--max-maps N] [--bandwidth MIB] [--dry-run] [--quiet] [--json]";
  }

  @Override
  Options options() {
    return withTaskLimits(new Options())
        .addOption(required("repo", "URI", "repository"))
        .addOption(required("point", "ID", "point id, or 'latest'"))
        .addOption(required("target", "URI", "directory to restore into (absent or empty unless --overwrite)"))
        .addOption(Option.builder().longOpt("path").hasArg().argName("PATH")
            .desc("restore only this path (relative to the backed-up root); repeatable").build())
        .addOption(flag("overwrite", "restore into a non-empty target, replacing files"))
        .addOption(flag("dry-run", "say what would be restored and why it would fail (space, quotas, permissions,"
            + " entries --overwrite would replace); write nothing; exit 1 when it would fail"))
        .addOption(flag("json", "print one JSON report on stdout"))
        .addOption(flag("quiet", "no progress lines on stderr"));
  }

  @Override
  int execute(CommandLine line) throws Exception {
    PointId requested = pointArgument(line, "point");
    applyTaskLimits(line, RestoreConfigKeys.MAX_MAPS, RestoreConfigKeys.BANDWIDTH_MIB);
    RestoreOptions.Builder builder = RestoreOptions.builder().target(path(line, "target"))
        .overwrite(line.hasOption("overwrite"));
    String[] paths = line.getOptionValues("path");
    if (paths != null) {
      for (String p : paths) {
        build(() -> builder.path(p));
      }
    }
    Repository repository = Repository.open(path(line, "repo"), getConf());
    PointId point = resolve(repository, requested);
    builder.repository(repository.layout().root()).point(point);
    RestoreOptions options = build(builder::build);
    if (line.hasOption("dry-run")) {
      return dryRun(RestorePreflight.check(getConf(), options), options, line.hasOption("json"));
    }
    RestoreResult result = new RestoreJob(getConf(), options).run();
    Map<String, Long> figures = new LinkedHashMap<>();
    figures.put("files", result.get(RestoreCounters.FILES));
    figures.put("directories", result.get(RestoreCounters.DIRECTORIES));
    figures.put("symlinks", result.get(RestoreCounters.SYMLINKS));
    figures.put("bytesWritten", result.get(RestoreCounters.BYTES_WRITTEN));
    figures.put("throttledMs", result.get(RestoreCounters.THROTTLED_MS));
    figures.put("mapTasks", result.mapTasks());
    figures.put("chunksRead", result.get(RestoreCounters.CHUNKS_READ));
    figures.put("filesFailed", result.get(RestoreCounters.FILES_FAILED));
    figures.put("entriesRefused", result.get(RestoreCounters.ENTRIES_REFUSED));
    figures.put("ownershipNotApplied", result.get(RestoreCounters.OWNERSHIP_NOT_APPLIED));
    figures.put("attributesNotApplied", result.get(RestoreCounters.ATTRIBUTES_NOT_APPLIED));
    figures.put("durationMs", result.durationMs());

    Map<String, String> oozie = new LinkedHashMap<>();
    oozie.put("point", point.toString());
    figures.forEach((k, v) -> oozie.put(k, Long.toString(v)));
    writeOozieProperties(oozie);

    boolean damaged = result.incomplete();
    if (line.hasOption("json")) {
      ObjectNode report = Json.object();
      report.put("point", point.toString());
      report.put("target", options.target().toString());
      figures.forEach(report::put);
      ArrayNode failed = report.putArray("failed");
      ArrayNode reasons = report.putArray("failures");
      for (RestoreResult.Failure f : result.failures()) {
        failed.add(f.path());
        reasons.addObject().put("path", f.path()).put("reason", f.reason());
      }
      printJson(report);
    } else if (!damaged) {
      out().printf("Restored point %s into %s: %,d files, %,d directories, %,d symlinks, %s in %.1f s%n", point,
          line.getOptionValue("target"), figures.get("files"), figures.get("directories"), figures.get("symlinks"),
          org.apache.hadoop.util.StringUtils.byteDesc(figures.get("bytesWritten")), result.durationMs() / 1000.0);
    }
    if (damaged) {
      StringBuilder names = new StringBuilder();
      for (RestoreResult.Failure f : result.failures()) {
        if (names.length() > 0) {
          names.append(", ");
        }
        if (names.length() > 400) {
          names.append("...");
          break;
        }
        names.append(f.path());
      }
      String first = result.failures().isEmpty() ? "" : " (" + result.failures().get(0).reason() + ")";
      // Only refusals (the target or the point's own tree would not let an entry be written, and
      // the repository's data is whole): said so, with the same exit status, instead of "damage".
      long failedFiles = result.get(RestoreCounters.FILES_FAILED);
      long refused = result.get(RestoreCounters.ENTRIES_REFUSED);
      String what = failedFiles == 0 && refused > 0 && result.failures().size() == Math.min(refused,
          RestoreJob.MAX_REPORTED_FAILURES) ? "not everything restored: " : "damage found: ";
      err().println(Printable.escape("hbackup restore: " + what + failedFiles
          + " file(s) not restored, " + result.get(RestoreCounters.ENTRIES_REFUSED) + " entries refused: "
          + names + first));
      return ExitCodes.DAMAGE;
    }
    return ExitCodes.SUCCESS;
  }


  /** Prints the preflight; exit 1 with its reasons when the restore would fail. */
  private int dryRun(RestorePreflight.Report r, RestoreOptions options, boolean json) throws Exception {
    if (json) {
      ObjectNode report = Json.object();
      report.put("dryRun", true);
      report.put("point", options.point().toString());
      report.put("target", options.target().toString());
      report.put("files", r.totals().files());
      report.put("directories", r.totals().directories());
      report.put("symlinks", r.totals().symlinks());
      report.put("bytes", r.totals().bytes());
      report.put("existing", r.existing());
      ArrayNode existing = report.putArray("existingExamples");
      r.existingExamples().forEach(existing::add);
      report.put("ownershipNotApplicable", r.ownershipNotApplicable());
      ArrayNode leftOver = report.putArray("leftOverStagingRemoved");
      r.leftOver().forEach(leftOver::add);
      ArrayNode problems = report.putArray("problems");
      r.problems().forEach(problems::add);
      report.put("wouldSucceed", r.problems().isEmpty());
      printJson(report);
    } else {
      out().printf("Dry run, nothing written: restoring point %s into %s writes %,d files, %,d directories and %,d"
          + " symlinks (%s)%s%s%s%n", options.point(), options.target(), r.totals().files(), r.totals().directories(),
          r.totals().symlinks(), org.apache.hadoop.util.StringUtils.byteDesc(r.totals().bytes()),
          r.existing() == 0 ? "" : String.format("; %,d entries already there would be replaced", r.existing()),
          r.ownershipNotApplicable() == 0 ? ""
              : String.format("; %,d entries would keep this user as owner", r.ownershipNotApplicable()),
          r.leftOver().isEmpty() ? ""
              : "; first it would remove " + Printable.escape(String.join(", ", r.leftOver()))
                  + ", left by a restore that did not finish");
    }
    for (String problem : r.problems()) {
      err().println("hbackup restore: would fail: " + Printable.escape(problem));
    }
    return r.problems().isEmpty() ? ExitCodes.SUCCESS : ExitCodes.FAILURE;
  }
}
