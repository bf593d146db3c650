package org.hbackup.cli;

import java.io.PrintStream;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import com.fasterxml.jackson.databind.node.ObjectNode;
import org.apache.commons.cli.CommandLine;
import org.apache.commons.cli.Option;
import org.apache.commons.cli.Options;
import org.apache.hadoop.fs.Path;
import org.apache.hadoop.util.StringUtils;
import org.hbackup.common.Printable;
import org.hbackup.backup.BackupConfigKeys;
import org.hbackup.backup.BackupCounters;
import org.hbackup.backup.BackupJob;
import org.hbackup.backup.BackupOptions;
import org.hbackup.backup.BackupPlan;
import org.hbackup.backup.BackupResult;
import org.hbackup.backup.ExcludeRules;
import org.hbackup.backup.SkippedReport;
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
    return "hbackup backup --source URI --repo URI [--type full|incremental|differential|auto] [--snapshot] [--atime] [--open-files include|skip|fail]"
        + " [--exclude PATTERN]... [--exclude-file FILE] [--max-maps N] [--bandwidth MIB] [--dry-run] [--quiet] [--json]";
  }

  @Override
  Options options() {
    return withTaskLimits(new Options())
        .addOption(required("source", "URI", "directory to back up"))
        .addOption(required("repo", "URI", "repository (created with defaults if the path does not exist)"))
        .addOption(optional("type", "TYPE", "full, incremental (against the source's latest point), "
            + "differential (against its latest full point) or auto (default: full for a new source, else incremental)"))
        .addOption(flag("snapshot", "make an HDFS source snapshottable if it is not (HDFS superuser only); "
            + "a snapshottable source is always read from a snapshot"))
        .addOption(Option.builder().longOpt("exclude").hasArg().argName("PATTERN").desc("leave out entries that "
            + "match: a name glob (*.tmp) at any depth, or a path glob under the source (logs/*.gz, /tmp, **/cache); "
            + "an excluded directory with everything under it; repeatable").build())
        .addOption(Option.builder().longOpt("exclude-file").hasArg().argName("FILE")
            .desc("exclude patterns, one per line (# comments); any Hadoop URI; repeatable").build())
        .addOption(optional("open-files", "include|skip|fail", "HDFS files open for write: take them as of their "
            + "visible length (from a snapshot: as it captured them) and flag them (default), leave them out, or fail"))
        .addOption(flag("atime", "record access times as they are now; by default an entry whose modification "
            + "time did not change keeps its base point's access time, so reading the source adds no metadata"))
        .addOption(flag("dry-run", "list the source and say what would be read and carried over; write nothing"))
        .addOption(flag("json", "print one JSON report on stdout"))
        .addOption(flag("quiet", "no progress lines on stderr"));
  }

  @Override
  int execute(CommandLine line) throws Exception {
    applyTaskLimits(line, BackupConfigKeys.MAX_MAPS, BackupConfigKeys.BANDWIDTH_MIB);
    String typeName = line.getOptionValue("type", BackupOptions.AUTO);
    PointType type = build(() -> BackupOptions.parseType(typeName));
    BackupOptions.Builder builder = BackupOptions.builder().source(path(line, "source"))
        .repository(path(line, "repo")).type(type).snapshot(line.hasOption("snapshot"))
        .accessTimes(line.hasOption("atime") || getConf().getBoolean(BackupConfigKeys.ACCESS_TIMES, false))
        .excludes(excludes(line));
    if (line.hasOption("open-files")) {
      String value = line.getOptionValue("open-files");
      builder.openFiles(build(() -> BackupOptions.OpenFiles.parse(value)));
    } else if (getConf().get(BackupConfigKeys.OPEN_FILES) != null) {
      String value = getConf().get(BackupConfigKeys.OPEN_FILES);
      builder.openFiles(build(() -> BackupOptions.OpenFiles.parse(value)));
    }
    BackupOptions options = build(builder::build);
    if (line.hasOption("dry-run")) {
      return dryRun(new BackupJob(getConf(), options).plan(), options, line.hasOption("json"));
    }
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
    figures.put("excluded", result.excluded());
    figures.put("throttledMs", result.get(BackupCounters.THROTTLED_MS));
    figures.put("mapTasks", result.mapTasks());
    figures.put("bytesNew", result.get(BackupCounters.BYTES_NEW));
    figures.put("bytesStored", result.get(BackupCounters.BYTES_STORED));
    figures.put("chunksNew", result.get(BackupCounters.CHUNKS_NEW));
    figures.put("chunksReused", result.get(BackupCounters.CHUNKS_REUSED));
    figures.put("packsWritten", result.get(BackupCounters.PACKS_WRITTEN));
    figures.put("packsChecked", result.get(BackupCounters.PACKS_CHECKED));
    figures.put("chunksStoredAgain", result.get(BackupCounters.CHUNKS_STORED_AGAIN));
    figures.put("indexFilesUnreadable", result.get(BackupCounters.INDEX_FILES_UNREADABLE));
    figures.put("pointsUnreadable", (long) result.unreadablePoints().size());
    figures.put("filesChangedWhileRead", result.get(BackupCounters.FILES_CHANGED_WHILE_READ));
    figures.put("filesChanging", result.get(BackupCounters.FILES_CHANGING));
    figures.put("filesVanished", result.get(BackupCounters.FILES_VANISHED));
    figures.put("entriesUnreadable", result.get(BackupCounters.ENTRIES_UNREADABLE));
    figures.put("specialFilesSkipped", result.get(BackupCounters.SPECIAL_FILES_SKIPPED));
    figures.put("filesOpenForWrite", result.get(BackupCounters.FILES_OPEN_FOR_WRITE));
    figures.put("entriesWithAttributes", result.get(BackupCounters.ENTRIES_WITH_ATTRIBUTES));
    figures.put("attributesUnreadable", result.get(BackupCounters.ATTRIBUTES_UNREADABLE));
    figures.put("filesReadAgain", result.get(BackupCounters.FILES_READ_AGAIN));
    figures.put("filesRecentInBase", result.get(BackupCounters.FILES_RECENT_IN_BASE));
    figures.put("filesChecksumChanged", result.get(BackupCounters.FILES_CHECKSUM_CHANGED));
    figures.put("segmentsWritten", result.get(BackupCounters.SEGMENTS_WRITTEN));
    figures.put("stagingReclaimed", result.reclaimed().entries());
    figures.put("stagingBytesReclaimed", result.reclaimed().bytes());
    if (result.base() != null) {
      figures.put("baseSegmentsRead", result.get(BackupCounters.BASE_SEGMENTS_READ));
      figures.put("segmentsShared", result.get(BackupCounters.SEGMENTS_SHARED));
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
      if (result.repositoryExcluded() == null) {
        report.putNull("repositoryExcluded");
      } else {
        report.put("repositoryExcluded", result.repositoryExcluded());
      }
      com.fasterxml.jackson.databind.node.ArrayNode open = report.putArray("openForWrite");
      result.openForWrite().forEach(open::add);
      com.fasterxml.jackson.databind.node.ArrayNode changing = report.putArray("changing");
      result.changing().forEach(changing::add);
      com.fasterxml.jackson.databind.node.ArrayNode skipped = report.putArray("skipped");
      result.skipped().forEach(k -> skipped.addObject().put("path", k.path()).put("reason", k.reason()));
      com.fasterxml.jackson.databind.node.ArrayNode unreadable = report.putArray("unreadablePoints");
      result.unreadablePoints().forEach(u -> unreadable.addObject().put("file", u.file()).put("reason", u.reason()));
      report.put("jobId", result.jobId());
      if (result.lostTrack() == null) {
        report.putNull("lostTrack");
      } else {
        report.put("lostTrack", result.lostTrack());
      }
      printJson(report);
    } else {
      // Sizes for people (binary units, as Hadoop prints them); --json has the exact figures.
      out().printf("Point %s: %s backup of %s: %,d files, %,d directories, %s read, %s new, %s stored in %.1f s%n",
          result.point(), result.type().configName(), options.source(), figures.get("files"),
          figures.get("directories"), StringUtils.byteDesc(figures.get("bytesRead")),
          StringUtils.byteDesc(figures.get("bytesNew")), StringUtils.byteDesc(figures.get("bytesStored")),
          result.durationMs() / 1000.0);
    }
    if (result.lostTrack() != null) {
      err().println("hbackup backup: point " + result.point() + " is published, but the job's figures could not be"
          + " read (" + result.lostTrack() + "); those above come from its point record");
    }
    warnAboutDamage(result);
    return reportSkipped(result);
  }

  /** Prints what the backup would do; nothing was written. */
  private int dryRun(BackupPlan plan, BackupOptions options, boolean json) throws Exception {
    if (json) {
      ObjectNode report = Json.object();
      report.put("dryRun", true);
      report.put("type", plan.type().configName());
      if (plan.base() == null) {
        report.putNull("base");
      } else {
        report.put("base", plan.base().toString());
      }
      report.put("source", options.source().toString());
      report.put("repository", options.repository().toString());
      report.put("repositoryExists", plan.repositoryExists());
      report.put("entries", plan.entries());
      report.put("files", plan.files());
      report.put("bytes", plan.bytes());
      report.put("filesUnchanged", plan.filesUnchanged());
      report.put("bytesUnchanged", plan.bytesUnchanged());
      report.put("filesToRead", plan.filesToRead());
      report.put("bytesToRead", plan.bytesToRead());
      report.put("excluded", plan.excluded());
      report.put("skipped", plan.skipped());
      report.put("durationMs", plan.durationMs());
      printJson(report);
    } else {
      out().printf("Dry run, nothing written: %s %s backup of %s%s would list %,d files (%s); %,d of them (%s) look"
          + " unchanged and would be carried over unread, %,d (%s) would be read, and at most that much stored;"
          + " %,d entries excluded, %,d special or unlistable%n", "aeiou".indexOf(plan.type().configName().charAt(0)) >= 0 ? "an" : "a",
          plan.type().configName(), options.source(),
          plan.base() == null ? "" : " against point " + plan.base(), plan.files(), StringUtils.byteDesc(plan.bytes()),
          plan.filesUnchanged(), StringUtils.byteDesc(plan.bytesUnchanged()), plan.filesToRead(),
          StringUtils.byteDesc(plan.bytesToRead()), plan.excluded(), plan.skipped());
    }
    return ExitCodes.SUCCESS;
  }

  /** The rules of --exclude and --exclude-file, and of any hbackup.backup.exclude given with -D. */
  private ExcludeRules excludes(CommandLine line) throws Exception {
    List<String> patterns = new ArrayList<>(ExcludeRules.readFrom(getConf()).patterns());
    String[] given = line.getOptionValues("exclude");
    if (given != null) {
      patterns.addAll(Arrays.asList(given));
    }
    String[] files = line.getOptionValues("exclude-file");
    for (String name : files == null ? new String[0] : files) {
      if (name.isEmpty()) {
        throw new UsageException("--exclude-file needs a path or URI");
      }
      Path file = new Path(name);
      try {
        if (file.getFileSystem(getConf()).getFileStatus(file).isDirectory()) {
          throw new UsageException("--exclude-file " + file + " is a directory, not a file of patterns");
        }
        patterns.addAll(ExcludeRules.readFile(file, getConf()));
      } catch (java.io.FileNotFoundException e) {
        throw new UsageException("--exclude-file " + file + " does not exist");
      }
    }
    return build(() -> new ExcludeRules(patterns));
  }

  /**
   * Names on stderr the source entries that are not in the point as they are; exit code 4 when
   * some could not be read (the point is complete for everything else).
   */
  private int reportSkipped(BackupResult result) {
    long openFiles = result.get(BackupCounters.FILES_OPEN_FOR_WRITE);
    if (openFiles > 0) {
      List<String> open = result.openForWrite();
      err().println("hbackup backup: " + openFiles + " files open for write, "
          + (result.options().openFiles() == BackupOptions.OpenFiles.SKIP ? "left out" : "taken as of their visible length")
          + ": " + String.join(", ", open.subList(0, Math.min(open.size(), 10))) + (open.size() > 10 ? ", ..." : ""));
    }
    long changing = result.get(BackupCounters.FILES_CHANGING);
    if (changing > 0) {
      List<String> names = result.changing();
      err().println(Printable.escape("hbackup backup: incomplete: " + changing + " files changed while they were read"
          + " (the point holds them as read, which may be a state they never had; a snapshot of the source avoids"
          + " this): " + String.join(", ", names.subList(0, Math.min(names.size(), 10)))
          + (names.size() > 10 ? ", ..." : "")));
    }
    long unreadable = result.get(BackupCounters.ENTRIES_UNREADABLE);
    long special = result.get(BackupCounters.SPECIAL_FILES_SKIPPED);
    if (unreadable + special == 0) {
      return changing > 0 ? ExitCodes.INCOMPLETE : ExitCodes.SUCCESS;
    }
    StringBuilder names = new StringBuilder();
    for (SkippedReport.Skipped k : result.skipped()) {
      if (k.openForWrite() || k.changing()) {
        continue;
      }
      if (names.length() > 400) {
        names.append(", ...");
        break;
      }
      names.append(names.length() == 0 ? "" : ", ").append(k.path().isEmpty() ? "." : k.path())
          .append(" (").append(k.reason()).append(')');
    }
    // The count and the names of what is not in the point; "0 special files skipped" said nothing.
    err().println(Printable.escape("hbackup backup: " + (unreadable > 0 ? "incomplete: " + unreadable
        + " source entries could not be read" + (special > 0 ? "; " : "") : "")
        + (special > 0 ? special + " special files skipped" : "") + ": " + names));
    return unreadable + changing > 0 ? ExitCodes.INCOMPLETE : ExitCodes.SUCCESS;
  }

  /**
   * One line on stderr when the backup met damage in the repository and worked around it: the
   * point is complete and restorable, but the repository needs {@code verify}.
   */
  private void warnAboutDamage(BackupResult result) {
    long storedAgain = result.get(BackupCounters.CHUNKS_STORED_AGAIN);
    long indexFiles = result.get(BackupCounters.INDEX_FILES_UNREADABLE);
    int points = result.unreadablePoints().size();
    if (storedAgain + indexFiles + points > 0) {
      err().println("hbackup backup: damage found in the repository and worked around: " + points
          + " unreadable point record(s)" + (points > 0 ? " (" + result.unreadablePoints().get(0).file() + ")" : "")
          + ", " + indexFiles + " unreadable index file(s), " + storedAgain
          + " chunk(s) stored again because their packs are missing or damaged");
    }
  }
}
