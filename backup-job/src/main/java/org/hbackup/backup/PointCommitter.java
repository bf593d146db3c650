package org.hbackup.backup;

import java.io.FileNotFoundException;
import java.io.IOException;
import java.io.InputStream;
import java.time.Instant;

import com.fasterxml.jackson.databind.node.ObjectNode;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.apache.hadoop.mapreduce.JobContext;
import org.apache.hadoop.mapreduce.JobStatus;
import org.apache.hadoop.mapreduce.TaskAttemptContext;
import org.apache.hadoop.mapreduce.lib.output.FileOutputCommitter;
import org.hbackup.common.HbackupException;
import org.hbackup.common.id.PointId;
import org.hbackup.common.io.FileSystems;
import org.hbackup.common.io.Json;
import org.hbackup.common.manifest.ManifestList;
import org.hbackup.common.point.PointRecord;
import org.hbackup.common.repo.PointPublisher;
import org.hbackup.common.repo.Repository;
import org.hbackup.common.repo.StagingLayout;
import org.hbackup.job.TaskFailures;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Publishes the point when, and only when, the job succeeds. Task attempts are committed by
 * {@link FileOutputCommitter} into the staging directory (a failed attempt's packs never get
 * there); then {@link PointPublisher} moves the staged files into the repository in commit order.
 * An aborted job removes its staging directory; the repository never saw it.
 */
public class PointCommitter extends FileOutputCommitter {
  private static final Logger LOG = LoggerFactory.getLogger(PointCommitter.class);

  public PointCommitter(Path outputPath, TaskAttemptContext context) throws IOException {
    super(outputPath, context);
  }

  @Override
  public void commitJob(JobContext context) throws IOException {
    try {
      commit(context);
    } catch (IOException | RuntimeException e) {
      TaskFailures.record(context.getJobID(), e);
      throw e;
    }
  }

  private void commit(JobContext context) throws IOException {
    super.commitJob(context);
    Configuration conf = context.getConfiguration();
    BackupSettings settings = BackupSettings.readFrom(conf);
    BackupOptions options = settings.options();
    PointId point = settings.point();
    Repository repository = Repository.open(options.repository(), conf);
    StagingLayout staging = new StagingLayout(getOutputPath());
    PointPublisher publisher = new PointPublisher(repository, conf);
    ManifestList manifest = publisher.stagedManifest(staging);
    ObjectNode stats = readStats(repository.fileSystem(), staging);
    PointRecord record = PointRecord.builder(point, options.type())
        .base(settings.basePoint())
        .source(options.source().toString())
        .completed(Instant.now())
        .totals(manifest.totals().files(), manifest.totals().directories(), manifest.totals().symlinks(),
            manifest.totals().bytes())
        .counter(StagedStats.BYTES_NEW, stats.path(StagedStats.BYTES_NEW).asLong())
        .counter(StagedStats.BYTES_STORED, stats.path(StagedStats.BYTES_STORED).asLong())
        .counter(StagedStats.CHUNKS_NEW, stats.path(StagedStats.CHUNKS_NEW).asLong())
        .snapshot(settings.snapshotName())
        .changes(PointRecord.readChanges(stats.get(StagedStats.CHANGES)))
        .changeList(settings.basePoint() != null)
        .manifestList(manifest.contentId())
        .build();
    checkStillLocked(repository, settings.lockFile());
    if (stats.path(StagedStats.CHUNKS_NEW).asLong() > 0 && !repository.fileSystem().exists(staging.indexDir())) {
      throw new HbackupException("the backup stored " + stats.path(StagedStats.CHUNKS_NEW).asLong()
          + " new chunks but its staging holds no index file: not publishing point " + point);
    }
    publisher.publishData(staging);
    org.hbackup.common.CrashPoints.reached(context.getConfiguration(), "backup.data.published");
    // Again just before the record: a prune that took the lock over while the data was published
    // may have planned without this point, and deletes what its manifest names once it exists.
    checkStillLocked(repository, settings.lockFile());
    if (settings.testFailBeforePointRecord()) {
      throw new IOException("injected failure (" + BackupConfigKeys.TEST_FAIL_BEFORE_POINT_RECORD
          + ") after publishing data of point " + point);
    }
    publisher.publishPoint(staging, record);
    repository.fileSystem().delete(staging.root(), true);
    LOG.info("Point {} committed", point);
  }

  /**
   * Refuses to publish when the backup's lock is gone: it was taken over as stale, and a prune
   * may be changing the repository; nothing is published, the point is simply not made.
   */
  private static void checkStillLocked(Repository repository, Path lock) throws IOException {
    if (lock != null && !repository.fileSystem().exists(lock)) {
      throw new HbackupException("the backup's repository lock " + lock + " is gone (it was taken over as"
          + " stale); not publishing");
    }
  }

  private static ObjectNode readStats(FileSystem fs, StagingLayout staging) throws IOException {
    Path path = new Path(staging.root(), StagedStats.FILE);
    try (InputStream in = fs.open(path)) {
      return Json.parse(in, path.toString());
    } catch (FileNotFoundException e) {
      throw new HbackupException("the backup job staged no figures at " + path, e);
    }
  }

  @Override
  public void abortJob(JobContext context, JobStatus.State state) throws IOException {
    try {
      super.abortJob(context, state);
    } finally {
      Path staging = getOutputPath();
      FileSystems.raw(staging, context.getConfiguration()).delete(staging, true);
      LOG.info("Backup job aborted ({}); removed staging {}", state, staging);
    }
  }
}
