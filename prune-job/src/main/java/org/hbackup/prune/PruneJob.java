package org.hbackup.prune;

import java.io.FileNotFoundException;
import java.io.IOException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.List;
import java.util.Set;

import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FSDataInputStream;
import org.apache.hadoop.fs.FileStatus;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.apache.hadoop.fs.RemoteIterator;
import org.apache.hadoop.io.BytesWritable;
import org.apache.hadoop.io.LongWritable;
import org.apache.hadoop.io.SequenceFile;
import org.apache.hadoop.io.Text;
import org.apache.hadoop.mapreduce.Counters;
import org.apache.hadoop.mapreduce.Job;
import org.apache.hadoop.mapreduce.Mapper;
import org.apache.hadoop.mapreduce.lib.input.MultipleInputs;
import org.apache.hadoop.mapreduce.lib.input.SequenceFileInputFormat;
import org.apache.hadoop.mapreduce.lib.output.FileOutputFormat;
import org.apache.hadoop.mapreduce.lib.output.LazyOutputFormat;
import org.apache.hadoop.mapreduce.lib.output.MultipleOutputs;
import org.apache.hadoop.mapreduce.lib.output.SequenceFileOutputFormat;
import org.hbackup.common.CrashPoints;
import org.hbackup.common.DamageException;
import org.hbackup.common.HbackupException;
import org.hbackup.common.UnsupportedFormatVersionException;
import org.hbackup.common.id.ContentId;
import org.hbackup.common.id.PackId;
import org.hbackup.common.index.IndexFileReader;
import org.hbackup.common.id.PointId;
import org.hbackup.common.io.FileSystems;
import org.hbackup.common.manifest.ManifestList;
import org.hbackup.common.manifest.SegmentRef;
import org.hbackup.common.repo.DamageRecords;
import org.hbackup.common.repo.PointPublisher;
import org.hbackup.common.repo.Repository;
import org.hbackup.common.point.PointRecord;
import org.hbackup.common.repo.RepositoryLayout;
import org.hbackup.common.repo.RepositoryLock;
import org.hbackup.common.repo.StagingLayout;
import org.hbackup.common.repo.TmpReclaimer;
import org.hbackup.verify.SegmentListing;
import org.hbackup.verify.SegmentUse;
import org.hbackup.verify.VerifyJob;
import org.hbackup.verify.VerifyKey;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code prune}: removes what no remaining point uses, as MapReduce joins whose memory does not
 * grow with the repository (docs/ARCHITECTURE.md, "Prune"), under an exclusive lock, in the order
 * of FORMAT.md ("Pruning") that keeps every crash harmless:
 * <ol>
 * <li>the driver streams the remaining points' segments, the segment files and the packs into
 *     listings;</li>
 * <li>mark (by segment): each named segment is read once and sends its chunk references;</li>
 * <li>sweep (by chunk): each chunk's copies (pack trailers) meet its references; one copy of a
 *     used chunk is kept;</li>
 * <li>plan (by pack): each pack is kept, deleted or rewritten;</li>
 * <li>repack and index (by chunk): map tasks balanced by bytes copy the used blobs of rewritten
 *     packs, each checked, into new packs, and send their rows beside the kept packs' rows and the
 *     references; one row per kept chunk goes into new index files; a referenced chunk without a
 *     row stops the prune;</li>
 * <li>publish new packs, then new index files; then delete the old index files, the packs
 *     planned for deletion, unused segments, and manifest lists of forgotten points.</li>
 * </ol>
 * A problem found at any step (a point, segment or chunk the remaining points need that is missing
 * or damaged) stops the prune before it publishes or deletes anything. Nothing younger than the
 * grace period is deleted. Memory of the driver: the ids of the remaining points.
 */
