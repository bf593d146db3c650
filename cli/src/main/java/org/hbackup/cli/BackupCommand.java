package org.hbackup.cli;

import java.io.PrintStream;
import java.util.LinkedHashMap;
import java.util.Map;

import com.fasterxml.jackson.databind.node.ObjectNode;
import org.apache.commons.cli.CommandLine;
import org.apache.commons.cli.Options;
import org.hbackup.backup.BackupCounters;
import org.hbackup.backup.BackupJob;
import org.hbackup.backup.BackupOptions;
import org.hbackup.backup.BackupResult;
import org.hbackup.common.io.Json;
import org.hbackup.common.point.PointType;

/** {@code hbackup backup}: backs up a source directory into a new recovery point. */
final class BackupCommand extends Command {
  BackupCommand(PrintStream out, PrintStream err) {
    super(out, err);
  }

  @Override
  String name() {
    return "backup";
  }

  @Override
  String synopsis() {
    return "hbackup backup --source URI --repo URI [--type full|incremental|differential|auto] [--snapshot] [--json]";
  }

  @Override
  Options options() {
    return new Options()
        .addOption(required("source", "URI", "directory to back up"))
        .addOption(required("repo", "URI", "repository (created with defaults if the path does not exist)"))
        .addOption(optional("type", "TYPE", "full, incremental (against the source's latest point), "
            + "differential (against its latest full point) or auto (default: full for a new source, else incremental)"))
        .addOption(flag("snapshot", "make an HDFS source snapshottable if it is not (HDFS superuser only); "
            + "a snapshottable source is always read from a snapshot"))
        .addOption(flag("json", "print one JSON report on stdout"));
  }

  @Override
  int execute(CommandLine line) throws Exception {
    String typeName = line.getOptionValue("type", BackupOptions.AUTO);
    PointType type = build(() -> BackupOptions.parseType(typeName));
    BackupOptions.Builder builder = BackupOptions.builder().source(path(line, "source"))
        .repository(path(line, "repo")).type(type).snapshot(line.hasOption("snapshot"));
    BackupOptions options = build(builder::build);
    BackupResult result = new BackupJob(getConf(), options).run();
    Map<String, Long> figures = new LinkedHashMap<>();
    figures.put("files", result.get(BackupCounters.FILES));
    figures.put("directories", result.get(BackupCounters.DIRECTORIES));
    figures.put("symlinks", result.get(BackupCounters.SYMLINKS));
    figures.put("filesCarriedOver", result.get(BackupCounters.FILES_CARRIED_OVER));
    figures.put("filesRenamed", result.get(BackupCounters.FILES_RENAMED));
    figures.put("sourceChecksums", result.get(BackupCounters.SOURCE_CHECKSUMS));
    figures.put("ranges", result.get(BackupCounters.RANGES));
    figures.put("bytesRead", result.get(BackupCounters.BYTES_READ));
    figures.put("bytesNew", result.get(BackupCounters.BYTES_NEW));
    figures.put("bytesStored", result.get(BackupCounters.BYTES_STORED));
    figures.put("chunksNew", result.get(BackupCounters.CHUNKS_NEW));
    figures.put("chunksReused", result.get(BackupCounters.CHUNKS_REUSED));
    figures.put("packsWritten", result.get(BackupCounters.PACKS_WRITTEN));
    figures.put("filesChangedWhileRead", result.get(BackupCounters.FILES_CHANGED_WHILE_READ));
    figures.put("filesVanished", result.get(BackupCounters.FILES_VANISHED));
    if (result.base() != null) {
      figures.put("baseSegmentsRead", result.get(BackupCounters.BASE_SEGMENTS_READ));
      figures.put("pathsAdded", result.get(BackupCounters.PATHS_ADDED));
      figures.put("pathsModified", result.get(BackupCounters.PATHS_MODIFIED));
      figures.put("pathsMetadataOnly", result.get(BackupCounters.PATHS_METADATA_ONLY));
      figures.put("pathsDeleted", result.get(BackupCounters.PATHS_DELETED));
      figures.put("pathsRenamed", result.get(BackupCounters.PATHS_RENAMED));
      figures.put("pathsTypeChanged", result.get(BackupCounters.PATHS_TYPE_CHANGED));
      figures.put("pathsUnchanged", result.get(BackupCounters.PATHS_UNCHANGED));
    }
    figures.put("durationMs", result.durationMs());

    Map<String, String> oozie = new LinkedHashMap<>();
    oozie.put("point", result.point().toString());
    oozie.put("type", result.type().configName());
    if (result.base() != null) {
      oozie.put("base", result.base().toString());
    }
    if (result.snapshot() != null) {
      oozie.put("snapshot", result.snapshot());
    }
    figures.forEach((k, v) -> oozie.put(k, Long.toString(v)));
    writeOozieProperties(oozie);

    if (line.hasOption("json")) {
      ObjectNode report = Json.object();
      report.put("point", result.point().toString());
      report.put("type", result.type().configName());
      if (result.base() == null) {
        report.putNull("base");
      } else {
        report.put("base", result.base().toString());
      }
      report.put("source", result.options().source().toString());
      report.put("repository", result.options().repository().toString());
      if (result.snapshot() == null) {
        report.putNull("snapshot");
      } else {
        report.put("snapshot", result.snapshot());
      }
      report.put("readLive", result.snapshot() == null);
      figures.forEach(report::put);
      report.put("jobId", result.jobId());
      printJson(report);
    } else {
      out().printf("Point %s: %s backup of %s: %d files, %d directories, %d bytes read, %d new, %d stored in %.1f s%n",
          result.point(), result.type().configName(), options.source(), figures.get("files"),
          figures.get("directories"), figures.get("bytesRead"), figures.get("bytesNew"),
          figures.get("bytesStored"), result.durationMs() / 1000.0);
    }
    return ExitCodes.SUCCESS;
  }
}
