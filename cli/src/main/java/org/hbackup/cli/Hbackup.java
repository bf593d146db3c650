package org.hbackup.cli;

import java.io.PrintStream;
import java.util.Arrays;

import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.Path;
import org.apache.hadoop.util.ToolRunner;

/**
 * The entry point of {@code hadoop jar hbackup.jar COMMAND ...} and {@code bin/hbackup}. Picks the
 * subcommand and hands the rest of the arguments to {@link ToolRunner}, so Hadoop's generic
 * options ({@code -D}, {@code -conf}, {@code -fs}, {@code -jt}, {@code -libjars}) follow the command.
 * Returns normally on success (what Oozie's java action expects) and exits non-zero otherwise.
 */
public final class Hbackup {
  private Hbackup() {
  }

  /**
   * The system property through which Oozie's java action names the file holding the action's
   * {@code <configuration>} (queue, credentials, {@code -D}-like settings). A main class that
   * submits jobs must load it itself, or the workflow's settings never reach the jobs.
   */
  static final String OOZIE_ACTION_CONF = "oozie.action.conf.xml";

  public static void main(String[] args) throws Exception {
    StartupWarmer.start();
    int code = run(configuration(), args, System.out, System.err);
    if (code != ExitCodes.SUCCESS) {
      System.exit(code);
    }
  }

  /**
   * Hadoop's configuration (site files from the classpath), with an Oozie action's configuration
   * on top when the action named one. Options given on the command line ({@code -D}) still win.
   */
  static Configuration configuration() {
    Configuration conf = new Configuration();
    String actionConf = System.getProperty(OOZIE_ACTION_CONF);
    if (actionConf != null && !actionConf.isEmpty()) {
      conf.addResource(new Path("file:///", actionConf));
    }
    return conf;
  }

  /**
   * Makes {@code hadoop.tmp.dir} one directory for the whole run, once the command's
   * configuration is complete (site files, the Oozie action, {@code -conf}, {@code -D}).
   * {@code bin/hbackup} names the user's own scratch directory as the system property. Hadoop
   * expands {@code ${hadoop.tmp.dir}} (the S3A upload buffers, the local runner's directories)
   * from that property but answers {@code conf.get("hadoop.tmp.dir")} from the configuration, so
   * part of a run checked and used one directory and part used another unchecked (a restore's
   * work files went through a link another user had planted there: found by a probe). The
   * property is the value unless the configuration gives one (core-default.xml's does not
   * count); then that value is the property too, and the one the commands check.
   */
  static void useTmpDirProperty(Configuration conf) {
    String property = System.getProperty("hadoop.tmp.dir");
    if (property == null || property.isEmpty()) {
      return;
    }
    String[] sources = conf.getPropertySources("hadoop.tmp.dir");
    boolean onlyDefault = sources == null
        || java.util.Arrays.stream(sources).allMatch(src -> src.equals("core-default.xml"));
    if (onlyDefault) {
      conf.set("hadoop.tmp.dir", property, "the hadoop.tmp.dir system property");
    } else if (!property.equals(conf.get("hadoop.tmp.dir"))) {
      System.setProperty("hadoop.tmp.dir", conf.get("hadoop.tmp.dir"));
    }
  }

  /** Runs one command; returns its exit code. */
  public static int run(Configuration conf, String[] args, PrintStream out, PrintStream err) throws Exception {
    if (args.length == 0 || args[0].equals("help") || args[0].equals("--help") || args[0].equals("-h")) {
      usage(args.length == 0 ? err : out);
      return args.length == 0 ? ExitCodes.USAGE : ExitCodes.SUCCESS;
    }
    if (args[0].equals("--version") || args[0].equals("version")) {
      out.println("hbackup " + org.hbackup.common.HbackupVersion.get());
      return ExitCodes.SUCCESS;
    }
    int words = 1;
    Command command;
    if (args[0].equals("repair")) {
      // Two words: repair index, repair points.
      command = args.length > 1 ? repair(args[1], out, err) : null;
      if (command == null) {
        err.println("hbackup repair: give 'index' or 'points'");
        err.println("usage: hbackup repair index --repo URI [--read-data] [--dry-run] [--json]");
        err.println("       hbackup repair points --repo URI [--point ID]... [--forget] [--dry-run] [--json]");
        return ExitCodes.USAGE;
      }
      words = 2;
    } else {
      command = command(args[0], out, err);
    }
    if (command == null) {
      err.println("hbackup: unknown command '" + args[0] + "'");
      usage(err);
      return ExitCodes.USAGE;
    }
    String[] rest = Arrays.copyOfRange(args, words, args.length);
    if (rest.length == 1 && (rest[0].equals("--help") || rest[0].equals("-h"))) {
      Command.help(command.synopsis(), command.options(), out);
      return ExitCodes.SUCCESS;
    }
    return ToolRunner.run(conf, command, rest);
  }

  static Command command(String name, PrintStream out, PrintStream err) {
    switch (name) {
      case "init":
        return new InitCommand(out, err);
      case "backup":
        return new BackupCommand(out, err);
      case "restore":
        return new RestoreCommand(out, err);
      case "list":
        return new ListCommand(out, err);
      case "show":
        return new ShowCommand(out, err);
      case "diff":
        return new DiffCommand(out, err);
      case "unlock":
        return new UnlockCommand(out, err);
      case "verify":
        return new VerifyCommand(out, err);
      case "forget":
        return new ForgetCommand(out, err);
      case "prune":
        return new PruneCommand(out, err);
      default:
        return null;
    }
  }

  static Command repair(String what, PrintStream out, PrintStream err) {
    switch (what) {
      case "index":
        return new RepairIndexCommand(out, err);
      case "points":
        return new RepairPointsCommand(out, err);
      default:
        return null;
    }
  }

  private static void usage(PrintStream to) {
    to.println("usage: hbackup COMMAND [GENERIC_OPTIONS] [OPTIONS]");
    to.println("  init     create a repository");
    to.println("  backup   back up a directory into a new recovery point");
    to.println("  restore  restore a point, or paths of it, into a target directory");
    to.println("  list     list the repository's points");
    to.println("  show     list the entries of a point");
    to.println("  diff     list what changed between two points");
    to.println("  verify   check that points can be restored, without restoring them");
    to.println("  repair   index: rebuild the index from the packs; points: rewrite points without lost files");
    to.println("  forget   remove points by a retention policy (each source's on their own), or named points");
    to.println("  prune    delete the data no remaining point uses; rewrite packs that are mostly unused");
    to.println("  unlock   remove stale locks (or all, with --remove-all)");
    to.println("'hbackup COMMAND --help' describes a command's options; 'hbackup --version' the version.");
    to.println("Exit codes: 0 success,");
    to.println("1 failure, 2 usage error, 3 damage found, 4 backup published without unreadable entries.");
  }
}
