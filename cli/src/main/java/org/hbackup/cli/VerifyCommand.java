package org.hbackup.cli;

import java.io.IOException;
import java.io.PrintStream;
import java.util.LinkedHashMap;
import java.util.Map;

import com.fasterxml.jackson.core.JsonEncoding;
import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import org.apache.commons.cli.CommandLine;
import org.apache.commons.cli.Option;
import org.apache.commons.cli.Options;
import org.hbackup.common.Printable;
import org.hbackup.common.id.PointId;
import org.hbackup.common.repo.Repository;
import org.hbackup.verify.ReadData;
import org.hbackup.verify.VerifyCounters;
import org.hbackup.verify.VerifyJob;
import org.hbackup.verify.VerifyOptions;
import org.hbackup.verify.VerifyResult;

/**
 * {@code hbackup verify}: proves that points can be restored without restoring them. Exit 0 when
 * nothing is damaged, 3 when something is: the damaged repository files and, joined back through
 * the manifests, every point and path the damage affects (all of them with --json, the first
 * ones on stderr).
 */
final class VerifyCommand extends Command {
  /** How many damaged files and affected paths the one-line result and Oozie's properties name. */
  static final int NAMED = 5;

  VerifyCommand(PrintStream out, PrintStream err) {
    super(out, err);
  }

  @Override
  String name() {
    return "verify";
  }

  @Override
  String synopsis() {
    return "hbackup verify --repo URI [--point ID|latest]... [--read-data | --read-data-subset N/M | "
        + "--read-data-subset P%] [--quiet] [--json]";
  }

  @Override
  Options options() {
    return new Options()
        .addOption(required("repo", "URI", "repository"))
        .addOption(Option.builder().longOpt("point").hasArg().argName("ID")
            .desc("check only this point (or 'latest'); repeatable; default: every point").build())
        .addOption(flag("read-data", "also read every blob of every pack and check it against its chunk id"))
        .addOption(optional("read-data-subset", "N/M|P%", "read the N-th of M slices of the packs, or a random P%"))
        .addOption(flag("json", "print one JSON report on stdout"))
        .addOption(flag("quiet", "no progress lines on stderr"));
  }

  @Override
  int execute(CommandLine line) throws Exception {
    if (line.hasOption("read-data") && line.hasOption("read-data-subset")) {
      throw new UsageException("give --read-data or --read-data-subset, not both");
    }
    ReadData readData = line.hasOption("read-data") ? ReadData.ALL
        : line.hasOption("read-data-subset") ? build(() -> ReadData.subset(line.getOptionValue("read-data-subset")))
        : ReadData.NONE;
    VerifyOptions.Builder builder = VerifyOptions.builder().readData(readData);
    Repository repository = Repository.open(path(line, "repo"), getConf());
    builder.repository(repository.layout().root());
    String[] points = line.getOptionValues("point");
    if (points != null) {
      for (String p : points) {
        PointId id = "latest".equals(p) ? resolve(repository, null) : build(() -> PointId.parse(p));
        builder.point(id);
      }
    }
    try (VerifyResult result = new VerifyJob(getConf(), build(builder::build)).run()) {
      return report(line.hasOption("json"), result);
    }
  }

  private int report(boolean json, VerifyResult result) throws IOException {
    Map<String, Long> figures = new LinkedHashMap<>();
    for (VerifyCounters c : VerifyCounters.values()) {
      figures.put(camel(c.name()), result.get(c));
    }
    figures.put("damagedFiles", result.damagedFiles());
    figures.put("durationMs", result.durationMs());
    boolean damaged = result.damageFound();
    Map<String, String> oozie = new LinkedHashMap<>();
    oozie.put("damage", Boolean.toString(damaged));
    figures.forEach((k, v) -> oozie.put(k, Long.toString(v)));
    StringBuilder named = new StringBuilder();
    int[] n = {0};
    result.damaged((file, reason) -> {
      named.append(n[0] == 0 ? "" : ", ").append(file);
      return ++n[0] < NAMED;
    });
    StringBuilder affected = new StringBuilder();
    int[] m = {0};
    result.affected((point, pathAndReason) -> {
      affected.append(m[0] == 0 ? "" : ", ").append(point).append(':')
          .append(VerifyResult.describe(pathAndReason.substring(0, pathAndReason.indexOf('\0'))));
      return ++m[0] < NAMED;
    });
    oozie.put("damaged", named.toString());
    oozie.put("affected", affected.toString());
    writeOozieProperties(oozie);
    if (json) {
      printJson(result, figures, damaged);
    } else if (!damaged) {
      out().printf("No damage in %s: %,d points, %,d segments, %,d chunks referenced, %,d packs (%s), %s read"
          + " in %.1f s%n", result.repository(), result.get(VerifyCounters.POINTS), result.get(VerifyCounters.SEGMENTS),
          result.get(VerifyCounters.CHUNKS_REFERENCED), result.get(VerifyCounters.PACKS), result.readData(),
          org.apache.hadoop.util.StringUtils.byteDesc(result.get(VerifyCounters.BYTES_READ)), result.durationMs() / 1000.0);
    }
    if (damaged) {
      err().println(Printable.escape("hbackup verify: damage found: " + result.damagedFiles()
          + " damaged or missing file(s) (" + named + (result.damagedFiles() > NAMED ? ", ..." : "") + "); "
          + result.get(VerifyCounters.AFFECTED_FILES) + " file(s) of " + result.get(VerifyCounters.AFFECTED_POINTS)
          + " point(s) cannot be restored" + (affected.length() > 0 ? " (" + affected
          + (result.get(VerifyCounters.AFFECTED_FILES) > NAMED ? ", ..." : "") + ")" : "")));
      return ExitCodes.DAMAGE;
    }
    return ExitCodes.SUCCESS;
  }

  /** The whole report, streamed: however many files are damaged, nothing is held in memory. */
  private void printJson(VerifyResult result, Map<String, Long> figures, boolean damaged) throws IOException {
    JsonGenerator g = new JsonFactory().createGenerator(out(), JsonEncoding.UTF8);
    g.useDefaultPrettyPrinter();
    g.writeStartObject();
    g.writeStringField("repository", result.repository().toString());
    g.writeStringField("readData", result.readData().toString());
    g.writeBooleanField("damage", damaged);
    for (Map.Entry<String, Long> e : figures.entrySet()) {
      g.writeNumberField(e.getKey(), e.getValue());
    }
    g.writeArrayFieldStart("damaged");
    result.damaged((file, reason) -> {
      g.writeStartObject();
      g.writeStringField("file", file);
      g.writeStringField("reason", reason);
      g.writeEndObject();
      return true;
    });
    g.writeEndArray();
    g.writeArrayFieldStart("affected");
    result.affected((point, pathAndReason) -> {
      int nul = pathAndReason.indexOf('\0');
      g.writeStartObject();
      g.writeStringField("point", point);
      String path = pathAndReason.substring(0, nul);
      if (path.equals(VerifyResult.WHOLE_POINT)) {
        g.writeNullField("path");
        g.writeBooleanField("wholePoint", true);
      } else {
        g.writeStringField("path", path);
      }
      g.writeStringField("reason", pathAndReason.substring(nul + 1));
      g.writeEndObject();
      return true;
    });
    g.writeEndArray();
    g.writeStringField("version", org.hbackup.common.HbackupVersion.get());
    g.writeEndObject();
    g.flush();
    out().println();
  }
}
