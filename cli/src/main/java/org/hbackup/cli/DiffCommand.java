package org.hbackup.cli;

import com.fasterxml.jackson.core.JsonEncoding;
import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import org.hbackup.common.Printable;
import org.hbackup.common.manifest.ChangeListReader;
import org.hbackup.common.point.PointRecord;

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
 * manifests; renames show there as a deletion and an addition, since manifests alone cannot tell
 * a rename from a copy and a delete. Without {@code --from}, it prints the change list the
 * backup of {@code --to} recorded against its base, where renames (from HDFS snapshot diff
 * reports) are named as such.
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
    return "hbackup diff --repo URI [--from ID] --to ID [--json]";
  }

  @Override
  Options options() {
    return new Options()
        .addOption(required("repo", "URI", "repository"))
        .addOption(optional("from", "ID", "the earlier point (or 'latest'); without it, the changes "
            + "that the backup of --to recorded against its base"))
        .addOption(required("to", "ID", "the later point (or 'latest')"))
        .addOption(flag("json", "print one JSON document on stdout"));
  }

  @Override
  int execute(CommandLine line) throws Exception {
    PointId toId = pointArgument(line, "to");
    if (!line.hasOption("from")) {
      return recordedChanges(line, toId);
    }
    PointId fromId = pointArgument(line, "from");
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
      printer.finish();
    }
    if (!line.hasOption("json")) {
      out().println(summary("Changes from " + from + " to " + to + ":", counts));
    }
    return ExitCodes.SUCCESS;
  }

  /** Prints a point's change list, streamed. */
  private int recordedChanges(CommandLine line, PointId toId) throws Exception {
    Repository repository = Repository.open(path(line, "repo"), getConf());
    PointId to = resolve(repository, toId);
    PointRecord record = repository.readPoint(to);
    if (!record.hasChangeList()) {
      throw new UsageException("point " + to + (record.base() == null ? " is a full point" : " predates change lists")
          + ": it has no recorded changes; give --from to compare manifests");
    }
    boolean json = line.hasOption("json");
    JsonGenerator g = null;
    if (json) {
      g = new JsonFactory().createGenerator(out(), JsonEncoding.UTF8);
      g.useDefaultPrettyPrinter();
      g.writeStartObject();
      g.writeStringField("from", record.base().toString());
      g.writeStringField("to", to.toString());
      g.writeArrayFieldStart("changes");
    }
    Map<ChangeKind, Long> counts = new EnumMap<>(ChangeKind.class);
    try (ChangeListReader changes = repository.openChangeList(record)) {
      for (ChangeListReader.Change c = changes.next(); c != null; c = changes.next()) {
        counts.merge(c.kind(), 1L, Long::sum);
        String path = c.path().isEmpty() ? "." : c.path();
        if (g == null) {
          out().printf("%-12s %s%s%n", c.kind().reportName(), Printable.escape(path),
              c.from() == null ? "" : " (from " + Printable.escape(c.from()) + ")");
        } else {
          g.writeStartObject();
          g.writeStringField("path", path);
          g.writeStringField("change", c.kind().reportName());
          if (c.from() != null) {
            g.writeStringField("from", c.from());
          }
          g.writeEndObject();
        }
      }
    }
    if (g != null) {
      g.writeEndArray();
      g.writeEndObject();
      g.flush();
      out().println();
    } else {
      out().println(summary("Changes recorded from " + record.base() + " to " + to + ":", counts));
    }
    return ExitCodes.SUCCESS;
  }

  /** One line: the title, then the count of each kind that differs. */
  private static String summary(String title, Map<ChangeKind, Long> counts) {
    StringBuilder line = new StringBuilder(title);
    for (ChangeKind k : ChangeKind.values()) {
      if (k != ChangeKind.UNCHANGED) {
        line.append(' ').append(counts.getOrDefault(k, 0L)).append(' ').append(k.reportName());
      }
    }
    return line.toString();
  }
}
