package org.hbackup.verify;

import java.io.FileNotFoundException;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;

import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileStatus;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.FSDataInputStream;
import org.apache.hadoop.fs.Path;
import org.apache.hadoop.mapreduce.Counters;
import org.apache.hadoop.mapreduce.Job;
import org.apache.hadoop.mapreduce.lib.input.MultipleInputs;
import org.hbackup.common.CrashPoints;
import org.hbackup.common.DamageException;
import org.hbackup.common.HbackupException;
import org.hbackup.common.UnsupportedFormatVersionException;
import org.hbackup.common.id.ContentId;
import org.hbackup.common.id.PackId;
import org.hbackup.common.index.IndexFileReader;
import org.hbackup.common.io.FileSystems;
import org.hbackup.common.repo.PointPublisher;
import org.hbackup.common.repo.Repository;
import org.hbackup.common.repo.RepositoryLayout;
import org.hbackup.common.repo.RepositoryLock;
import org.hbackup.job.JobSetup;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code repair index}: rebuilds the index from the packs that are present, under an exclusive
 * lock. A MapReduce job reads every pack's trailer (with --read-data, every blob too, keeping
 * only those that check out) and the old index files, and one reducer writes one new index file
 * in chunk order, keeping an old row of a chunk no trailer lists when its blob reads back; the
 * driver publishes it, then deletes the old index files (FORMAT.md, "Repairing"): until the
 * old ones are gone the union of index files still holds a row for every deliverable chunk, so a
 * crash anywhere leaves a usable repository and running the repair again finishes it. Chunks of
 * missing or damaged packs are then no longer known, and the next backup stores them again from
 * the source. Memory: the driver holds the list of old index files (one per backup); the
 * reducer the new index's Bloom filter.
 */
public final class RepairIndexJob {
  private static final Logger LOG = LoggerFactory.getLogger(RepairIndexJob.class);

  /** What the repair did, or would do. */
  public record Result(int oldFiles, long oldRows, long newRows, long droppedChunks, long salvagedChunks, long packs,
      long damagedPacks, long blobsRead, long recordsRemoved, boolean published, long durationMs) {
  }

  private final Configuration baseConf;
  private final Path repositoryPath;
  private final boolean readData;
  private final boolean dryRun;

  public RepairIndexJob(Configuration conf, Path repository, boolean readData, boolean dryRun) {
    this.baseConf = conf;
    this.repositoryPath = repository;
    this.readData = readData;
    this.dryRun = dryRun;
  }

  public Result run() throws IOException, InterruptedException {
    long started = System.currentTimeMillis();
    Repository repository = Repository.open(repositoryPath, baseConf);
    // A dry run changes nothing: it reads beside backups under a shared lock, as verify does.
    try (RepositoryLock lock = RepositoryLock.acquire(repository,
        dryRun ? RepositoryLock.Mode.SHARED : RepositoryLock.Mode.EXCLUSIVE, "repair index", null, baseConf)) {
      return repair(repository, lock, started);
    } catch (ClassNotFoundException e) {
      throw new HbackupException("repair job could not load a class: " + e.getMessage(), e);
    }
  }

