package org.hbackup.cli;

import java.io.PrintStream;

import org.apache.commons.cli.CommandLine;
import org.apache.commons.cli.Options;
import org.hbackup.common.compress.Compression;
import org.hbackup.common.repo.Repository;
import org.hbackup.common.repo.RepositoryConfig;

/** {@code hbackup init}: creates an empty repository. */
final class InitCommand extends Command {
  InitCommand(PrintStream out, PrintStream err) {
    super(out, err);
  }

  @Override
  String name() {
    return "init";
  }

  @Override
  String synopsis() {
    return "hbackup init --repo URI [--compression zstd|lz4|snappy|none]";
  }

  @Override
  Options options() {
    return new Options()
        .addOption(required("repo", "URI", "where to create the repository"))
        .addOption(optional("compression", "METHOD", "zstd (default), lz4, snappy or none"));
  }

  @Override
  int execute(CommandLine line) throws Exception {
    String method = line.getOptionValue("compression", "zstd");
    Compression compression = build(() -> Compression.parse(method));
    Repository repository = Repository.init(path(line, "repo"), RepositoryConfig.create(compression), getConf());
    out().println("Initialized repository " + repository.config().id() + " at " + repository.layout().root()
        + " (compression " + compression.configName() + ")");
    return ExitCodes.SUCCESS;
  }
}
