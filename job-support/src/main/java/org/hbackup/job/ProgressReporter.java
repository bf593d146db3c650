package org.hbackup.job;

import java.io.PrintStream;
import java.util.Locale;

import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.mapreduce.Counters;
import org.apache.hadoop.mapreduce.Job;
import org.apache.hadoop.util.StringUtils;

/**
 * Prints a running job's progress on stderr: on a terminal one line rewritten in place every
 * second, otherwise (a log, an Oozie launcher, a YARN container) a plain line every 30 s. Each
 * line names the step, the map and reduce progress, what the command's counters say is done of
 * what is known in advance (files and bytes of the listing or the manifest), the rate and an
 * estimate of the time left; all from the job's own status and counters, on the local runner
 * and on YARN alike. {@code hbackup.progress} = {@code auto} (default), {@code terminal},
 * {@code lines} or {@code off} ({@code --quiet}).
 *
 * <p>Where it prints is per thread ({@link #printTo}): the command line sets it around a
 * command, whose drivers run their jobs in the same thread; library users and tests that do not
 * set it get no progress.
 */
public final class ProgressReporter implements AutoCloseable {
  public static final String MODE = "hbackup.progress";
  public static final String INTERVAL_MS = "hbackup.progress.interval.ms";
  private static final ThreadLocal<PrintStream> SINK = new ThreadLocal<>();

  /** What a command knows of its job's work: what is done, from its counters and the time so far. */
  public interface Figures {
    String describe(Counters counters, double seconds);
  }

  private final Thread thread;
  private final PrintStream out;
  private final boolean terminal;
  private volatile boolean stopped;
  private int lastLength;

  private ProgressReporter(Job job, String step, Figures figures, PrintStream out, boolean terminal, long interval) {
    this.out = out;
    this.terminal = terminal;
    long started = System.nanoTime();
    this.thread = new Thread(() -> {
      try {
        while (!stopped) {
          Thread.sleep(interval);
          if (!stopped) {
            print(line(job, step, figures, (System.nanoTime() - started) / 1e9));
          }
        }
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }, "hbackup-progress");
    thread.setDaemon(true);
  }

  /** Sends this thread's progress lines to {@code sink} (null: none). */
  public static void printTo(PrintStream sink) {
    if (sink == null) {
      SINK.remove();
    } else {
      SINK.set(sink);
    }
  }

  /** Starts reporting on {@code job}, or returns a reporter that does nothing. */
  public static ProgressReporter start(Job job, String step, Figures figures) {
    Configuration conf = job.getConfiguration();
    PrintStream sink = SINK.get();
    String mode = conf.get(MODE, "auto").toLowerCase(Locale.ROOT);
    if (sink == null || mode.equals("off")) {
      return null;
    }
    // Java cannot ask whether stderr is a terminal; a console (stdin and stdout are) is the sign.
    boolean terminal = mode.equals("terminal") || (mode.equals("auto") && System.console() != null);
    long interval = conf.getLong(INTERVAL_MS, terminal ? 1000 : 30_000);
    ProgressReporter r = new ProgressReporter(job, step, figures, sink, terminal, Math.max(50, interval));
    r.thread.start();
    return r;
  }

  static String line(Job job, String step, Figures figures, double seconds) {
    StringBuilder s = new StringBuilder(step).append(": ");
    float map = 0;
    try {
      map = job.mapProgress();
      s.append(String.format(Locale.ROOT, "map %d%%, reduce %d%%", Math.round(map * 100),
          Math.round(job.reduceProgress() * 100)));
    } catch (Exception e) {
      s.append("starting");
    }
    try {
      Counters counters = job.getCounters();
      if (counters != null && figures != null) {
        String done = figures.describe(counters, seconds);
        if (done != null && !done.isEmpty()) {
          s.append(", ").append(done);
        }
      }
    } catch (Exception e) {
      // Counters are not there yet (a job being set up): the percentages say enough.
    }
    s.append(", ").append(elapsed(seconds));
    if (map > 0.02f && map < 1f) {
      s.append(", about ").append(elapsed(seconds * (1 - map) / map)).append(" left in the map phase");
    }
    return s.toString();
  }

  /** "12 s", "3:05", "1:02:03". */
  static String elapsed(double seconds) {
    long s = Math.round(seconds);
    if (s < 60) {
      return s + " s";
    }
    return s < 3600 ? String.format(Locale.ROOT, "%d:%02d", s / 60, s % 60)
        : String.format(Locale.ROOT, "%d:%02d:%02d", s / 3600, s / 60 % 60, s % 60);
  }

  /** A size for people, as Hadoop prints them ("1.07 GB"). */
  public static String bytes(long n) {
    return StringUtils.byteDesc(n);
  }

  /** Bytes per second over {@code seconds}, for people ("85.20 MB/s"). */
  public static String rate(long bytes, double seconds) {
    return StringUtils.byteDesc(seconds > 0 ? (long) (bytes / seconds) : 0) + "/s";
  }

  private synchronized void print(String line) {
    if (stopped) {
      return;
    }
    if (terminal) {
      StringBuilder padded = new StringBuilder("\r").append(line);
      for (int i = line.length(); i < lastLength; i++) {
        padded.append(' ');
      }
      lastLength = line.length();
      out.print(padded);
    } else {
      out.println(line);
    }
    out.flush();
  }

  @Override
  public void close() {
    stopped = true;
    thread.interrupt();
    try {
      thread.join(1000);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    synchronized (this) {
      if (terminal && lastLength > 0) {
        out.println();
        out.flush();
      }
    }
  }
}