public final class PruneJob {
  private static final Logger LOG = LoggerFactory.getLogger(PruneJob.class);
  static final String REFS = "refs";
  static final String DROP = "drop";
  static final String PROBLEMS = "problems";
  /**
   * Used chunks none of whose listed copies reads back: problems, taken after the check of damaged
   * packs that index files still name (whose blobs a restore may still read, and which that check
   * names first, so that `repair index` is what the report asks for).
   */
  static final String UNREADABLE = "unreadable";
  static final String BLOBS = "blobs";
  static final String ROWS = "rows";
  static final String REPACK = "repack";
  /** The plan's damaged packs (header or trailer), by path: checked against the index files. */
  static final String DAMAGED = "damaged";
  /** The most damaged packs the driver checks the index files for in one pass over them. */
  static final int MAX_DAMAGED_PACKS_CHECKED = 10_000;
  /** How many problems the result names; the counter has them all. */
  static final int NAMED = 100;
  /**
   * How often a delete phase asks again whether the lock is still held: a lock taken over in the
   * middle of deleting a million files stops the deletes within this time (the refresher's own
   * finding stops them at once), at one file system call per this many seconds.
   */
  static final long RECHECK_SECONDS = 10;

  /** A problem that stopped the prune: a file (or chunk) and why. */
  public record Problem(String file, String reason) {
  }

  /** What the prune did, or on a dry run would do. */
  public record Result(boolean dryRun, boolean deleted, String deferredBecause, List<Problem> problems,
      Counters counters, long bytesBefore, long bytesAfter, long durationMs) {
    public long get(PruneCounters c) {
      return counters.findCounter(c).getValue();
    }

    /** Whether the prune stopped on damage the remaining points are exposed to. */
    public boolean damage() {
      return get(PruneCounters.PROBLEMS) > 0;
    }
  }

  private final Configuration baseConf;
  private final Path repositoryPath;
  private final PruneOptions options;
  /** Points to count as forgotten though their records are still there: forget's dry run. */
  private final Set<String> forgotten;

  public PruneJob(Configuration conf, Path repository, PruneOptions options) {
    this(conf, repository, options, Set.of());
  }

  PruneJob(Configuration conf, Path repository, PruneOptions options, Set<String> forgotten) {
    if (!forgotten.isEmpty() && !options.dryRun()) {
      throw new IllegalArgumentException("points are only counted as forgotten on a dry run");
    }
    this.baseConf = conf;
    this.repositoryPath = repository;
    this.options = options;
    this.forgotten = Set.copyOf(forgotten);
  }

  public Result run() throws IOException, InterruptedException {
    Repository repository = Repository.open(repositoryPath, baseConf);
    try (RepositoryLock lock = RepositoryLock.acquire(repository, RepositoryLock.Mode.EXCLUSIVE, "prune", null,
        baseConf)) {
      return runLocked(repository, lock);
    }
  }

  /** Runs the prune under {@code lock}, an exclusive lock the caller holds. */
  Result runLocked(Repository repository, RepositoryLock lock) throws IOException, InterruptedException {
    long started = System.currentTimeMillis();
    FileSystem fs = repository.fileSystem();
    // The repository's own clock: the lock file was written just now.
    long now = fs.getFileStatus(lock.holder().file()).getModificationTime();
    long grace = baseConf.getLong(PruneConfigKeys.GRACE, PruneConfigKeys.DEFAULT_GRACE_SECONDS);
    if (grace < 0) {
      // A cutoff in the future would make every file old: deletable however young.
      throw new HbackupException(PruneConfigKeys.GRACE + " must be 0 or more seconds, not " + grace);
    }
    long cutoff = now - grace * 1000;
    Configuration conf = new Configuration(baseConf);
    conf.setBoolean(PruneConfigKeys.RECORD_DAMAGE, !options.dryRun());
    conf.set(PruneConfigKeys.REPOSITORY, repository.layout().root().toString());
    conf.setLong(PruneConfigKeys.CUTOFF, cutoff);
    conf.setDouble(PruneConfigKeys.MAX_UNUSED, options.maxUnusedPercent() / 100);
    Path work = VerifyJob.workDirectory(conf, "prune");
    FileSystem workFs = FileSystems.raw(work, conf);
    // Named after the lock, so that no other process reclaims it while the lock lives.
    StagingLayout staging = new StagingLayout(new Path(repository.layout().tmpDir(), "prune-" + lock.holder().id()));
    try {
      return new Run(repository, lock, conf, work, workFs, staging, cutoff, started).execute();
    } catch (ClassNotFoundException e) {
      throw new HbackupException("prune job could not load a class: " + e.getMessage(), e);
    } finally {
      workFs.delete(work, true);
      fs.delete(staging.root(), true);
    }
  }

