package org.hbackup.verify;

import java.io.FileNotFoundException;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.UUID;

import org.apache.hadoop.conf.Configuration;
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
import org.apache.hadoop.mapreduce.lib.input.MultipleInputs;
import org.apache.hadoop.mapreduce.lib.input.SequenceFileInputFormat;
import org.apache.hadoop.mapreduce.lib.output.FileOutputFormat;
import org.apache.hadoop.mapreduce.lib.output.LazyOutputFormat;
import org.apache.hadoop.mapreduce.lib.output.MultipleOutputs;
import org.apache.hadoop.mapreduce.lib.output.SequenceFileOutputFormat;
import org.hbackup.common.DamageException;
import org.hbackup.common.HbackupException;
import org.hbackup.common.UnsupportedFormatVersionException;
import org.hbackup.common.id.ContentId;
import org.hbackup.common.id.PackId;
import org.hbackup.common.id.PointId;
import org.hbackup.common.io.FileSystems;
import org.hbackup.common.manifest.ChangeListReader;
import org.hbackup.common.manifest.ManifestList;
import org.hbackup.common.manifest.SegmentRef;
import org.hbackup.common.point.PointRecord;
import org.hbackup.common.repo.Repository;
import org.hbackup.common.repo.RepositoryLayout;
import org.hbackup.common.repo.RepositoryLock;
import org.hbackup.job.JobCompletion;
import org.hbackup.job.JobSetup;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs one verify as MapReduce joins whose memory does not grow with the repository
 * (docs/ARCHITECTURE.md, "Verify"). The driver streams the point records and manifest lists into
 * a (segment, point) listing and a listing of the distinct segments (an external sort), and lists
 * the packs and index files; job 1 checks segments, packs and index files in its map tasks and
 * joins, by chunk, index rows with pack trailers and then with the points' references; when
 * something cannot be restored, jobs 2 and 3 join it back to the points and paths it affects.
 * Memory of the driver: one point record, one manifest list and the sort buffer.
 */
public final class VerifyJob {
  private static final Logger LOG = LoggerFactory.getLogger(VerifyJob.class);
  static final String DAMAGE = "damage";
  /** Job 1's output of damaged segments and of files that cannot be restored, by segment. */
  static final String DAMAGED = "damaged";
  /**
   * Under a segment: rows of manifest lists that disagree with it come after the points that name
   * it (order 0), so that the join knows which points they take the segment from before the
   * segment's own damage and its files that cannot be restored (order 2) arrive.
   */
  static final byte ROW_DAMAGED_ORDER = 1;
  static final byte DAMAGED_ORDER = 2;
  static final String DANGLING = "dangling";
  /** Job 1's MapFiles of segments' tree summaries, by segment, for {@link SegmentBoundaries}. */
  static final String TREES = "trees";

  private final Configuration baseConf;
  private final VerifyOptions options;
  /** A repository this user may not write: damage found is reported, not recorded in damage/. */
  private boolean readOnly;
  /** Point records, manifest lists and change lists the driver found damaged or missing. */
  private long driverDamaged;
  /** Whether some checked point names more than one segment (the tree rule then crosses them). */
  private boolean severalSegments;

  public VerifyJob(Configuration conf, VerifyOptions options) {
    this.baseConf = conf;
    this.options = options;
  }

  static byte[] affectedKey(String point, String path) {
    return (point + "\0" + path).getBytes(StandardCharsets.UTF_8);
  }

  /** Runs the verify under a shared lock; the caller reads the result's reports, then closes it. */
  public VerifyResult run() throws IOException, InterruptedException {
    Repository repository = Repository.open(options.repository(), baseConf);
    RepositoryLock lock = RepositoryLock.sharedUnlessReadOnly(repository, "verify", "Verifying", baseConf);
    try {
      if (lock == null) {
        readOnly = true;
      }
      return runLocked(repository);
    } finally {
      if (lock != null) {
        lock.close();
      }
    }
  }

  /** Runs the verify; the caller holds a lock on the repository. */
  public VerifyResult runLocked(Repository repository) throws IOException, InterruptedException {
    long started = System.currentTimeMillis();
    Configuration conf = new Configuration(baseConf);
    conf.set(VerifyConfigKeys.REPOSITORY, repository.layout().root().toString());
    if (readOnly) {
      conf.setBoolean(VerifyConfigKeys.RECORD_DAMAGE, false);
    }
    options.readData().writeTo(conf);
    Path work = workDirectory(conf, "verify");
    FileSystem workFs = FileSystems.raw(work, conf);
    boolean done = false;
    try {
      VerifyResult result = verify(conf, repository, work, workFs, started);
      done = true;
      return result;
    } catch (ClassNotFoundException e) {
      throw new HbackupException("verify job could not load a class: " + e.getMessage(), e);
    } finally {
      if (!done) {
        workFs.delete(work, true);
      }
    }
  }

