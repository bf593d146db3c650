package org.hbackup.cli;

import java.io.PrintStream;
import java.util.List;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.apache.commons.cli.CommandLine;
import org.apache.commons.cli.Options;
import org.hbackup.common.Printable;
import org.hbackup.common.io.Json;
import org.hbackup.common.point.PointRecord;
import org.hbackup.common.repo.PointScan;
import org.hbackup.common.repo.Repository;

/** {@code hbackup list}: the repository's points, oldest first. */
final class ListCommand extends Command {
  ListCommand(PrintStream out, PrintStream err) {
    super(out, err);
  }

  @Override
  String name() {
    return "list";
  }

  @Override
  String synopsis() {
    return "hbackup list --repo URI [--json]";
  }

  @Override
  Options options() {
    return new Options()
        .addOption(required("repo", "URI", "repository"))
        .addOption(flag("json", "print one JSON report on stdout"));
  }

  @Override
  int execute(CommandLine line) throws Exception {
    Repository repository = Repository.open(path(line, "repo"), getConf());
    PointScan scan = repository.scanPoints();
    List<PointRecord> points = scan.points();
    for (PointScan.Unreadable u : scan.unreadable()) {
      err().println("hbackup list: damage found: point record " + u.file() + " cannot be read: " + u.reason());
    }
    int code = scan.unreadable().isEmpty() ? ExitCodes.SUCCESS : ExitCodes.DAMAGE;
    if (line.hasOption("json")) {
      ObjectNode report = Json.object();
      ArrayNode rows = report.putArray("points");
      for (PointRecord p : points) {
        ObjectNode row = rows.addObject();
        row.put("id", p.id().toString());
        row.put("type", p.type().configName());
        if (p.base() == null) {
          row.putNull("base");
        } else {
          row.put("base", p.base().toString());
        }
        row.put("created", p.created().toString());
        if (p.snapshot() == null) {
          row.putNull("snapshot");
        } else {
          row.put("snapshot", p.snapshot());
        }
        row.put("source", p.source());
        row.put("files", p.files());
        row.put("bytes", p.bytes());
        if (p.hbackupVersion() == null) {
          row.putNull("writtenBy");
        } else {
          row.put("writtenBy", p.hbackupVersion());
        }
      }
      ArrayNode unreadable = report.putArray("unreadable");
      scan.unreadable().forEach(u -> unreadable.addObject().put("file", u.file()).put("reason", u.reason()));
      printJson(report);
      return code;
    }
    if (points.isEmpty()) {
      out().println("No points in " + repository.layout().root());
      return code;
    }
    out().printf("%-29s %-12s %-29s %-24s %10s %15s  %s%n", "ID", "TYPE", "BASE", "CREATED", "FILES", "BYTES", "SOURCE");
    for (PointRecord p : points) {
      out().printf("%-29s %-12s %-29s %-24s %10d %15d  %s%n", p.id(), p.type().configName(),
          p.base() == null ? "-" : p.base().toString(), p.created(), p.files(), p.bytes(), Printable.escape(p.source()));
    }
    return code;
  }
}
