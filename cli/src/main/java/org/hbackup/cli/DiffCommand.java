package org.hbackup.cli;

import java.io.PrintStream;
import java.util.EnumMap;
import java.util.Map;

import org.apache.commons.cli.CommandLine;
import org.apache.commons.cli.Options;
import org.hbackup.common.id.PointId;
import org.hbackup.common.manifest.ChangeKind;
import org.hbackup.common.manifest.ManifestDiff;
import org.hbackup.common.manifest.ManifestReader;
import org.hbackup.common.repo.Repository;

/**
 * {@code hbackup diff}: what changed between any two points, by a streamed merge of their
 * manifests. Renames show as a deletion and an addition: manifests alone cannot tell a rename
 * from a copy and a delete.
 */
final class DiffCommand extends Command {
  DiffCommand(PrintStream out, PrintStream err) {
    super(out, err);
  }

  @Override
  String name() {
    return "diff";
  }

  @Override
  String synopsis() {
    return "hbackup diff --repo URI --from ID --to ID [--json]";
  }

  @Override
  Options options() {
    return new Options()
        .addOption(required("repo", "URI", "repository"))
        .addOption(required("from", "ID", "the earlier point (or 'latest')"))
        .addOption(required("to", "ID", "the later point (or 'latest')"))
        .addOption(flag("json", "print one JSON document on stdout"));
  }

  @Override
  int execute(CommandLine line) throws Exception {
    PointId fromId = pointArgument(line, "from");
    PointId toId = pointArgument(line, "to");
    Repository repository = Repository.open(path(line, "repo"), getConf());
    PointId from = resolve(repository, fromId);
    PointId to = resolve(repository, toId);
    repository.readPoint(from);
    repository.readPoint(to);
    Map<ChangeKind, Long> counts = new EnumMap<>(ChangeKind.class);
    EntryPrinter printer = line.hasOption("json")
        ? EntryPrinter.json(out(), new String[][] {{"from", from.toString()}, {"to", to.toString()}}, "changes")
        : EntryPrinter.text(out());
    try (printer; ManifestDiff diff = new ManifestDiff(
        ManifestReader.all(repository::openSegment, repository.readManifest(from)),
        ManifestReader.all(repository::openSegment, repository.readManifest(to)))) {
      for (ManifestDiff.Change c = diff.next(); c != null; c = diff.next()) {
        counts.merge(c.kind(), 1L, Long::sum);
        printer.print(c.current(), c.kind());
      }
    }
    if (!line.hasOption("json")) {
      StringBuilder summary = new StringBuilder("Changes from " + from + " to " + to + ":");
      for (ChangeKind k : ChangeKind.values()) {
        if (k != ChangeKind.UNCHANGED) {
          summary.append(' ').append(counts.getOrDefault(k, 0L)).append(' ').append(k.reportName());
        }
      }
      out().println(summary);
    }
    return ExitCodes.SUCCESS;
  }
}