  /** A directory of its own for one run's listings and reports, under hadoop.tmp.dir. */
  public static Path workDirectory(Configuration conf, String what) throws IOException {
    Path root = new Path(conf.get("hadoop.tmp.dir", "/tmp"), "hbackup");
    org.hbackup.job.JobSetup.requireOwnWorkRoot(conf, root);
    FileSystem fs = FileSystem.get(conf);
    Path work = fs.makeQualified(new Path(root, what + "-" + UUID.randomUUID()));
    // Owner-only, naming this process: a later run removes it if this one is killed.
    org.hbackup.common.io.WorkDirectories.create(fs, work);
    return work;
  }

  private VerifyResult verify(Configuration conf, Repository repository, Path work, FileSystem workFs, long started)
      throws IOException, InterruptedException, ClassNotFoundException {
    Path segmentPoints = new Path(work, "segment-points");
    Path segmentListing = new Path(work, "segments");
    Path driverDamage = new Path(work, "driver-damage");
    Path driverAffected = new Path(work, "driver-affected");
    long points = listPoints(conf, repository, segmentPoints, segmentListing, driverDamage, driverAffected);
    long segmentWeight = SegmentListing.sortDistinct(conf, segmentListing.suffix(".unsorted"), segmentListing);
    SegmentListing.configure(conf, segmentWeight, conf.getInt(VerifyConfigKeys.MAX_MAPS,
        VerifyConfigKeys.DEFAULT_MAX_MAPS));
    conf.setBoolean(VerifyConfigKeys.TREE_SUMMARIES, severalSegments);
    Path packListing = new Path(work, "packs");
    Path indexListing = new Path(work, "index");
    // Listed in the reverse of the order writers publish in (FORMAT.md: packs, index, segments,
    // lists, point record): points first, then index files, then packs. A backup publishing
    // beside this shared lock then adds only what the earlier listings do not name (an unused
    // pack), never an index row naming a pack listed before it was there ("missing").
    long indexWeight = listFiles(conf, repository, repository.layout().indexDir(), RepositoryLayout.INDEX_SUFFIX,
        indexListing, false);
    org.hbackup.common.CrashPoints.reached(conf, "verify.listing");
    long packWeight = listFiles(conf, repository, repository.layout().packsDir(), RepositoryLayout.PACK_SUFFIX,
        packListing, true);
    conf.setLong(VerifyConfigKeys.PACK_LISTING_WEIGHT, packWeight);
    conf.setLong(VerifyConfigKeys.INDEX_LISTING_WEIGHT, indexWeight);

    Counters counters = new Counters();
    counters.findCounter(VerifyCounters.POINTS).increment(points);
    counters.findCounter(VerifyCounters.DAMAGED_POINT_FILES).increment(driverDamaged);
    Path files = new Path(work, "files");
    Job first = job(conf, "hbackup verify: segments, packs, index");
    if (segmentWeight > 0) {
      MultipleInputs.addInputPath(first, segmentListing, SegmentListing.Splits.class, SegmentRefsMapper.class);
    }
    MultipleInputs.addInputPath(first, packListing, ListingInputFormats.Packs.class, PackCheckMapper.class);
    MultipleInputs.addInputPath(first, indexListing, ListingInputFormats.IndexFiles.class, IndexRowsMapper.class);
    first.setReducerClass(VerifyFilesReducer.class);
    outputs(first, files);
    run(first, counters);
    Path boundaryDamage = new Path(work, "boundary-damage");
    Path boundaryAffected = new Path(work, "boundary-affected");
    if (severalSegments) {
      long boundariesStarted = System.nanoTime();
      long flagged = SegmentBoundaries.check(conf, repository, segmentPoints, new Path(files, TREES),
          first.getNumReduceTasks(), boundaryDamage, boundaryAffected);
      LOG.info("Checked the tree rule across the points' segments in {} ms: {} segment(s) below a non-directory",
          (System.nanoTime() - boundariesStarted) / 1_000_000, flagged);
      counters.findCounter(VerifyCounters.SEGMENTS_BELOW_A_NON_DIRECTORY).increment(flagged);
    }

    Path affected = null;
    Path damaged = new Path(files, DAMAGED);
    boolean anyDamaged = workFs.exists(damaged);
    if (anyDamaged || workFs.exists(driverAffected) || workFs.exists(boundaryAffected)) {
      Path joined = new Path(work, "affected-joined");
      if (anyDamaged) {
        Job second = job(conf, "hbackup verify: affected files");
        SequenceFileInputFormat.addInputPath(second, segmentPoints);
        SequenceFileInputFormat.addInputPath(second, damaged);
        second.setInputFormatClass(SequenceFileInputFormat.class);
        second.setReducerClass(AffectedJoinReducer.class);
        second.setOutputFormatClass(SequenceFileOutputFormat.class);
        FileOutputFormat.setOutputPath(second, joined);
        run(second, counters);
      }
      affected = new Path(work, "affected-report");
      Job third = job(conf, "hbackup verify: affected report");
      addIfPresent(third, workFs, joined);
      addIfPresent(third, workFs, driverAffected);
      addIfPresent(third, workFs, boundaryAffected);
      third.setInputFormatClass(SequenceFileInputFormat.class);
      third.setReducerClass(AffectedReportReducer.class);
      third.setNumReduceTasks(1);
      third.setOutputKeyClass(Text.class);
      third.setOutputValueClass(Text.class);
      third.setOutputFormatClass(SequenceFileOutputFormat.class);
      FileOutputFormat.setOutputPath(third, affected);
      run(third, counters);
    }
    return result(repository, counters, work, workFs, started, List.of(driverDamage, new Path(files, DAMAGE),
        boundaryDamage), files, affected);
  }