  /** One prune's state: its listings, counters and problems. */
  private final class Run {
    private final Repository repository;
    private final RepositoryLock lock;
    private final FileSystem fs;
    private final Configuration conf;
    private final Path work;
    private final FileSystem workFs;
    private final StagingLayout staging;
    private final long cutoff;
    private final long started;
    private final Counters counters = new Counters();
    private final List<Problem> problems = new ArrayList<>();
    private final Set<String> points = new HashSet<>();
    /** The content-addressed manifest lists the remaining points name: at most one per point, like {@link #points}. */
    private final Set<String> listsUsed = new HashSet<>();
    private final List<FileStatus> oldIndexFiles = new ArrayList<>();
    /** The index files younger than the grace period, listed for {@link YoungIndexMapper}. */
    private Path youngIndexListing;
    private long youngIndexFiles;

    Run(Repository repository, RepositoryLock lock, Configuration conf, Path work, FileSystem workFs,
        StagingLayout staging, long cutoff, long started) {
      this.repository = repository;
      this.lock = lock;
      this.fs = repository.fileSystem();
      this.conf = conf;
      this.work = work;
      this.workFs = workFs;
      this.staging = staging;
      this.cutoff = cutoff;
      this.started = started;
    }

    Result execute() throws IOException, InterruptedException, ClassNotFoundException {
      long bytesBefore = repositoryBytes();
      Path segmentListing = new Path(work, "segments");
      Path segmentFiles = new Path(work, "segment-files");
      Path packListing = new Path(work, "packs");
      listPoints(segmentListing.suffix(".unsorted"));
      long segmentWeight = SegmentListing.sortDistinct(conf, segmentListing.suffix(".unsorted"), segmentListing);
      SegmentListing.configure(conf, segmentWeight,
          conf.getInt(PruneConfigKeys.MAX_MAPS, PruneConfigKeys.DEFAULT_MAX_MAPS));
      try (SequenceFile.Writer out = PruneListings.writer(conf, segmentFiles, VerifyKey.class, BytesWritable.class)) {
        PruneListings.listSegments(fs, repository.layout(), out);
      }
      PruneListings.Totals packs;
      try (SequenceFile.Writer out = PruneListings.writer(conf, packListing, Text.class, BytesWritable.class)) {
        packs = PruneListings.listPacks(fs, repository.layout(), out);
      }
      conf.setLong(PruneConfigKeys.PACK_LISTING_WEIGHT, packs.files() * PruneListings.TRAILER_WEIGHT);
      listIndexFiles();
      if (!problems.isEmpty()) {
        return stopped(bytesBefore);
      }

      // Mark and sweep in one job: segments are read in its map phase, beside the pack trailers.
      Path swept = new Path(work, "swept");
      Job sweep = job("hbackup prune: segments and chunks", swept);
      if (segmentWeight > 0) {
        MultipleInputs.addInputPath(sweep, segmentListing, SegmentListing.Splits.class, SegmentsMapper.class);
      }
      MultipleInputs.addInputPath(sweep, segmentFiles, SequenceFileInputFormat.class, Mapper.class);
      MultipleInputs.addInputPath(sweep, packListing, PruneListings.Packs.class, PackTrailerMapper.class);
      if (youngIndexFiles > 0) {
        MultipleInputs.addInputPath(sweep, youngIndexListing, SequenceFileInputFormat.class, YoungIndexMapper.class);
      }
      sweep.setReducerClass(ChunksReducer.class);
      VerifyJob.run(sweep, counters);
      if (collectProblems(swept)) {
        return stopped(bytesBefore);
      }

      Path planned = new Path(work, "planned");
      if (workFs.exists(new Path(swept, BLOBS))) {
        Job plan = job("hbackup prune: packs", planned);
        SequenceFileInputFormat.addInputPath(plan, new Path(swept, BLOBS));
        plan.setInputFormatClass(SequenceFileInputFormat.class);
        plan.setReducerClass(PacksReducer.class);
        VerifyJob.run(plan, counters);
      }
      if (get(PruneCounters.PACKS_DAMAGED) > 0 && damagedPacksStillIndexed(new Path(planned, DAMAGED))) {
        return stopped(bytesBefore);
      }
      if (collectProblems(swept, UNREADABLE)) {
        return stopped(bytesBefore);
      }
      if (options.dryRun()) {
        return result(true, false, null, bytesBefore, bytesBefore);
      }

      FileSystems.mkdirsOwnerOnly(fs, staging.root());
      // Repack and index in one job: the new packs' rows go through its shuffle, beside the kept
      // packs' rows and the references. Its output is the staging's packs directory, where each
      // repack task's packs arrive when its attempt commits (as a backup's map tasks' do).
      conf.setLong(PruneConfigKeys.EXPECTED_ROWS, get(PruneCounters.CHUNKS_LIVE) + get(PruneCounters.PACKS_YOUNG) * 64);
      conf.set(PruneConfigKeys.STAGING, staging.root().toString());
      Job index = job("hbackup prune: repack and index", staging.packsDir());
      boolean inputs = addRepack(index, new Path(planned, REPACK));
      inputs |= addIfPresent(index, new Path(planned, ROWS));
      inputs |= addIfPresent(index, new Path(swept, REFS));
      index.setReducerClass(IndexReducer.class);
      if (inputs) {
        VerifyJob.run(index, counters);
      }
      if (collectProblems(staging.packsDir())) {
        return stopped(bytesBefore);
      }
      CrashPoints.reached(conf, "prune.planned");
      return publishAndDelete(planned, swept, bytesBefore);
    }

