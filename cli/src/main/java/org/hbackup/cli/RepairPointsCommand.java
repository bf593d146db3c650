package org.hbackup.cli;

import java.io.PrintStream;
import java.util.ArrayList;
import java.util.List;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.apache.commons.cli.CommandLine;
import org.apache.commons.cli.Option;
import org.apache.commons.cli.Options;
import org.hbackup.common.id.PointId;
import org.hbackup.common.io.Json;
import org.hbackup.common.repo.Repository;
import org.hbackup.verify.RepairPointsJob;

/**
 * {@code hbackup repair points}: for each point that names data the repository no longer has,
 * writes a new point without the files that cannot be restored (its change list names them);
 * with --forget, removes the damaged originals.
 */
final class RepairPointsCommand extends Command {
  RepairPointsCommand(PrintStream out, PrintStream err) {
    super(out, err);
  }

  @Override
  String name() {
    return "repair points";
  }

  @Override
  String synopsis() {
    return "hbackup repair points --repo URI [--point ID]... [--forget] [--dry-run] [--quiet] [--json]";
  }

  @Override
  Options options() {
    return new Options()
        .addOption(required("repo", "URI", "repository"))
        .addOption(Option.builder().longOpt("point").hasArg().argName("ID")
            .desc("repair only this point; repeatable; default: every damaged point").build())
        .addOption(flag("forget", "remove each damaged original once its repaired point is published"))
        .addOption(flag("dry-run", "change nothing; report what would be dropped"))
        .addOption(flag("json", "print one JSON report on stdout"))
        .addOption(flag("quiet", "no progress lines on stderr"));
  }

  @Override
  int execute(CommandLine line) throws Exception {
    List<PointId> points = new ArrayList<>();
    String[] given = line.getOptionValues("point");
    if (given != null) {
      for (String p : given) {
        points.add(build(() -> PointId.parse(p)));
      }
    }
    Repository repository = Repository.open(path(line, "repo"), getConf());
    RepairPointsJob.Result r = new RepairPointsJob(getConf(), repository.layout().root(), points,
        line.hasOption("forget"), line.hasOption("dry-run")).run();
    if (line.hasOption("json")) {
      ObjectNode report = Json.object();
      report.put("repository", repository.layout().root().toString());
      report.put("dryRun", r.dryRun());
      ArrayNode rows = report.putArray("points");
      for (RepairPointsJob.Repaired p : r.points()) {
        ObjectNode row = rows.addObject();
        row.put("point", p.original().toString());
        if (p.repaired() == null) {
          row.putNull("repaired");
        } else {
          row.put("repaired", p.repaired().toString());
        }
        row.put("filesDropped", p.filesDropped());
        ArrayNode dropped = row.putArray("dropped");
        p.dropped().forEach(dropped::add);
        row.put("forgotten", p.forgotten());
        if (p.problem() != null) {
          row.put("problem", p.problem());
        }
      }
      report.put("durationMs", r.durationMs());
      printJson(report);
    } else if (r.points().isEmpty()) {
      out().println("No point of " + repository.layout().root() + " names data the repository lacks");
    } else {
      for (RepairPointsJob.Repaired p : r.points()) {
        out().printf("Point %s: %s%s%n", p.original(), p.problem() != null ? "not repaired, " + p.problem()
            : (r.dryRun() ? "would be repaired" : "repaired as " + p.repaired()) + " without " + p.filesDropped()
            + " file(s): " + String.join(", ", p.dropped()), p.forgotten() ? "; forgotten" : "");
      }
    }
    // A point that could not be rewritten and is still there is damage left in the repository:
    // a script that checks only the exit code must not take it as repaired (found by a probe).
    for (RepairPointsJob.Repaired p : r.points()) {
      if (p.problem() != null && !p.forgotten()) {
        err().println("hbackup repair points: point " + p.original() + " is not repaired (" + p.problem()
            + "); --forget removes it");
        return ExitCodes.DAMAGE;
      }
    }
    return ExitCodes.SUCCESS;
  }
}