  private VerifyResult result(Repository repository, Counters counters, Path work, FileSystem workFs, long started,
      List<Path> damage, Path files, Path affected) throws IOException {
    return new VerifyResult(repository.layout().root(), options.readData(), counters, workFs, work, damage, new Path(files, DANGLING), affected,
        System.currentTimeMillis() - started);
  }

  /**
   * Streams the point records (the selected ones, or all) into the (segment, point) listing and
   * the unsorted segment listing, checking each record, manifest list and change list on the way;
   * what is damaged goes to the driver's damage report, and a point that cannot be read at all to
   * the affected files.
   */
  private long listPoints(Configuration conf, Repository repository, Path segmentPoints, Path segmentListing,
      Path damage, Path affected) throws IOException {
    FileSystem fs = repository.fileSystem();
    long count = 0;
    try (SequenceFile.Writer out = writer(conf, segmentPoints, VerifyKey.class, BytesWritable.class);
         SequenceFile.Writer segments = SegmentListing.unsorted(conf, segmentListing.suffix(".unsorted"));
         LazyWriter damaged = new LazyWriter(conf, damage, Text.class, Text.class);
         LazyWriter lost = new LazyWriter(conf, affected, VerifyKey.class, BytesWritable.class)) {
      RemoteIterator<PointId> ids = pointIds(fs, repository);
      // Points share a manifest list when their entries are the same: a damaged one is reported
      // once, and every point naming it is affected. Grows with the damaged lists alone.
      java.util.Set<String> damagedLists = new java.util.HashSet<>();
      while (ids.hasNext()) {
        PointId id = ids.next();
        count++;
        String problem = checkPoint(repository, id, out, segments, damaged, damagedLists);
        if (problem != null) {
          byte[] why = VerifyRecord.affected(problem);
          lost.append(new VerifyKey(VerifyKey.AFFECTED, affectedKey(id.toString(), VerifyResult.WHOLE_POINT), (byte) 0),
              new BytesWritable(why));
        }
      }
      driverDamaged = damaged.appended();
    }
    return count;
  }

  /** The ids of the points to check: the selected ones, or every point record's, streamed. */
  private RemoteIterator<PointId> pointIds(FileSystem fs, Repository repository) throws IOException {
    if (!options.points().isEmpty()) {
      return org.apache.hadoop.util.functional.RemoteIterators.remoteIteratorFromIterable(options.points());
    }
    RemoteIterator<FileStatus> files;
    try {
      files = fs.listStatusIterator(repository.layout().pointsDir());
    } catch (FileNotFoundException e) {
      return org.apache.hadoop.util.functional.RemoteIterators.remoteIteratorFromIterable(List.<PointId>of());
    }
    RemoteIterator<String> names = org.apache.hadoop.util.functional.RemoteIterators.mappingRemoteIterator(files,
        s -> s.getPath().getName());
    RemoteIterator<String> records = org.apache.hadoop.util.functional.RemoteIterators.filteringRemoteIterator(names,
        n -> n.endsWith(RepositoryLayout.JSON_SUFFIX) && PointId.isPointId(n.substring(0, n.length() - 5)));
    return org.apache.hadoop.util.functional.RemoteIterators.mappingRemoteIterator(records,
        n -> PointId.parse(n.substring(0, n.length() - 5)));
  }