    /**
     * Adds the packs the plan listed for rewriting, if any, as the repack's input: one record per
     * pack, split by the bytes to copy. Returns whether there are any.
     */
    private boolean addRepack(Job job, Path outputs) throws IOException {
      if (!workFs.exists(outputs)) {
        return false;
      }
      Path listing = new Path(work, "repack");
      try (SequenceFile.Writer out = PruneListings.writer(conf, listing, Text.class, BytesWritable.class)) {
        long weight = PruneListings.relist(conf, workFs, outputs, out);
        job.getConfiguration().setLong(PruneConfigKeys.REPACK_LISTING_WEIGHT, weight);
      }
      MultipleInputs.addInputPath(job, listing, PruneListings.Repack.class, RepackMapper.class);
      return true;
    }

    private Result publishAndDelete(Path planned, Path swept, long bytesBefore) throws IOException {
      List<FileStatus> stagedPacks = list(staging.packsDir(), RepositoryLayout.PACK_SUFFIX);
      List<FileStatus> stagedIndex = list(staging.indexDir(), RepositoryLayout.INDEX_SUFFIX);
      checkStaged(stagedPacks.size(), stagedIndex.size());
      long written = 0;
      Set<String> newIndex = new HashSet<>();
      for (FileStatus s : stagedPacks) {
        written += s.getLen();
      }
      counters.findCounter(PruneCounters.PACK_BYTES_WRITTEN).increment(written);
      for (FileStatus s : stagedIndex) {
        newIndex.add(s.getPath().getName());
      }
      // New packs first, then the index files that name them (FORMAT.md, "Pruning", step 1).
      lock.checkHeld("publishing its new packs and index");
      new PointPublisher(repository, conf).publishData(staging);
      checkPublished(stagedPacks, stagedIndex);
      CrashPoints.reached(conf, "prune.published");
      String deferred = pointsPublishedMeanwhile();
      if (deferred != null) {
        LOG.warn("Prune deleted nothing: {}", deferred);
        return result(false, false, deferred, bytesBefore, repositoryBytes());
      }
      lock.checkHeld("deleting the old index files");
      for (FileStatus s : oldIndexFiles) {
        lock.checkHeldWithin(RECHECK_SECONDS, "deleting the old index files");
        if (!newIndex.contains(s.getPath().getName()) && fs.delete(s.getPath(), false)) {
          counters.findCounter(PruneCounters.OTHER_BYTES_DELETED).increment(s.getLen());
        }
      }
      CrashPoints.reached(conf, "prune.index.deleted");
      lock.checkHeld("deleting packs");
      deleteListed(new Path(planned, DROP), true, "deleting packs");
      CrashPoints.reached(conf, "prune.packs.deleted");
      lock.checkHeld("deleting segments");
      deleteListed(new Path(swept, DROP), false, "deleting segments");
      CrashPoints.reached(conf, "prune.segments.deleted");
      lock.checkHeld("deleting manifest lists");
      deleteForgottenManifests();
      fs.delete(staging.root(), true); // all published: what is left is the job's bookkeeping
      TmpReclaimer.Reclaimed reclaimed = TmpReclaimer.reclaim(repository, conf);
      counters.findCounter(PruneCounters.OTHER_BYTES_DELETED).increment(reclaimed.bytes());
      long after = repositoryBytes();
      return result(false, true, null, bytesBefore, after);
    }