  private Result repair(Repository repository, RepositoryLock lock, long started)
      throws IOException, InterruptedException, ClassNotFoundException {
    Configuration conf = new Configuration(baseConf);
    conf.set(VerifyConfigKeys.REPOSITORY, repository.layout().root().toString());
    (readData ? ReadData.ALL : ReadData.NONE).writeTo(conf);
    FileSystem fs = repository.fileSystem();
    List<Path> oldFiles = new ArrayList<>();
    long oldRows = 0;
    try {
      for (FileStatus s : fs.listStatus(repository.layout().indexDir(),
          p -> RepositoryLayout.isIndexFileName(p.getName()))) {
        oldFiles.add(s.getPath());
        oldRows += rowsOf(fs, s);
      }
    } catch (FileNotFoundException e) {
      // No index yet.
    }
    Path work = VerifyJob.workDirectory(conf, "repair-index");
    FileSystem workFs = FileSystems.raw(work, conf);
    // Named after the lock, so that no other process reclaims it while the lock lives; a dry run
    // stages in its own work directory, writing nothing into the repository.
    Path staging = dryRun ? new Path(work, "staging")
        : new Path(repository.layout().tmpDir(), "repair-index-" + lock.holder().id());
    try {
      // The old index too: its rows of chunks that no trailer lists are kept when their blobs read
      // back. Listed before the packs, as verify lists them: a dry run (shared lock) beside a
      // backup then sees a new pack without its index rows (new rows), never rows whose pack it
      // did not list (taken for a damaged trailer, "salvaged").
      Path indexListing = new Path(work, "index");
      conf.setLong(VerifyConfigKeys.INDEX_LISTING_WEIGHT, VerifyJob.listFiles(conf, repository,
          repository.layout().indexDir(), RepositoryLayout.INDEX_SUFFIX, indexListing, false));
      Path packListing = new Path(work, "packs");
      conf.setLong(VerifyConfigKeys.PACK_LISTING_WEIGHT, VerifyJob.listFiles(conf, repository,
          repository.layout().packsDir(), RepositoryLayout.PACK_SUFFIX, packListing, true));
      FileSystems.mkdirsOwnerOnly(FileSystems.raw(staging, conf), staging);
      conf.set(IndexRebuildReducer.STAGING, staging.toString());
      conf.setBoolean(IndexRebuildReducer.REMOVE_RECORDS, readData && !dryRun);
      conf.setBoolean(VerifyConfigKeys.RECORD_DAMAGE, !dryRun);
      conf.setLong(IndexRebuildReducer.EXPECTED_ROWS, Math.max(1000, oldRows));
      Job job = VerifyJob.job(conf, "hbackup repair index");
      MultipleInputs.addInputPath(job, packListing, ListingInputFormats.Packs.class, PackCheckMapper.class);
      MultipleInputs.addInputPath(job, indexListing, ListingInputFormats.IndexFiles.class, IndexRowsMapper.class);
      job.setReducerClass(IndexRebuildReducer.class);
      // One reducer: one index file, written in chunk order.
      job.setNumReduceTasks(1);
      // The reducer writes only the index file; the index mapper names damaged index files.
      VerifyJob.outputs(job, new Path(work, "files"));
      Counters counters = new Counters();
      VerifyJob.run(job, counters);
      long newRows = counters.findCounter(IndexRebuildReducer.Rows.WRITTEN).getValue();
      if (!dryRun) {
        publish(repository, lock, staging, oldFiles);
      }
      return new Result(oldFiles.size(), oldRows, newRows,
          counters.findCounter(IndexRebuildReducer.Rows.DROPPED).getValue(),
          counters.findCounter(IndexRebuildReducer.Rows.SALVAGED).getValue(),
          counters.findCounter(VerifyCounters.PACKS).getValue(),
          counters.findCounter(VerifyCounters.DAMAGED_PACKS).getValue(),
          counters.findCounter(VerifyCounters.BLOBS_READ).getValue(),
          counters.findCounter(IndexRebuildReducer.Rows.RECORDS_REMOVED).getValue(), !dryRun, System.currentTimeMillis() - started);
    } finally {
      workFs.delete(work, true);
      FileSystems.raw(staging, conf).delete(staging, true);
    }
  }

  /**
   * Salvaged packs first, then the new index that names them, old index files after: at every
   * moment the index files together name a readable copy of every chunk that has one.
   */
  private void publish(Repository repository, RepositoryLock lock, Path staging, List<Path> oldFiles)
      throws IOException {
    FileSystem fs = repository.fileSystem();
    Path published = null;
    lock.checkHeld("publishing the new index");
    PointPublisher publisher = new PointPublisher(repository, baseConf);
    Path salvaged = new Path(staging, IndexRebuildReducer.PACKS);
    if (fs.exists(salvaged)) {
      for (FileStatus s : fs.listStatus(salvaged, p -> p.getName().endsWith(RepositoryLayout.PACK_SUFFIX))) {
        String name = s.getPath().getName();
        PackId id = name.length() > 2 ? RepositoryLayout.packAt(new Path(new Path(salvaged, name.substring(0, 2)), name))
            : null;
        if (id == null) {
          throw new HbackupException("the repair staged a pack under a name no pack has: " + s.getPath());
        }
        publisher.publishPack(s.getPath(), id);
      }
    }
    for (FileStatus s : fs.listStatus(staging, p -> p.getName().endsWith(RepositoryLayout.INDEX_SUFFIX))) {
      String name = s.getPath().getName();
      ContentId id = ContentId.parse(name.substring(0, name.length() - RepositoryLayout.INDEX_SUFFIX.length()));
      published = repository.layout().index(id);
      publisher.publishContentAddressed(s.getPath(), published, id);
    }
    if (published == null) {
      throw new HbackupException("the repair staged no index file in " + staging);
    }
    CrashPoints.reached(baseConf, "repair.index.published");
    lock.checkHeld("removing the old index files");
    for (Path old : oldFiles) {
      lock.checkHeldWithin(10, "removing the old index files");
      if (!old.getName().equals(published.getName())) {
        fs.delete(old, false);
        LOG.info("Removed index file {}, replaced by {}", old, published.getName());
      }
    }
  }

  private static long rowsOf(FileSystem fs, FileStatus s) throws IOException {
    try (FSDataInputStream stream = org.hbackup.common.io.RegularFiles.open(fs, s.getPath());
         IndexFileReader reader = new IndexFileReader(stream, s.getLen(), s.getPath().toString())) {
      return reader.entries();
    } catch (DamageException | UnsupportedFormatVersionException e) {
      return 0;
    }
  }
}