  /** Checks one point's record, list and change list; sends its segments; returns its damage or null. */
  private String checkPoint(Repository repository, PointId id, SequenceFile.Writer out,
      SequenceFile.Writer segments, LazyWriter damaged, java.util.Set<String> damagedLists) throws IOException {
    RepositoryLayout layout = repository.layout();
    PointRecord record;
    ManifestList list;
    try {
      record = repository.readPoint(id);
    } catch (DamageException | UnsupportedFormatVersionException e) {
      damaged.append(new Text(layout.point(id).toString()), new Text(e.getMessage()));
      return "its point record is damaged: " + e.getMessage();
    } catch (HbackupException e) {
      damaged.append(new Text(layout.point(id).toString()), new Text("the point record is missing"));
      return "its point record is missing";
    }
    try {
      list = repository.readManifest(record);
    } catch (DamageException | UnsupportedFormatVersionException e) {
      String listFile = layout.manifestOf(record).toString();
      if (damagedLists.add(listFile)) {
        damaged.append(new Text(listFile), new Text(e.getMessage()));
      }
      return "its manifest list is damaged: " + e.getMessage();
    }
    if (list.segments().isEmpty()) {
      // No honest backup writes one (its root is always an entry); a restore refuses it (exit 1).
      String listFile = layout.manifestOf(record).toString();
      if (damagedLists.add(listFile)) {
        damaged.append(new Text(listFile), new Text("it names no segment: the point holds no entry, not even its"
            + " root, and a restore of it fails"));
      }
      return "its manifest list names no entry";
    }
    severalSegments |= list.segments().size() > 1;
    for (SegmentRef ref : list.segments()) {
      out.append(new VerifyKey(VerifyKey.SEGMENT, ref.id().bytes(), (byte) 0),
          new BytesWritable(VerifyRecord.point(id.toString(), ref.firstPath(), ref.lastPath(), ref.entries())));
      segments.append(new BytesWritable(ref.id().bytes()), SegmentUse.of(ref, id.toString(),
          layout.manifestOf(record).toString()));
    }
    if (record.hasChangeList()) {
      try (ChangeListReader changes = repository.openChangeList(record)) {
        while (changes.next() != null) {
          continue;
        }
      } catch (DamageException | UnsupportedFormatVersionException e) {
        // Informational: a restore never reads it, so no file of the point is affected.
        damaged.append(new Text(layout.changeList(id).toString()), new Text(e.getMessage()));
      } catch (FileNotFoundException e) {
        damaged.append(new Text(layout.changeList(id).toString()), new Text("the change list is missing"));
      } catch (IOException e) {
        DamageException damage = org.hbackup.common.io.ReadFailures.asDamage(e, layout.changeList(id).toString());
        if (damage == null) {
          throw e;
        }
        damaged.append(new Text(layout.changeList(id).toString()), new Text(damage.getMessage()));
      }
    }
    return null;
  }

  /**
   * Lists the files of one repository directory (and, for packs, of its fan-out directories) with
   * their lengths; returns the sum of their split weights.
   */
  static long listFiles(Configuration conf, Repository repository, Path dir, String suffix, Path listing,
      boolean fannedOut) throws IOException {
    FileSystem fs = repository.fileSystem();
    ReadData readData = ReadData.readFrom(conf);
    long weight = 0;
    try (SequenceFile.Writer out = writer(conf, listing, Text.class, LongWritable.class)) {
      RemoteIterator<FileStatus> top;
      try {
        top = fs.listStatusIterator(dir);
      } catch (FileNotFoundException e) {
        return 0;
      }
      while (top.hasNext()) {
        FileStatus s = top.next();
        if (fannedOut && s.isDirectory()) {
          RemoteIterator<FileStatus> inside = fs.listStatusIterator(s.getPath());
          while (inside.hasNext()) {
            weight += listOne(out, inside.next(), suffix, readData, fannedOut);
          }
        } else if (!fannedOut) {
          weight += listOne(out, s, suffix, readData, fannedOut);
        }
      }
    }
    return weight;
  }