    /**
     * The staging must hold every pack and index file the jobs counted: a staging directory that
     * lost files (removed by another process, or by a disk) would publish less than the plan
     * counts on, and the deletes would then take data the remaining points need. Nothing is
     * published or deleted when it does not.
     */
    private void checkStaged(int packs, int indexFiles) throws IOException {
      long packsWritten = get(PruneCounters.PACKS_WRITTEN);
      long indexWritten = get(PruneCounters.INDEX_FILES_WRITTEN);
      if (packs != packsWritten || indexFiles != indexWritten
          || (get(PruneCounters.CHUNKS_LIVE) > 0 && indexWritten == 0)) {
        throw new HbackupException("prune stopped before publishing or deleting anything: its jobs wrote "
            + packsWritten + " pack(s) and " + indexWritten + " index file(s) for " + get(PruneCounters.CHUNKS_LIVE)
            + " chunk(s) in use, but its staging directory " + staging.root() + " holds " + packs + " and "
            + indexFiles + " (removed by another process?); run prune again");
      }
    }

    /** Every staged pack and index file is now in the repository, or nothing is deleted. */
    private void checkPublished(List<FileStatus> packs, List<FileStatus> indexFiles) throws IOException {
      RepositoryLayout layout = repository.layout();
      List<Path> expected = new ArrayList<>();
      for (FileStatus s : packs) {
        expected.add(layout.pack(PackId.parse(stem(s, RepositoryLayout.PACK_SUFFIX))));
      }
      for (FileStatus s : indexFiles) {
        expected.add(layout.index(ContentId.parse(stem(s, RepositoryLayout.INDEX_SUFFIX))));
      }
      for (Path p : expected) {
        if (!fs.exists(p)) {
          throw new HbackupException("prune stopped before deleting anything: " + p + ", which it wrote, is not in"
              + " the repository after publishing (removed by another process?); run prune again");
        }
      }
    }

    /**
     * Streams the segments of the remaining points into the unsorted segment listing; a point that
     * cannot be read is a problem.
     */
    private void listPoints(Path unsortedSegments) throws IOException {
      try (SequenceFile.Writer out = SegmentListing.unsorted(conf, unsortedSegments)) {
        for (RemoteIterator<PointId> ids = pointIds(); ids.hasNext();) {
          PointId id = ids.next();
          if (forgotten.contains(id.toString())) {
            continue;
          }
          ManifestList list;
          PointRecord record;
          try {
            record = repository.readPoint(id);
            list = repository.readManifest(record);
          } catch (DamageException | UnsupportedFormatVersionException e) {
            problem(repository.layout().point(id).toString(), e.getMessage());
            continue;
          } catch (HbackupException e) {
            continue; // forgotten since the listing: it is not a remaining point
          }
          points.add(id.toString());
          if (record.manifestList() != null) {
            listsUsed.add(record.manifestList().toHex());
          }
          counters.findCounter(PruneCounters.POINTS).increment(1);
          for (SegmentRef ref : list.segments()) {
            out.append(new BytesWritable(ref.id().bytes()), SegmentUse.of(ref, id.toString()));
          }
        }
      }
    }

    private RemoteIterator<PointId> pointIds() throws IOException {
      RemoteIterator<FileStatus> files = PruneListings.iterate(fs, repository.layout().pointsDir());
      List<PointId> ids = new ArrayList<>();
      while (files.hasNext()) {
        String name = files.next().getPath().getName();
        if (name.endsWith(RepositoryLayout.JSON_SUFFIX)) {
          String stem = name.substring(0, name.length() - RepositoryLayout.JSON_SUFFIX.length());
          if (PointId.isPointId(stem)) {
            ids.add(PointId.parse(stem));
          }
        }
      }
      return org.apache.hadoop.util.functional.RemoteIterators.remoteIteratorFromIterable(ids);
    }

