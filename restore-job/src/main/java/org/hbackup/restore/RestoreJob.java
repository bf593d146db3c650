package org.hbackup.restore;

import java.io.BufferedReader;
import java.io.FileNotFoundException;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;

import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileStatus;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.apache.hadoop.io.BytesWritable;
import org.apache.hadoop.io.Text;
import org.apache.hadoop.mapreduce.Job;
import org.apache.hadoop.mapreduce.lib.output.FileOutputFormat;
import org.apache.hadoop.mapreduce.lib.output.TextOutputFormat;
import org.hbackup.common.HbackupException;
import org.hbackup.common.io.FileSystems;
import org.hbackup.common.repo.Repository;
import org.hbackup.job.JobSetup;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs one restore: checks the point and the target, runs the MapReduce job, and collects the
 * report of failed files. Memory of the driver: one manifest segment at a time while planning
 * splits, and the list of failed files.
 */
public final class RestoreJob {
  private static final Logger LOG = LoggerFactory.getLogger(RestoreJob.class);
  /** The JSON report names at most this many failed files; the counter has the full number. */
  public static final int MAX_REPORTED_FAILURES = 10_000;

  private final Configuration baseConf;
  private final RestoreOptions options;

  public RestoreJob(Configuration conf, RestoreOptions options) {
    this.baseConf = conf;
    this.options = options;
  }

  public RestoreResult run() throws IOException, InterruptedException {
    long started = System.currentTimeMillis();
    Configuration conf = new Configuration(baseConf);
    Repository repository = Repository.open(options.repository(), conf);
    repository.readPoint(options.point());
    FileSystem targetFs = FileSystems.raw(options.target(), conf);
    Path target = targetFs.makeQualified(options.target());
    checkTarget(targetFs, target);
    RestoreOptions qualified = options.toBuilder().repository(repository.layout().root()).target(target).build();
    qualified.writeTo(conf);

    Path workRoot = new Path(conf.get(RestoreConfigKeys.WORK_DIR, RestoreConfigKeys.DEFAULT_WORK_DIR));
    Path work = FileSystem.get(conf).makeQualified(
        new Path(workRoot, "restore-" + options.point() + "-" + UUID.randomUUID()));
    FileSystem workFs = FileSystems.raw(work, conf);
    try {
      Job job = configure(conf, work);
      LOG.info("Restoring point {} from {} into {}", options.point(), repository.layout().root(), target);
      boolean ok = job.waitForCompletion(LOG.isInfoEnabled());
      if (!ok) {
        throw new HbackupException("restore job " + job.getJobID() + " failed: " + JobSetup.failure(job));
      }
      return new RestoreResult(options.point(), job.getCounters(), readFailures(workFs, work),
          System.currentTimeMillis() - started);
    } catch (ClassNotFoundException e) {
      throw new HbackupException("restore job could not load a class: " + e.getMessage(), e);
    } finally {
      workFs.delete(work, true);
    }
  }

  private void checkTarget(FileSystem fs, Path target) throws IOException {
    FileStatus status;
    try {
      status = fs.getFileStatus(target);
    } catch (FileNotFoundException e) {
      return;
    }
    if (!status.isDirectory()) {
      throw new HbackupException("target " + target + " exists and is not a directory");
    }
    if (!options.overwrite() && fs.listStatusIterator(target).hasNext()) {
      throw new HbackupException("target " + target + " is not empty; use --overwrite to restore into it");
    }
  }

  private Job configure(Configuration conf, Path work) throws IOException {
    JobSetup.applyDefaults(conf);
    Job job = Job.getInstance(conf, "hbackup restore " + options.point());
    job.setJarByClass(RestoreJob.class);
    job.setInputFormatClass(ManifestInputFormat.class);
    job.setMapperClass(RestoreMapper.class);
    job.setMapOutputKeyClass(RestoreKey.class);
    job.setMapOutputValueClass(BytesWritable.class);
    job.setReducerClass(RestoreReducer.class);
    // One reducer: directories must be finished deepest first across the whole tree.
    job.setNumReduceTasks(1);
    job.setOutputKeyClass(Text.class);
    job.setOutputValueClass(Text.class);
    job.setOutputFormatClass(TextOutputFormat.class);
    FileOutputFormat.setOutputPath(job, work);
    return job;
  }

  private static List<RestoreResult.Failure> readFailures(FileSystem fs, Path work) throws IOException {
    List<RestoreResult.Failure> failures = new ArrayList<>();
    for (FileStatus s : fs.listStatus(work, p -> p.getName().startsWith("part-"))) {
      try (BufferedReader in = new BufferedReader(new InputStreamReader(fs.open(s.getPath()), StandardCharsets.UTF_8))) {
        for (String line = in.readLine(); line != null && failures.size() < MAX_REPORTED_FAILURES; line = in.readLine()) {
          int tab = line.indexOf('\t');
          failures.add(tab < 0 ? new RestoreResult.Failure(line, "")
              : new RestoreResult.Failure(line.substring(0, tab), line.substring(tab + 1)));
        }
      }
    }
    return failures;
  }
}
