package org.hbackup.job;

import java.io.IOException;
import java.util.concurrent.Callable;

import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.mapreduce.Counters;
import org.apache.hadoop.mapreduce.Job;
import org.hbackup.common.OneLine;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Waits for a submitted job and fetches its counters, telling a job that failed from a client
 * that lost track of one that finished. On YARN the client asks the application master, and once
 * it has exited, the job history server, which may not have the job yet: the client then throws
 * "Unknown Job" although the job (and its commit) succeeded. Counter fetches are retried; a job
 * whose commit is known to have happened ({@code committed}) is never reported as failed.
 */
public final class JobCompletion {
  private static final Logger LOG = LoggerFactory.getLogger(JobCompletion.class);

  /** How many times the client asks for a finished job's counters before doing without them. */
  public static final String STATUS_ATTEMPTS = "hbackup.job.status.attempts";
  public static final int DEFAULT_STATUS_ATTEMPTS = 6;
  /** The first wait between two attempts, doubled after each (0.5 + 1 + 2 + 4 + 8 s by default). */
  public static final String STATUS_BACKOFF_MS = "hbackup.job.status.backoff.ms";
  public static final long DEFAULT_STATUS_BACKOFF_MS = 500;
  /**
   * Test only: lose track of the job as a client can on YARN. "wait": the wait for completion
   * throws once the job has finished; a number N: the first N counter fetches throw.
   */
  public static final String TEST_LOSE_TRACK = "hbackup.test.job.lose.track";

  /** What the client knows of a finished job. */
  public static final class Outcome {
    private final boolean succeeded;
    private final Counters counters;
    private final String lostTrack;

    Outcome(boolean succeeded, Counters counters, String lostTrack) {
      this.succeeded = succeeded;
      this.counters = counters;
      this.lostTrack = lostTrack;
    }

    /** Whether the job succeeded, or is known to have committed. */
    public boolean succeeded() {
      return succeeded;
    }

    /** The job's counters; null when the client could not get them. */
    public Counters counters() {
      return counters;
    }

    /** Why the counters are missing (one line); null when they are not. */
    public String lostTrack() {
      return lostTrack;
    }
  }

  private int fetchFailuresToInject;

  private JobCompletion(Configuration conf) {
    String lose = conf.get(TEST_LOSE_TRACK, "");
    this.fetchFailuresToInject = lose.matches("\\d+") ? Integer.parseInt(lose) : 0;
  }

  /**
   * Waits for {@code job}. {@code committed} says whether the job's commit took effect (a
   * backup: its point record exists); it is asked only when the client cannot tell otherwise.
   */
  public static Outcome await(Job job, boolean verbose, Callable<Boolean> committed)
      throws IOException, InterruptedException, ClassNotFoundException {
    return await(job, verbose, committed, job.getJobName(), null);
  }

  /** As above, printing progress lines ({@link ProgressReporter}) named {@code step}. */
  public static Outcome await(Job job, boolean verbose, Callable<Boolean> committed, String step,
      ProgressReporter.Figures figures) throws IOException, InterruptedException, ClassNotFoundException {
    Configuration conf = job.getConfiguration();
    JobCompletion completion = new JobCompletion(conf);
    boolean ok;
    try {
      job.submit();
      try (ProgressReporter progress = ProgressReporter.start(job, step, figures)) {
        ok = job.waitForCompletion(verbose);
      }
      if ("wait".equals(conf.get(TEST_LOSE_TRACK))) {
        throw new IOException("Unknown Job " + job.getJobID() + " (injected: " + TEST_LOSE_TRACK + ")");
      }
    } catch (IOException e) {
      if (!isCommitted(committed) && !stoppedUncommitted(job, committed)) {
        throw e;
      }
      LOG.warn("Lost track of job {} after its commit ({}); its figures come from what it published",
          job.getJobID(), OneLine.of(e));
      return new Outcome(true, null, OneLine.of(e));
    }
    if (!ok && !isCommitted(committed)) {
      return new Outcome(false, null, null);
    }
    if (!ok) {
      LOG.warn("Job {} is reported as {} although its commit took effect", job.getJobID(), job.getJobState());
    }
    return completion.counters(job, conf);
  }

  private Outcome counters(Job job, Configuration conf) throws InterruptedException {
    int attempts = Math.max(1, conf.getInt(STATUS_ATTEMPTS, DEFAULT_STATUS_ATTEMPTS));
    long backoff = conf.getLong(STATUS_BACKOFF_MS, DEFAULT_STATUS_BACKOFF_MS);
    IOException last = null;
    for (int attempt = 1; attempt <= attempts; attempt++) {
      try {
        if (fetchFailuresToInject > 0) {
          fetchFailuresToInject--;
          throw new IOException("Unknown Job " + job.getJobID() + " (injected: " + TEST_LOSE_TRACK + ")");
        }
        Counters counters = job.getCounters();
        if (counters != null) {
          return new Outcome(true, counters, null);
        }
        last = new IOException("no counters for job " + job.getJobID());
      } catch (IOException e) {
        last = e;
      }
      if (attempt < attempts) {
        LOG.info("Counters of job {} not available yet ({}); asking again in {} ms", job.getJobID(),
            OneLine.of(last), backoff);
        Thread.sleep(backoff);
        backoff *= 2;
      }
    }
    LOG.warn("Gave up asking for the counters of finished job {}: {}", job.getJobID(), OneLine.of(last));
    return new Outcome(true, null, OneLine.of(last));
  }

  /**
   * After the client lost a job that has not committed: the job may still be running, and may
   * commit after the driver has given up on it (released its lock, removed its staging). It is
   * killed, and waited for, before the driver goes on; returns whether it committed after all.
   */
  private static boolean stoppedUncommitted(Job job, Callable<Boolean> committed) throws IOException {
    try {
      if (!job.isComplete()) {
        LOG.warn("Killing job {}, which this client lost before it committed", job.getJobID());
        job.killJob();
      }
      long deadline = System.nanoTime() + java.util.concurrent.TimeUnit.SECONDS.toNanos(60);
      while (!job.isComplete() && System.nanoTime() < deadline) {
        Thread.sleep(500);
      }
    } catch (IOException e) {
      // The job cannot be reached at all: it is not running on behalf of this client any more.
      LOG.warn("Job {} cannot be reached to stop it: {}", job.getJobID(), OneLine.of(e));
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    return isCommitted(committed);
  }

  private static boolean isCommitted(Callable<Boolean> committed) throws IOException {
    try {
      return committed.call();
    } catch (IOException e) {
      throw e;
    } catch (Exception e) {
      throw new IOException("could not tell whether the job committed: " + OneLine.of(e), e);
    }
  }

  /** For jobs whose commit leaves nothing to look at: success is what the client reports. */
  public static Callable<Boolean> notKnown() {
    return () -> false;
  }
}