    /**
     * Whether an index file names a blob in a pack whose header or trailer is damaged, each such
     * pack then a problem that stops the prune. Its trailer lists nothing, so prune knows no copy
     * there; yet a restore reads through an index row alone, and the blob may be the only good copy
     * of a chunk the remaining points use: deleting the pack lost it, with exit 0 (found by a
     * probe). `repair index` keeps what reads back of such a pack (copied into a new pack) and
     * then names it no more; prune deletes a damaged pack only then. Asked only when a pack is
     * damaged; memory: at most {@link #MAX_DAMAGED_PACKS_CHECKED} damaged packs' ids at a time
     * (more are checked in further passes over the index files).
     */
    private boolean damagedPacksStillIndexed(Path damagedOutput) throws IOException {
      Map<PackId, String> batch = new HashMap<>();
      boolean named = false;
      Text path = new Text();
      LongWritable length = new LongWritable();
      for (FileStatus part : list(damagedOutput)) {
        try (SequenceFile.Reader in = new SequenceFile.Reader(conf, SequenceFile.Reader.file(part.getPath()))) {
          while (in.next(path, length)) {
            String name = new Path(path.toString()).getName();
            batch.put(PackId.parse(name.substring(0, name.length() - RepositoryLayout.PACK_SUFFIX.length())),
                path.toString());
            if (batch.size() == MAX_DAMAGED_PACKS_CHECKED) {
              named |= indexNames(batch);
              batch.clear();
            }
          }
        }
      }
      return indexNames(batch) | named;
    }

    /** Whether an index file names one of {@code damaged}; each one named is a problem. */
    private boolean indexNames(Map<PackId, String> damaged) throws IOException {
      if (damaged.isEmpty()) {
        return false;
      }
      Set<PackId> named = new HashSet<>();
      for (RemoteIterator<FileStatus> it = PruneListings.iterate(fs, repository.layout().indexDir()); it.hasNext();) {
        FileStatus s = it.next();
        if (!s.isFile() || !RepositoryLayout.isIndexFileName(s.getPath().getName())) {
          continue;
        }
        try (FSDataInputStream stream = org.hbackup.common.io.RegularFiles.open(fs, s.getPath());
             IndexFileReader reader = new IndexFileReader(stream, s.getLen(), s.getPath().toString())) {
          for (long i = 0; i < reader.entries(); i++) {
            PackId pack = reader.entry(i).packId();
            if (damaged.containsKey(pack) && named.add(pack)) {
              problem(damaged.get(pack), "the pack's trailer is damaged and index file " + s.getPath().getName()
                  + " names blobs in it, which may be the only good copies of chunks the remaining points use:"
                  + " run 'hbackup repair index' (it keeps what reads back, and then names the pack no more),"
                  + " then prune");
            }
          }
        } catch (DamageException | UnsupportedFormatVersionException e) {
          continue; // a damaged index file names nothing a restore can use
        }
      }
      return !named.isEmpty();
    }

    private void listIndexFiles() throws IOException {
      youngIndexListing = new Path(work, "young-index");
      try (SequenceFile.Writer young = PruneListings.writer(conf, youngIndexListing, Text.class, BytesWritable.class)) {
        for (RemoteIterator<FileStatus> it = PruneListings.iterate(fs, repository.layout().indexDir()); it.hasNext();) {
          FileStatus s = it.next();
          if (s.isFile() && RepositoryLayout.isIndexFileName(s.getPath().getName())) {
            counters.findCounter(PruneCounters.INDEX_FILES_BEFORE).increment(1);
            // A young index file stays: its writer may still be publishing the point it belongs
            // to. The packs it names stay whole with it (YoungIndexMapper).
            if (s.getModificationTime() <= cutoff) {
              oldIndexFiles.add(s);
            } else {
              young.append(new Text(s.getPath().toString()),
                  new BytesWritable(PruneRecord.file(s.getLen(), s.getModificationTime())));
              youngIndexFiles++;
            }
          }
        }
      }
    }

    /**
     * Why the deletes must wait: a point record that appeared while the prune ran (a writer that
     * ignored the lock) may use data the plan did not count as used. Null when there is none.
     */
    private String pointsPublishedMeanwhile() throws IOException {
      for (RemoteIterator<PointId> ids = pointIds(); ids.hasNext();) {
        PointId id = ids.next();
        if (!points.contains(id.toString())) {
          return "point " + id + " was published while the prune ran (by a writer that did not take the"
              + " repository lock); run prune again";
        }
      }
      return null;
    }

