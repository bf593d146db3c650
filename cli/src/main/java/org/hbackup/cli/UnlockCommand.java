package org.hbackup.cli;

import java.io.PrintStream;

import org.apache.commons.cli.CommandLine;
import org.apache.commons.cli.Options;
import org.hbackup.common.Printable;
import org.hbackup.common.repo.Repository;
import org.hbackup.common.repo.RepositoryLock;

/**
 * {@code hbackup unlock}: removes stale locks (not refreshed for the stale time, or whose process
 * is gone from this host), or every lock with {@code --remove-all}, which is only safe when no
 * hbackup command is running on the repository.
 */
final class UnlockCommand extends Command {
  UnlockCommand(PrintStream out, PrintStream err) {
    super(out, err);
  }

  @Override
  String name() {
    return "unlock";
  }

  @Override
  String synopsis() {
    return "hbackup unlock --repo URI [--remove-all]";
  }

  @Override
  Options options() {
    return new Options()
        .addOption(required("repo", "URI", "repository"))
        .addOption(flag("remove-all", "remove every lock, live ones included (only when no command runs)"));
  }

  @Override
  int execute(CommandLine line) throws Exception {
    Repository repository = Repository.open(path(line, "repo"), getConf());
    boolean all = line.hasOption("remove-all");
    int removed = 0;
    int kept = 0;
    // Listed first: the listing checks the repository's own directories (a `locks` that is a file
    // is named as damage, exit 3), before the clock's probe file is made in it.
    java.util.List<RepositoryLock.Holder> holders = RepositoryLock.list(repository);
    long now = RepositoryLock.fileSystemNow(repository);
    for (RepositoryLock.Holder h : holders) {
      if (all || RepositoryLock.isStale(h, getConf(), now)) {
        if (RepositoryLock.remove(repository, h)) {
          out().println(Printable.escape("Removed lock of " + h.describe()));
          removed++;
        }
      } else {
        kept++;
      }
    }
    out().println("Removed " + removed + " lock(s)" + (kept > 0 ? "; " + kept + " live lock(s) kept" : ""));
    return ExitCodes.SUCCESS;
  }
}
