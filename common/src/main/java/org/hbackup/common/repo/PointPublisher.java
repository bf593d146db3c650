package org.hbackup.common.repo;

import java.io.FileNotFoundException;
import java.io.IOException;
import java.io.InputStream;
import java.util.HashSet;
import java.util.Set;

import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileStatus;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import com.google.common.hash.Hashing;
import com.google.common.hash.HashingInputStream;
import com.google.common.io.ByteStreams;
import org.hbackup.common.CrashPoints;
import org.hbackup.common.DamageException;
import org.hbackup.common.HbackupException;
import org.hbackup.common.id.ContentId;
import org.hbackup.common.id.PackId;
import org.hbackup.common.manifest.ManifestList;
import org.hbackup.common.io.FileSystems;
import org.hbackup.common.manifest.SegmentRef;
import org.hbackup.common.io.ReadFailures;
import org.hbackup.common.point.PointRecord;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Publishes a staged point into the repository in the order that keeps a crash harmless:
 * packs, then index files, then manifest segments, then the change list and the manifest list,
 * and last the point record, in one rename. Each step only adds files that nothing published yet
 * refers to until the step after it, so a crash at any moment leaves unreferenced files (which
 * prune removes), never a point that names something missing. No step replaces a file, except a
 * content-addressed one whose content no longer matches its name.
 */
public final class PointPublisher {
  private static final Logger LOG = LoggerFactory.getLogger(PointPublisher.class);

  private final Repository repository;
  private final Configuration conf;

  /** The file system's time when this publisher first published, or -1 before. */
  private long probedAt = -1;
  /** {@link System#nanoTime} at that probe: later files are dated by the time gone since. */
  private long probedNanos;

  public PointPublisher(Repository repository, Configuration conf) {
    this.repository = repository;
    this.conf = conf;
  }

  /**
   * Dates a file as published now, on the file system's clock. A rename keeps the time the file
   * was written, and a backup's packs may have been written long before its commit: a prune (run
   * by a writer that ignored the lock, or one that took a stale lock over) keeps files younger
   * than its grace period, and must measure that age from when the file appeared under its name.
   */
  private void datePublished(Path file) throws IOException {
    if (probedAt < 0) {
      probedAt = RepositoryLock.fileSystemNow(repository);
      probedNanos = System.nanoTime();
    }
    long now = probedAt + (System.nanoTime() - probedNanos) / 1_000_000;
    try {
      repository.fileSystem().setTimes(file, now, -1);
    } catch (FileNotFoundException e) {
      throw e;
    } catch (IOException | UnsupportedOperationException e) {
      // A second line of defence (the lock is the first): a store that refuses times still
      // publishes, as S3A does, whose rename is a copy that dates the file anyway.
      LOG.warn("Could not date {} as published: {}", file, e.getMessage());
    }
  }

  /** Publishes one staged pack under its name, dated now; a taken name is refused. */
  public void publishPack(Path staged, PackId id) throws IOException {
    datePublished(staged);
    // Random names: one already taken is a collision no honest writer makes, never "the same".
    FileSystems.renameNew(repository.fileSystem(), staged, repository.layout().pack(id));
  }

  /** Reads the manifest list the job staged, so the driver can fill in the point record. */
  public ManifestList stagedManifest(StagingLayout staging) throws IOException {
    try (InputStream in = repository.fileSystem().open(staging.manifest())) {
      return ManifestList.fromJson(in, staging.manifest().toString());
    } catch (FileNotFoundException e) {
      throw new HbackupException("the backup job staged no manifest at " + staging.manifest(), e);
    }
  }

  /** Publishes everything but the point: data, index, segments. */
  public void publishData(StagingLayout staging) throws IOException {
    FileSystem fs = repository.fileSystem();
    RepositoryLayout layout = repository.layout();
    int packs = 0;
    for (FileStatus s : list(fs, staging.packsDir(), RepositoryLayout.PACK_SUFFIX)) {
      publishPack(s.getPath(), PackId.parse(stem(s.getPath(), RepositoryLayout.PACK_SUFFIX)));
      packs++;
    }
    CrashPoints.reached(conf, "publish.packs");
    int[] outcomes = new int[Outcome.values().length];
    for (FileStatus s : list(fs, staging.indexDir(), RepositoryLayout.INDEX_SUFFIX)) {
      ContentId id = ContentId.parse(stem(s.getPath(), RepositoryLayout.INDEX_SUFFIX));
      outcomes[publishContentAddressed(s.getPath(), layout.index(id), id).ordinal()]++;
    }
    int indexes = outcomes[Outcome.NEW.ordinal()] + outcomes[Outcome.REPLACED_DAMAGED.ordinal()];
    CrashPoints.reached(conf, "publish.index");
    int[] segments = new int[Outcome.values().length];
    Set<ContentId> staged = new HashSet<>();
    for (FileStatus s : list(fs, staging.segmentsDir(), RepositoryLayout.SEGMENT_SUFFIX)) {
      ContentId id = ContentId.parse(stem(s.getPath(), RepositoryLayout.SEGMENT_SUFFIX));
      segments[publishContentAddressed(s.getPath(), layout.segment(id), id).ordinal()]++;
      staged.add(id);
    }
    segments[Outcome.ALREADY_THERE.ordinal()] += checkUnstagedSegments(staging, staged);
    CrashPoints.reached(conf, "publish.segments");
    LOG.info("Published {} packs, {} index files, {} new and {} shared manifest segments", packs, indexes,
        segments[Outcome.NEW.ordinal()] + segments[Outcome.REPLACED_DAMAGED.ordinal()],
        segments[Outcome.ALREADY_THERE.ordinal()]);
  }

