package org.hbackup.cli;

import java.io.PrintStream;

import com.fasterxml.jackson.databind.node.ObjectNode;
import org.apache.commons.cli.CommandLine;
import org.apache.commons.cli.Options;
import org.hbackup.common.io.Json;
import org.hbackup.common.repo.Repository;
import org.hbackup.verify.RepairIndexJob;

/**
 * {@code hbackup repair index}: rebuilds the index from the packs that are present, so that
 * chunks of missing or damaged packs are no longer known and the next backup stores them again.
 */
final class RepairIndexCommand extends Command {
  RepairIndexCommand(PrintStream out, PrintStream err) {
    super(out, err);
  }

  @Override
  String name() {
    return "repair index";
  }

  @Override
  String synopsis() {
    return "hbackup repair index --repo URI [--read-data] [--dry-run] [--quiet] [--json]";
  }

  @Override
  Options options() {
    return new Options()
        .addOption(required("repo", "URI", "repository"))
        .addOption(flag("read-data", "index only blobs that are read and check out against their chunk ids"))
        .addOption(flag("dry-run", "change nothing; report what the new index would hold"))
        .addOption(flag("json", "print one JSON report on stdout"))
        .addOption(flag("quiet", "no progress lines on stderr"));
  }

  @Override
  int execute(CommandLine line) throws Exception {
    Repository repository = Repository.open(path(line, "repo"), getConf());
    RepairIndexJob.Result r = new RepairIndexJob(getConf(), repository.layout().root(), line.hasOption("read-data"),
        line.hasOption("dry-run")).run();
    if (line.hasOption("json")) {
      ObjectNode report = Json.object();
      report.put("repository", repository.layout().root().toString());
      report.put("dryRun", !r.published());
      report.put("oldIndexFiles", r.oldFiles());
      report.put("oldRows", r.oldRows());
      report.put("newRows", r.newRows());
      report.put("chunksDropped", r.droppedChunks());
      report.put("chunksSalvaged", r.salvagedChunks());
      report.put("packs", r.packs());
      report.put("damagedPacks", r.damagedPacks());
      report.put("blobsRead", r.blobsRead());
      report.put("damageRecordsRemoved", r.recordsRemoved());
      report.put("durationMs", r.durationMs());
      printJson(report);
    } else {
      out().printf("%s index of %s from %d packs (%d damaged or missing): %d rows, was %d rows in %d files%s in %.1f s%n",
          r.published() ? "Rebuilt the" : "Would rebuild the", repository.layout().root(), r.packs(), r.damagedPacks(),
          r.newRows(), r.oldRows(), r.oldFiles(), (r.salvagedChunks() > 0 ? "; " + r.salvagedChunks()
          + " chunks kept from the old index (their packs' trailers are damaged, their blobs read back)" : "")
          + (r.droppedChunks() > 0 ? "; " + r.droppedChunks() + " chunks left out (their blobs are damaged or missing)"
          : ""), r.durationMs() / 1000.0);
    }
    return ExitCodes.SUCCESS;
  }
}