  private static long listOne(SequenceFile.Writer out, FileStatus s, String suffix, ReadData readData, boolean pack)
      throws IOException {
    String name = s.getPath().getName();
    if (!s.isFile() || !name.endsWith(suffix)) {
      return 0;
    }
    PackId id = pack ? RepositoryLayout.packAt(s.getPath()) : null;
    if (pack && id == null) {
      return 0; // not a pack's name, or not in its fan-out directory: readers never open it
    }
    if (!pack && !ContentId.isName(name.substring(0, name.length() - suffix.length()))) {
      return 0; // not an index file's name: readers ignore it (FORMAT.md section 3)
    }
    out.sync();
    out.append(new Text(s.getPath().toString()), new LongWritable(s.getLen()));
    return pack && !readData.reads(id) ? VerifyConfigKeys.PACK_CHECK_WEIGHT : s.getLen();
  }

  private static SequenceFile.Writer writer(Configuration conf, Path file, Class<?> key, Class<?> value)
      throws IOException {
    return SequenceFile.createWriter(conf, SequenceFile.Writer.file(file), SequenceFile.Writer.keyClass(key),
        SequenceFile.Writer.valueClass(value), SequenceFile.Writer.compression(SequenceFile.CompressionType.NONE));
  }

  /** A SequenceFile writer that creates its file on the first record only. */
  private static final class LazyWriter implements AutoCloseable {
    private final Configuration conf;
    private final Path file;
    private final Class<?> key;
    private final Class<?> value;
    private SequenceFile.Writer writer;
    private long appended;

    LazyWriter(Configuration conf, Path file, Class<?> key, Class<?> value) {
      this.conf = conf;
      this.file = file;
      this.key = key;
      this.value = value;
    }

    void append(org.apache.hadoop.io.Writable k, org.apache.hadoop.io.Writable v) throws IOException {
      if (writer == null) {
        writer = writer(conf, file, key, value);
      }
      writer.append(k, v);
      appended++;
    }

    long appended() {
      return appended;
    }

    @Override
    public void close() throws IOException {
      if (writer != null) {
        writer.close();
      }
    }
  }

  public static Job job(Configuration conf, String name) throws IOException {
    Configuration jobConf = new Configuration(conf);
    JobSetup.applyDefaults(jobConf);
    Job job = Job.getInstance(jobConf, name);
    JobSetup.setJar(job, VerifyJob.class);
    job.setMapOutputKeyClass(VerifyKey.class);
    job.setMapOutputValueClass(BytesWritable.class);
    job.setOutputKeyClass(VerifyKey.class);
    job.setOutputValueClass(BytesWritable.class);
    job.setGroupingComparatorClass(VerifyKey.GroupComparator.class);
    job.setPartitionerClass(VerifyKey.GroupPartitioner.class);
    job.setNumReduceTasks(Math.max(1, jobConf.getInt(VerifyConfigKeys.REDUCERS,
        JobSetup.runsLocally(jobConf) ? Runtime.getRuntime().availableProcessors() : 8)));
    return job;
  }

  /** The first job writes only through named outputs: damage, damaged, dangling. */
  static void outputs(Job job, Path dir) {
    LazyOutputFormat.setOutputFormatClass(job, SequenceFileOutputFormat.class);
    FileOutputFormat.setOutputPath(job, dir);
    MultipleOutputs.addNamedOutput(job, DAMAGE, SequenceFileOutputFormat.class, Text.class, Text.class);
    MultipleOutputs.addNamedOutput(job, DAMAGED, SequenceFileOutputFormat.class, VerifyKey.class, BytesWritable.class);
    MultipleOutputs.addNamedOutput(job, DANGLING, SequenceFileOutputFormat.class, Text.class, Text.class);
    MultipleOutputs.addNamedOutput(job, TREES, org.apache.hadoop.mapreduce.lib.output.MapFileOutputFormat.class,
        VerifyKey.class, BytesWritable.class);
  }

  private static void addIfPresent(Job job, FileSystem fs, Path dir) throws IOException {
    if (fs.exists(dir)) {
      SequenceFileInputFormat.addInputPath(job, dir);
      job.setInputFormatClass(SequenceFileInputFormat.class);
    }
  }

  public static void run(Job job, Counters into) throws IOException, InterruptedException, ClassNotFoundException {
    LOG.info("Running {}", job.getJobName());
    JobCompletion.Outcome outcome = JobCompletion.await(job, LOG.isInfoEnabled(), JobCompletion.notKnown());
    if (!outcome.succeeded()) {
      throw new HbackupException(job.getJobName() + " (" + job.getJobID() + ") failed: " + JobSetup.failure(job));
    }
    if (outcome.counters() == null) {
      // Its verdict is in the counters: without them nothing may be said to be clean.
      throw new HbackupException(job.getJobName() + " (" + job.getJobID() + ") finished, but its counters could"
          + " not be read: " + outcome.lostTrack());
    }
    into.incrAllCounters(outcome.counters());
  }

}