    /** Deletes the files a job listed as (path, length); packs take their damage records with them. */
    private void deleteListed(Path outputs, boolean packs, String step) throws IOException {
      Text path = new Text();
      LongWritable length = new LongWritable();
      for (FileStatus part : list(outputs)) {
        if (part.getPath().getName().startsWith("_")) {
          continue;
        }
        try (SequenceFile.Reader in = new SequenceFile.Reader(conf, SequenceFile.Reader.file(part.getPath()))) {
          while (in.next(path, length)) {
            Path p = new Path(path.toString());
            lock.checkHeldWithin(RECHECK_SECONDS, step);
            if (!fs.delete(p, false)) {
              continue;
            }
            if (packs) {
              counters.findCounter(PruneCounters.PACK_BYTES_DELETED).increment(length.get());
              String name = p.getName();
              PackId id = PackId.parse(name.substring(0, name.length() - RepositoryLayout.PACK_SUFFIX.length()));
              if (fs.delete(new Path(DamageRecords.directory(repository), id.toHex() + RepositoryLayout.JSON_SUFFIX),
                  false)) {
                counters.findCounter(PruneCounters.DAMAGE_RECORDS_DELETED).increment(1);
              }
            } else {
              counters.findCounter(PruneCounters.SEGMENTS_DELETED).increment(1);
              counters.findCounter(PruneCounters.OTHER_BYTES_DELETED).increment(length.get());
            }
          }
        }
      }
    }

    /**
     * Manifest lists and change lists whose point is gone, and content-addressed manifest lists
     * no remaining point names; older than the grace period.
     */
    private void deleteForgottenManifests() throws IOException {
      for (RemoteIterator<FileStatus> it = PruneListings.iterate(fs, repository.layout().manifestListsDir());
          it.hasNext();) {
        FileStatus s = it.next();
        String name = s.getPath().getName();
        if (!s.isFile() || !name.endsWith(RepositoryLayout.JSON_SUFFIX) || s.getModificationTime() > cutoff) {
          continue;
        }
        String hex = name.substring(0, name.length() - RepositoryLayout.JSON_SUFFIX.length());
        // A file not named as a list is no list (readers ignore it, FORMAT.md section 3): kept.
        lock.checkHeldWithin(RECHECK_SECONDS, "deleting manifest lists");
        if (ContentId.isName(hex) && !listsUsed.contains(hex) && fs.delete(s.getPath(), false)) {
          counters.findCounter(PruneCounters.MANIFEST_FILES_DELETED).increment(1);
          counters.findCounter(PruneCounters.OTHER_BYTES_DELETED).increment(s.getLen());
        }
      }
      for (RemoteIterator<FileStatus> it = PruneListings.iterate(fs, repository.layout().manifestsDir()); it.hasNext();) {
        FileStatus s = it.next();
        String name = s.getPath().getName();
        int dot = name.indexOf('.');
        if (!s.isFile() || dot < 0 || s.getModificationTime() > cutoff) {
          continue;
        }
        String stem = name.substring(0, dot);
        String suffix = name.substring(dot);
        boolean ours = suffix.equals(RepositoryLayout.JSON_SUFFIX) || suffix.equals(RepositoryLayout.CHANGES_SUFFIX);
        lock.checkHeldWithin(RECHECK_SECONDS, "deleting change lists");
        if (ours && PointId.isPointId(stem) && !points.contains(stem)
            && !fs.exists(repository.layout().point(PointId.parse(stem))) && fs.delete(s.getPath(), false)) {
          counters.findCounter(PruneCounters.MANIFEST_FILES_DELETED).increment(1);
          counters.findCounter(PruneCounters.OTHER_BYTES_DELETED).increment(s.getLen());
        }
      }
    }

    /** Reads a job's problems output into the result; returns whether there were any. */
    private boolean collectProblems(Path jobOutput) throws IOException {
      collect(new Path(jobOutput, PROBLEMS), false);
      return !problems.isEmpty() || get(PruneCounters.PROBLEMS) > 0;
    }

    /** Reads a job's output of problems not counted by its tasks ({@link #UNREADABLE}); whether there were any. */
    private boolean collectProblems(Path jobOutput, String name) throws IOException {
      collect(new Path(jobOutput, name), true);
      return !problems.isEmpty() || get(PruneCounters.PROBLEMS) > 0;
    }

