package org.hbackup.cli;

import java.io.IOException;
import java.io.PrintStream;
import java.util.ArrayList;
import java.util.List;

import org.apache.commons.cli.CommandLine;
import org.apache.commons.cli.Options;
import org.hbackup.common.id.PointId;
import org.hbackup.common.manifest.ChangeKind;
import org.hbackup.common.manifest.ChangeListReader;
import org.hbackup.common.manifest.ManifestEntry;
import org.hbackup.common.manifest.ManifestList;
import org.hbackup.common.manifest.ManifestReader;
import org.hbackup.common.manifest.RelativePaths;
import org.hbackup.common.manifest.SegmentRef;
import org.hbackup.common.point.PointRecord;
import org.hbackup.common.point.PointType;
import org.hbackup.common.repo.Repository;

/** {@code hbackup show}: the entries of a point, all of them or those under a path. */
final class ShowCommand extends Command {
  ShowCommand(PrintStream out, PrintStream err) {
    super(out, err);
  }

  @Override
  String name() {
    return "show";
  }

  @Override
  String synopsis() {
    return "hbackup show --repo URI --point ID|latest [--path PREFIX] [--json]";
  }

  @Override
  Options options() {
    return new Options()
        .addOption(required("repo", "URI", "repository"))
        .addOption(required("point", "ID", "point id, or 'latest'"))
        .addOption(optional("path", "PREFIX", "only this path and what is under it"))
        .addOption(flag("json", "print one JSON document on stdout"));
  }

  @Override
  int execute(CommandLine line) throws Exception {
    String prefix = line.hasOption("path") ? RelativePaths.fromUserPath(line.getOptionValue("path")) : null;
    if (prefix != null && RelativePaths.problem(prefix) != null) {
      throw new UsageException("--path '" + prefix + "': " + RelativePaths.problem(prefix));
    }
    PointId requested = pointArgument(line, "point");
    Repository repository = Repository.open(path(line, "repo"), getConf());
    PointId point = resolve(repository, requested);
    PointRecord record = repository.readPoint(point);
    ManifestList manifest = repository.readManifest(record);
    EntryPrinter printer = line.hasOption("json")
        ? EntryPrinter.json(out(), new String[][] {{"point", point.toString()}}, "entries")
        : EntryPrinter.text(out());
    try (printer; ManifestReader reader = ManifestReader.rows(repository::openSegment,
        segmentsUnder(manifest, prefix))) {
      for (ManifestEntry e = reader.next(); e != null; e = reader.next()) {
        if (prefix == null || RelativePaths.isAtOrUnder(e.path(), prefix)) {
          printer.print(e, null);
        }
      }
      if (record.type() == PointType.REPAIRED && record.hasChangeList()) {
        printer.startPaths("dropped", "dropped by the repair of point " + record.base() + ": not restorable");
        printDropped(repository, record, prefix, printer);
      }
      printer.finish();
    }
    return ExitCodes.SUCCESS;
  }

  /** The files a repair left out of a point: its change list names each as deleted. */
  private static void printDropped(Repository repository, PointRecord record, String prefix, EntryPrinter printer)
      throws IOException {
    try (ChangeListReader changes = repository.openChangeList(record)) {
      for (ChangeListReader.Change c = changes.next(); c != null; c = changes.next()) {
        if (c.kind() == ChangeKind.DELETED && (prefix == null || RelativePaths.isAtOrUnder(c.path(), prefix))) {
          printer.path("dropped", c.path());
        }
      }
    }
  }

  /** The segments that can hold {@code prefix} or paths under it: other segments are never read. */
  static List<SegmentRef> segmentsUnder(ManifestList manifest, String prefix) {
    List<SegmentRef> rows = new ArrayList<>();
    for (SegmentRef s : manifest.segments()) {
      if (prefix == null || RelativePaths.mayHoldUnder(s.firstPath(), s.lastPath(), prefix)) {
        rows.add(s);
      }
    }
    return rows;
  }

}