  /**
   * Checks the segments the staged manifest list names but the job did not stage, because the
   * repository held them already (a backup leaves out the segments its base point has, byte for
   * byte): each must still be there, its content matching its name, as when a staged one finds its
   * name taken. Returns how many; throws, publishing nothing more, when one is gone or damaged
   * (FORMAT.md, "Segments already there").
   */
  private int checkUnstagedSegments(StagingLayout staging, Set<ContentId> staged) throws IOException {
    if (!repository.fileSystem().exists(staging.manifest())) {
      return 0; // nothing names segments: the point's own check fails on the missing list
    }
    int checked = 0;
    for (SegmentRef segment : stagedManifest(staging).segments()) {
      if (staged.contains(segment.id())) {
        continue;
      }
      Path target = repository.layout().segment(segment.id());
      String problem = problemOf(repository.fileSystem(), target, segment.id());
      if (problem != null) {
        throw new DamageException("manifest segment " + target + ", which this point shares with its base, "
            + problem + " since the backup read it: not publishing the point (the next backup writes it again)");
      }
      checked++;
    }
    return checked;
  }

  /** How a staged content-addressed file came to be published. */
  public enum Outcome {
    /** The name was free. */
    NEW,
    /** A file of that name was there, and its content matches the name: it stands for this one. */
    ALREADY_THERE,
    /** A file of that name was there, damaged: this copy replaced it. */
    REPLACED_DAMAGED
  }

  /**
   * The one publishing rule for files named by their content's SHA-256 (segments, index files):
   * take the name without replacing anything; if it is taken, the file there counts as published
   * only after its content is checked against the name. A second writer that published the same
   * bytes first is then simply shared, never a failure; a damaged file there is replaced by this
   * copy, so damage is never built upon (FORMAT.md, "Writing a point").
   */
  public Outcome publishContentAddressed(Path staged, Path target, ContentId id) throws IOException {
    FileSystem fs = repository.fileSystem();
    datePublished(staged);
    if (FileSystems.publishNew(fs, staged, target)) {
      return Outcome.NEW;
    }
    String problem = problemOf(fs, target, id);
    if (problem == null) {
      try {
        datePublished(target); // named again, by this writer's point to come
      } catch (FileNotFoundException gone) {
        // Removed since it was checked: this writer's copy takes the name.
        return publishContentAddressed(staged, target, id);
      }
      fs.delete(staged, false);
      return Outcome.ALREADY_THERE;
    }
    // One atomic replace, never a delete first: a concurrent writer that replaced it already
    // put the same bytes there, and a point it published must never see the name empty.
    LOG.warn("{} {}: replacing it with this backup's copy", target, problem);
    FileSystems.renameReplacing(fs, staged, target);
    return Outcome.REPLACED_DAMAGED;
  }

  /** Why the file at {@code target} does not stand for content {@code id}, or null when it does. */
  private static String problemOf(FileSystem fs, Path target, ContentId id) throws IOException {
    ContentId existing;
    try (HashingInputStream in = new HashingInputStream(Hashing.sha256(),
        org.hbackup.common.io.RegularFiles.open(fs, target))) {
      ByteStreams.exhaust(in);
      existing = ContentId.wrap(in.hash().asBytes());
    } catch (FileNotFoundException e) {
      return "is gone";
    } catch (IOException e) {
      DamageException damage = ReadFailures.asDamage(e, target.toString());
      if (damage == null) {
        throw e;
      }
      return "cannot be read (" + damage.getMessage() + ")";
    }
    return existing.equals(id) ? null : "does not match its name (its content hashes to " + existing + ")";
  }

  /**
   * Publishes the manifest list, then the point record: the one rename that makes the point
   * exist. Call only after {@link #publishData}.
   */
  public void publishPoint(StagingLayout staging, PointRecord record) throws IOException {
    FileSystem fs = repository.fileSystem();
    RepositoryLayout layout = repository.layout();
    // Named by its content: a point whose entries are those of an earlier one shares its list.
    checkStagedList(staging, record);
    if (record.hasChangeList()) {
      datePublished(staging.changes());
      FileSystems.renameNew(fs, staging.changes(), layout.changeList(record.id()));
    }
    Outcome list = publishContentAddressed(staging.manifest(), layout.manifestList(record.manifestList()),
        record.manifestList());
    LOG.info("Manifest list {} {}", record.manifestList(), list == Outcome.ALREADY_THERE ? "shared" : "published");
    CrashPoints.reached(conf, "publish.manifest");
    FileSystems.writeAtomically(fs, layout.point(record.id()), record.toJson(), layout.tmpDir());
    LOG.info("Published point {}", record.id());
  }

  /** A record may only name the list that was staged: its bytes must hash to the name. */
  private void checkStagedList(StagingLayout staging, PointRecord record) throws IOException {
    ContentId staged;
    try (HashingInputStream in = new HashingInputStream(Hashing.sha256(), repository.fileSystem().open(staging.manifest()))) {
      ByteStreams.exhaust(in);
      staged = ContentId.wrap(in.hash().asBytes());
    }
    if (record.manifestList() == null || !staged.equals(record.manifestList())) {
      throw new HbackupException("point " + record.id() + " names manifest list " + record.manifestList()
          + " but the staged list is " + staged + ": not publishing");
    }
  }

  private static FileStatus[] list(FileSystem fs, Path dir, String suffix) throws IOException {
    try {
      return fs.listStatus(dir, p -> p.getName().endsWith(suffix));
    } catch (FileNotFoundException e) {
      return new FileStatus[0];
    }
  }

  private static String stem(Path p, String suffix) {
    String name = p.getName();
    return name.substring(0, name.length() - suffix.length());
  }
}
