package org.hbackup.cli;

import java.io.PrintStream;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.apache.commons.cli.CommandLine;
import org.apache.commons.cli.Options;
import org.hbackup.common.id.PointId;
import org.hbackup.common.io.Json;
import org.hbackup.common.point.PointRecord;
import org.hbackup.common.repo.PointScan;
import org.hbackup.common.repo.Repository;
import org.hbackup.prune.ForgetJob;
import org.hbackup.prune.KeepPolicy;
import org.hbackup.prune.PruneOptions;
import org.hbackup.prune.Retention;

/**
 * {@code hbackup forget}: removes points by a retention policy applied to each source's points
 * (or the named points), listing what it keeps and why; with --prune, then prunes.
 */
final class ForgetCommand extends Command {
  ForgetCommand(PrintStream out, PrintStream err) {
    super(out, err);
  }

  @Override
  String name() {
    return "forget";
  }

  @Override
  String synopsis() {
    return "hbackup forget --repo URI [--source URI] [--point ID]... [--keep-last N] [--keep-hourly N]"
        + " [--keep-daily N] [--keep-weekly N] [--keep-monthly N] [--keep-yearly N] [--keep-within DURATION]"
        + " [--prune] [--max-unused PERCENT] [--dry-run] [--quiet] [--json]";
  }

  @Override
  Options options() {
    Options o = new Options()
        .addOption(required("repo", "URI", "repository"))
        .addOption(optional("source", "URI", "apply the policy to this source's points only"))
        .addOption(org.apache.commons.cli.Option.builder().longOpt("point").hasArg().argName("ID")
            .desc("remove this point (repeatable), instead of a policy").build());
    for (String rule : new String[] {"last", "hourly", "daily", "weekly", "monthly", "yearly"}) {
      o.addOption(optional("keep-" + rule, "N", rule.equals("last") ? "keep the N newest points"
          : "keep the newest point of each of the last N " + unit(rule) + " that have points"));
    }
    return o.addOption(optional("keep-within", "DURATION",
            "keep every point within this duration (such as 1y2m3d4h) of the newest"))
        .addOption(flag("prune", "then delete the data no remaining point uses"))
        .addOption(optional("max-unused", "PERCENT", "with --prune: rewrite packs with more unused bytes (default 5)"))
        .addOption(flag("dry-run", "change nothing; report what would be removed (and pruned)"))
        .addOption(flag("json", "print one JSON report on stdout"))
        .addOption(flag("quiet", "no progress lines on stderr"));
  }

  private static String unit(String rule) {
    switch (rule) {
      case "hourly":
        return "hours";
      case "daily":
        return "days";
      case "weekly":
        return "ISO weeks";
      case "monthly":
        return "months";
      default:
        return "years";
    }
  }

  @Override
  int execute(CommandLine line) throws Exception {
    KeepPolicy policy = build(() -> new KeepPolicy(count(line, "last"), count(line, "hourly"), count(line, "daily"),
        count(line, "weekly"), count(line, "monthly"), count(line, "yearly"),
        line.hasOption("keep-within") ? KeepPolicy.Within.parse(line.getOptionValue("keep-within")) : null));
    List<PointId> points = new ArrayList<>();
    if (line.getOptionValues("point") != null) {
      for (String p : line.getOptionValues("point")) {
        points.add(build(() -> PointId.parse(p)));
      }
    }
    boolean dryRun = line.hasOption("dry-run");
    PruneOptions prune = line.hasOption("prune") ? PruneCommand.options(line, dryRun) : null;
    Repository repository = Repository.open(path(line, "repo"), getConf());
    ForgetJob job = build(() -> new ForgetJob(getConf(), repository.layout().root(), line.getOptionValue("source"),
        points, policy, prune, dryRun));
    ForgetJob.Result r = job.run();
    if (line.hasOption("json")) {
      printJson(json(repository, r));
    } else {
      text(r);
    }
    writeOozieProperties(r.prune() == null ? Map.of("removed", Integer.toString(r.removed()))
        : PruneCommand.properties(r.prune()));
    if (!r.unreadable().isEmpty()) {
      err().println("hbackup forget: damage found: " + r.unreadable().size() + " point record(s) cannot be read and"
          + " were neither kept nor removed (first: " + r.unreadable().get(0).file() + ")");
    }
    int pruned = r.prune() == null ? ExitCodes.SUCCESS : PruneCommand.exitCode(r.prune(), err(), name());
    return !r.unreadable().isEmpty() ? ExitCodes.DAMAGE : pruned;
  }

  private static int count(CommandLine line, String rule) {
    String v = line.getOptionValue("keep-" + rule);
    if (v == null) {
      return 0;
    }
    try {
      return Integer.parseInt(v);
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException("--keep-" + rule + " '" + v + "' is not a number");
    }
  }

  private void text(ForgetJob.Result r) {
    out().println("Applying policy: " + r.policy() + (r.dryRun() ? " (dry run)" : ""));
    for (ForgetJob.SourceDecision d : r.sources()) {
      out().printf("%s: keep %d point(s), %s %d%n", d.source(), d.kept().size(), r.dryRun() ? "would remove"
          : "removed", d.removed().size());
      for (Retention.Kept k : d.kept()) {
        out().printf("  keep    %s  %s  %s%n", k.point().id(), k.point().created(), String.join(", ", k.reasons()));
      }
      for (PointRecord p : d.removed()) {
        out().printf("  remove  %s  %s%n", p.id(), p.created());
      }
    }
    if (r.snapshotsDeleted() + r.snapshotsNotDeleted() > 0) {
      out().printf("Deleted %d HDFS snapshot(s) of forgotten points%s%n", r.snapshotsDeleted(),
          r.snapshotsNotDeleted() > 0 ? "; " + r.snapshotsNotDeleted() + " could not be deleted (see the log)" : "");
    }
    if (r.prune() != null) {
      out().println(PruneCommand.summary(r.prune()));
    }
  }

  private static ObjectNode json(Repository repository, ForgetJob.Result r) {
    ObjectNode report = Json.object();
    report.put("repository", repository.layout().root().toString());
    report.put("policy", r.policy());
    report.put("dryRun", r.dryRun());
    ArrayNode sources = report.putArray("sources");
    for (ForgetJob.SourceDecision d : r.sources()) {
      ObjectNode s = sources.addObject();
      s.put("source", d.source());
      ArrayNode kept = s.putArray("kept");
      for (Retention.Kept k : d.kept()) {
        ObjectNode p = point(kept.addObject(), k.point());
        ArrayNode reasons = p.putArray("reasons");
        k.reasons().forEach(reasons::add);
      }
      ArrayNode removed = s.putArray("removed");
      d.removed().forEach(p -> point(removed.addObject(), p));
    }
    ArrayNode unreadable = report.putArray("unreadable");
    for (PointScan.Unreadable u : r.unreadable()) {
      unreadable.addObject().put("file", u.file()).put("reason", u.reason());
    }
    report.put("removed", r.removed());
    report.put("snapshotsDeleted", r.snapshotsDeleted());
    report.put("snapshotsNotDeleted", r.snapshotsNotDeleted());
    if (r.prune() == null) {
      report.putNull("prune");
    } else {
      PruneCommand.describe(r.prune(), report.putObject("prune"));
    }
    report.put("durationMs", r.durationMs());
    return report;
  }

  private static ObjectNode point(ObjectNode node, PointRecord p) {
    return node.put("id", p.id().toString()).put("created", p.created().toString())
        .put("type", p.type().configName());
  }
}