    private void collect(Path output, boolean count) throws IOException {
      Text file = new Text();
      Text why = new Text();
      for (FileStatus part : list(output)) {
        try (SequenceFile.Reader in = new SequenceFile.Reader(conf, SequenceFile.Reader.file(part.getPath()))) {
          while (in.next(file, why)) {
            if (count) {
              problem(file.toString(), why.toString());
            } else if (problems.size() < NAMED) {
              problems.add(new Problem(file.toString(), why.toString()));
            }
          }
        }
      }
    }

    private void problem(String file, String why) {
      counters.findCounter(PruneCounters.PROBLEMS).increment(1);
      if (problems.size() < NAMED) {
        problems.add(new Problem(file, why));
      }
    }

    private Result stopped(long bytesBefore) {
      LOG.warn("Prune stopped before deleting anything: {} problem(s), the first: {}", get(PruneCounters.PROBLEMS),
          problems.isEmpty() ? "?" : problems.get(0).file() + ": " + problems.get(0).reason());
      return result(options.dryRun(), false, null, bytesBefore, bytesBefore);
    }

    private Result result(boolean dryRun, boolean deleted, String deferred, long before, long after) {
      return new Result(dryRun, deleted, deferred, List.copyOf(problems), counters, before, after,
          System.currentTimeMillis() - started);
    }

    /** Bytes of the repository's files, without its locks (this prune's own among them). */
    private long repositoryBytes() throws IOException {
      long locks;
      try {
        locks = fs.getContentSummary(RepositoryLock.directory(repository)).getLength();
      } catch (FileNotFoundException e) {
        locks = 0;
      }
      return fs.getContentSummary(repository.layout().root()).getLength() - locks;
    }

    private long get(PruneCounters c) {
      return counters.findCounter(c).getValue();
    }

    private Job job(String name, Path output) throws IOException {
      Job job = VerifyJob.job(conf, name);
      LazyOutputFormat.setOutputFormatClass(job, SequenceFileOutputFormat.class);
      FileOutputFormat.setOutputPath(job, output);
      MultipleOutputs.addNamedOutput(job, REFS, SequenceFileOutputFormat.class, VerifyKey.class, BytesWritable.class);
      MultipleOutputs.addNamedOutput(job, BLOBS, SequenceFileOutputFormat.class, VerifyKey.class, BytesWritable.class);
      MultipleOutputs.addNamedOutput(job, ROWS, SequenceFileOutputFormat.class, VerifyKey.class, BytesWritable.class);
      MultipleOutputs.addNamedOutput(job, REPACK, SequenceFileOutputFormat.class, Text.class, BytesWritable.class);
      MultipleOutputs.addNamedOutput(job, DROP, SequenceFileOutputFormat.class, Text.class, LongWritable.class);
      MultipleOutputs.addNamedOutput(job, DAMAGED, SequenceFileOutputFormat.class, Text.class, LongWritable.class);
      MultipleOutputs.addNamedOutput(job, PROBLEMS, SequenceFileOutputFormat.class, Text.class, Text.class);
      MultipleOutputs.addNamedOutput(job, UNREADABLE, SequenceFileOutputFormat.class, Text.class, Text.class);
      return job;
    }

    /** Adds a previous job's named output in the work directory, read as it is, if present. */
    private boolean addIfPresent(Job job, Path dir) throws IOException {
      if (!workFs.exists(dir)) {
        return false;
      }
      MultipleInputs.addInputPath(job, dir, SequenceFileInputFormat.class, Mapper.class);
      return true;
    }

    private static String stem(FileStatus s, String suffix) {
      String name = s.getPath().getName();
      return name.substring(0, name.length() - suffix.length());
    }

    /** The files of {@code dir} whose names end with {@code suffix}. */
    private List<FileStatus> list(Path dir, String suffix) throws IOException {
      List<FileStatus> files = new ArrayList<>();
      for (FileStatus s : list(dir)) {
        if (s.getPath().getName().endsWith(suffix)) {
          files.add(s);
        }
      }
      return files;
    }

    private List<FileStatus> list(Path dir) throws IOException {
      List<FileStatus> files = new ArrayList<>();
      FileSystem dirFs = dir.getFileSystem(conf);
      try {
        for (FileStatus s : dirFs.listStatus(dir)) {
          if (s.isFile()) {
            files.add(s);
          }
        }
      } catch (FileNotFoundException e) {
        // nothing there
      }
      return files;
    }
  }
}
