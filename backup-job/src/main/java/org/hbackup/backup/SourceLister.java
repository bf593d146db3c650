package org.hbackup.backup;

import java.io.FileNotFoundException;
import java.io.IOException;
import java.nio.file.AccessDeniedException;
import java.nio.file.NoSuchFileException;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.NoSuchElementException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;

import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FSDataOutputStream;
import org.apache.hadoop.fs.FileStatus;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.apache.hadoop.fs.RemoteIterator;
import org.apache.hadoop.io.SequenceFile;
import org.apache.hadoop.security.AccessControlException;
import org.hbackup.common.OneLine;
import org.hbackup.common.io.FileSystems;
import org.hbackup.common.io.PosixFiles;
import org.hbackup.common.manifest.RelativePaths;
import org.hbackup.job.FileWeights;
import org.hbackup.job.WeightMarks;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Walks the source tree and streams every entry into a listing file, so the driver never holds
 * the namespace (DistCp's client runs out of memory near a million paths because it does).
 * Memory: the directories not yet listed (and on the local file system the names of the one
 * being listed). Each record is preceded by a sync mark, so that any record boundary can start
 * a split and splits can be balanced exactly by bytes.
 *
 * <p>The walk is depth first in name order, which is close to the manifest's path order: the
 * driver and each map task then look paths up in the base manifest one segment after another
 * instead of decoding segments again and again.
 */
public final class SourceLister {
  private static final Logger LOG = LoggerFactory.getLogger(SourceLister.class);

  /** What the walk found. */
  public static final class Totals {
    private long entries;
    private long files;
    private long bytes;
    private long weight;
    private long excluded;
    private long unchangedFiles;
    private long unchangedBytes;
    private long skipped;
    private long listingsReadAhead;
    private final WeightMarks marks = new WeightMarks();

    /** Directories whose listing the walk found read ahead (local file system only). */
    public long listingsReadAhead() {
      return listingsReadAhead;
    }

    public long entries() {
      return entries;
    }

    public long files() {
      return files;
    }

    public long bytes() {
      return bytes;
    }

    /** Files whose length and modification time are the base's: likely carried over unread. */
    public long unchangedFiles() {
      return unchangedFiles;
    }

    public long unchangedBytes() {
      return unchangedBytes;
    }

    /** Entries the listing could not take as they are: special files, directories it may not list. */
    public long skipped() {
      return skipped;
    }

    /** Entries left out by the exclude rules (what lies under an excluded directory not counted). */
    public long excluded() {
      return excluded;
    }

    /** Sum of split weights: file bytes plus a per-entry cost. */
    public long weight() {
      return weight;
    }
  }

  private final Configuration conf;
  private final long fileWeight;
  private final long rangeSize;
  private final ExcludeRules excludes;
  private final ListedStatus value = new ListedStatus();

  /** {@code conf} serves the file systems and the listing's writer; {@code settings} the rest. */
  public SourceLister(Configuration conf, BackupSettings settings) {
    this.conf = conf;
    this.excludes = settings.options().excludes();
    this.fileWeight = settings.fileWeightBytes();
    this.rangeSize = settings.rangeBytes();
  }

  /**
   * Whether the base point has a file at {@code basePath} with the status's length and time, so
   * that the map task will likely carry it over without reading it.
   */
  public interface UnchangedHint {
    UnchangedHint NONE = (basePath, status) -> false;

    boolean likelyUnchanged(String basePath, FileStatus status) throws IOException;
  }

  /** The split weight of one record: what reading it (or its range) costs, in bytes. */
  public static long weight(ListingKey key, FileStatus status, long fileWeight) {
    if (!status.isFile()) {
      return Math.max(1, fileWeight / 16);
    }
    if (key.expectedUnchanged()) {
      return FileWeights.UNCHANGED_BYTES;
    }
    if (!key.isRange()) {
      return status.getLen() + fileWeight;
    }
    long start = key.rangeIndex() * key.rangeSize();
    return Math.min(key.rangeSize(), status.getLen() - start) + (key.rangeIndex() == 0 ? fileWeight : 0);
  }

  /** How many ranges of {@code rangeSize} a file of {@code length} bytes is read in; 1 means whole. */
  public static int rangeCount(long length, long rangeSize) {
    if (rangeSize <= 0 || length <= rangeSize) {
      return 1;
    }
    long count = (length + rangeSize - 1) / rangeSize;
    if (count > Integer.MAX_VALUE) {
      throw new IllegalArgumentException("a file of " + length + " bytes needs " + count + " ranges");
    }
    return (int) count;
  }

  /** A directory still to list: where it is, and its path in the base point if it was renamed. */
  private static final class PendingDirectory {
    final Path path;
    final String basePath;
    /** Its inode as its parent's listing saw it (local sources), or -1: it must still be that directory. */
    final long inode;

    PendingDirectory(Path path, String basePath, long inode) {
      this.path = path;
      this.basePath = basePath;
      this.inode = inode;
    }
  }

  /** Lists the source directory {@code root}, read live. */
  public Totals list(FileSystem sourceFs, Path root, Path listing) throws IOException {
    return list(sourceFs, root, null, listing, SnapshotRenames.NONE, UnchangedHint.NONE);
  }

  /**
   * Lists {@code root}, the source or a snapshot of it. {@code rootMetadata}, when given, is the
   * source directory's own status, taken as the root entry's metadata: a snapshot's root reports
   * the snapshot's creation time instead. {@code renames} gives, for paths renamed since the base
   * point, the path they had there; an entry under a renamed directory inherits its old path.
   * {@code hint} marks the files likely to be carried over, which weigh little in the splits.
   */
  public Totals list(FileSystem sourceFs, Path root, FileStatus rootMetadata, Path listing, SnapshotRenames renames,
      UnchangedHint hint) throws IOException {
    return list(sourceFs, root, rootMetadata, listing, renames, hint, null);
  }

  /**
   * As above; {@code excluded}, when not null, is a path under the source that is left out with
   * everything below it: the repository, when it lies inside the source.
   */
  public Totals list(FileSystem sourceFs, Path root, FileStatus rootMetadata, Path listing, SnapshotRenames renames,
      UnchangedHint hint, String excluded) throws IOException {
    Totals totals = new Totals();
    Path qualifiedRoot = sourceFs.getFileStatus(root).getPath();
    FileStatus rootStatus = PosixFiles.completeRoot(sourceFs,
        rootMetadata != null ? rootMetadata : sourceFs.getFileStatus(root));
    ListingKey key = new ListingKey();
    long listingLength;
    // The writer does not close a stream it was given: the stream is closed after it, which on
    // HDFS is what makes the file's bytes visible.
    try (FSDataOutputStream out = FileSystems.createOwnerOnly(FileSystems.raw(listing, conf), listing, false);
         SequenceFile.Writer writer = SequenceFile.createWriter(conf, SequenceFile.Writer.stream(out),
        SequenceFile.Writer.keyClass(ListingKey.class),
        SequenceFile.Writer.valueClass(ListedStatus.class),
        SequenceFile.Writer.compression(SequenceFile.CompressionType.NONE))) {
      key.set(RelativePaths.ROOT, null);
      append(writer, key, rootStatus, totals);
      boolean local = PosixFiles.isLocal(sourceFs);
      ListingsAhead ahead = local ? new ListingsAhead(sourceFs, qualifiedRoot) : null;
      Deque<PendingDirectory> pending = new ArrayDeque<>();
      pending.push(new PendingDirectory(qualifiedRoot, null, -1));
      while (!pending.isEmpty()) {
        PendingDirectory dir = pending.pop();
        List<PendingDirectory> subdirectories = new ArrayList<>();
        try {
          listChildren(writer, sourceFs, ahead, qualifiedRoot, dir, subdirectories, key, renames, hint, excluded,
              totals);
        } catch (AccessControlException | AccessDeniedException e) {
          // Kept, empty but for what was listed, with its own metadata (its parent's listing gave
          // it); reported, never silently dropped.
          key.set(RelativePaths.relativize(qualifiedRoot, dir.path), null);
          key.setProblem(ListingKey.UNLISTABLE, "cannot list its contents: " + OneLine.of(e));
          append(writer, key, PosixFiles.linkStatus(sourceFs, dir.path), totals);
        } catch (DirectoryVanished e) {
          // Its own record came from its parent's listing; what it held is not in the point, which
          // is reported like an unlistable directory's (exit 4), never kept silently empty.
          key.set(RelativePaths.relativize(qualifiedRoot, dir.path), null);
          key.setProblem(ListingKey.UNLISTABLE, e.getMessage());
          append(writer, key, new FileStatus(0, true, 0, 0, 0, dir.path), totals);
        }
        // Pushed last first, so that they are walked in the listing's (name) order.
        for (int i = subdirectories.size() - 1; i >= 0; i--) {
          pending.push(subdirectories.get(i));
        }
      }
      listingLength = writer.getLength();
      totals.listingsReadAhead = ahead != null ? ahead.taken() : 0;
    }
    writeMarks(listing, listingLength, totals.marks);
    return totals;
  }

  /**
   * Where the weight lies, so that the splits are cut without reading the listing again. Only a
   * saving: when they cannot be written, none are left and the splits read the listing.
   */
  private void writeMarks(Path listing, long listingLength, WeightMarks marks) {
    Path file = WeightMarks.of(listing);
    try (FSDataOutputStream out = FileSystems.createOwnerOnly(FileSystems.raw(file, conf), file, false)) {
      marks.write(out, listingLength);
    } catch (IOException e) {
      LOG.warn("Could not write {} ({}); the splits will be cut by reading the listing", file, OneLine.of(e));
      try {
        FileSystems.raw(file, conf).delete(file, false);
      } catch (IOException ignored) {
        // Left for the tmp/ reclaim; a marks file that does not describe the listing is ignored.
      }
    }
  }

  /** Lists one directory's children into the listing, gathering its subdirectories. */
  private void listChildren(SequenceFile.Writer writer, FileSystem sourceFs, ListingsAhead ahead, Path qualifiedRoot,
      PendingDirectory dir, List<PendingDirectory> subdirectories, ListingKey key, SnapshotRenames renames,
      UnchangedHint hint, String excluded, Totals totals) throws IOException {
    boolean local = ahead != null;
    RemoteIterator<FileStatus> children = children(sourceFs, ahead, qualifiedRoot, dir);
    while (children.hasNext()) {
      FileStatus child = local ? children.next() : PosixFiles.complete(sourceFs, children.next());
      String relative = RelativePaths.relativize(qualifiedRoot, child.getPath());
      if (child instanceof PosixFiles.UnrecordableStatus) {
        PosixFiles.UnrecordableStatus unrecordable = (PosixFiles.UnrecordableStatus) child;
        String name = unrecordable.decodedName();
        if (excludes.excludes(name == null ? relative : RelativePaths.child(relative, name))) {
          totals.excluded++; // an exclude pattern may leave out what cannot be backed up
          continue;
        }
        key.set(relative, null);
        key.setProblem(ListingKey.UNRECORDABLE, unrecordable.reason());
        append(writer, key, child, totals);
        continue;
      }
      if (relative.equals(excluded)) {
        continue;
      }
      if (excludes.excludes(relative)) {
        totals.excluded++;
        continue;
      }
      if (child instanceof PosixFiles.SpecialFileStatus) {
        key.set(relative, null);
        key.setProblem(ListingKey.SPECIAL, ((PosixFiles.SpecialFileStatus) child).kind()
            + ": special files are not backed up");
        append(writer, key, child, totals);
        continue;
      }
      String basePath = renames.sourceOf(relative);
      if (basePath == null && dir.basePath != null) {
        basePath = RelativePaths.child(dir.basePath, child.getPath().getName());
      }
      key.set(relative, basePath);
      key.setExpectedUnchanged(child.isFile() && hint.likelyUnchanged(key.basePath(), child));
      int ranges = child.isFile() ? rangeCount(child.getLen(), rangeSize) : 1;
      for (int r = 0; r < ranges; r++) {
        if (ranges > 1) {
          key.setRange(r, ranges, rangeSize);
        }
        append(writer, key, child, totals);
      }
      if (child.isDirectory()) {
        long inode = child instanceof PosixFiles.LocalFileStatus ? ((PosixFiles.LocalFileStatus) child).inode() : -1;
        subdirectories.add(new PendingDirectory(child.getPath(), basePath, inode));
        if (local && subdirectories.size() == 1) {
          ahead.startNext(child.getPath(), subdirectories.get(0).inode); // the first subdirectory is listed next
        }
      }
    }
  }

  /**
   * A directory that vanished since its parent was listed, before or while its own contents were.
   * It was kept empty, as if listed a moment later, with exit 0; but a moment later it would not
   * be there at all, and one renamed within the source (dir -> dir2, after dir2's parent was
   * listed) was lost from the point without a word (found by a probe).
   */
  static final class DirectoryVanished extends IOException {
    private static final long serialVersionUID = 1L;

    DirectoryVanished(String why) {
      super(why);
    }
  }

  /** The children of a directory; {@link DirectoryVanished} when it is gone before or while they are read. */
  private static RemoteIterator<FileStatus> children(FileSystem fs, ListingsAhead ahead, Path root,
      PendingDirectory pending) throws IOException {
    Path dir = pending.path;
    RemoteIterator<FileStatus> listing;
    try {
      RemoteIterator<FileStatus> started = ahead != null ? ahead.take(dir) : null;
      listing = started != null ? started : ahead != null ? PosixFiles.listLocal(fs, dir, root, pending.inode)
          : fs.listStatusIterator(dir);
    } catch (FileNotFoundException | NoSuchFileException e) {
      throw new DirectoryVanished("it vanished before its contents were listed (deleted, or renamed within the"
          + " source): the point holds it empty");
    } catch (PosixFiles.NotADirectoryNow e) {
      throw new DirectoryVanished("it was replaced before its contents were listed: " + e.getMessage()
          + "; the point holds it empty");
    }
    return new RemoteIterator<FileStatus>() {
      @Override
      public boolean hasNext() throws IOException {
        try {
          return listing.hasNext();
        } catch (FileNotFoundException e) {
          throw new DirectoryVanished("it vanished while its contents were listed (deleted, or renamed within the"
              + " source): the point holds what was listed of it");
        }
      }

      @Override
      public FileStatus next() throws IOException {
        if (!hasNext()) {
          throw new NoSuchElementException();
        }
        return listing.next();
      }
    };
  }

  /**
   * The listing of a local directory's first subdirectory, started on the listing helper thread
   * when the walk meets it: it is the directory listed next (subdirectories are walked first, in
   * name order). The driver's thread then finds its entries read and spends its time on what only
   * it can do (the base lookups and the listing's records), which matters for trees of many small
   * directories, too small for {@code LocalListing}'s batches (docs/BENCHMARKS.md, "Statuses read
   * a batch ahead"). Only that one: the helper thread also reads the statuses of the directory
   * being listed up to four batches ahead, and a listing started for a directory that is not next
   * (the one under the current one on the stack, read while the current one is still being listed) queued
   * before those batches and made the driver wait for it (docs/BENCHMARKS.md, eighth session). A
   * failure to list it (it is gone, or may not be read) is thrown, with its own type, where the
   * walk lists it. Memory: the names and up to five batches of statuses of one directory.
   */
  static final class ListingsAhead {
    private final FileSystem fs;
    /** The source's root: what is listed below it must be a directory all the way down. */
    private final Path root;
    private Path nextDir;
    private CompletableFuture<RemoteIterator<FileStatus>> next;
    private long taken;

    ListingsAhead(FileSystem fs, Path root) {
      this.fs = fs;
      this.root = root;
    }

    /** Starts {@code dir}, the first subdirectory of the one being listed. */
    void startNext(Path dir) {
      startNext(dir, -1);
    }

    /** Starts {@code dir}, which must still have the {@code inode} its parent's listing saw (-1: not known). */
    void startNext(Path dir, long inode) {
      drop(next);
      nextDir = dir;
      next = PosixFiles.listLocalAhead(fs, dir, root, inode);
    }

    /** How many listings were taken as read ahead. */
    long taken() {
      return taken;
    }

    /** The listing started for {@code dir}, or null; its failure, if it failed, thrown here. */
    RemoteIterator<FileStatus> take(Path dir) throws IOException {
      CompletableFuture<RemoteIterator<FileStatus>> listing = null;
      if (dir.equals(nextDir)) {
        listing = next;
      } else {
        drop(next);
      }
      nextDir = null;
      next = null;
      if (listing == null) {
        return null;
      }
      taken++;
      try {
        return listing.join();
      } catch (CompletionException e) {
        Throwable cause = e.getCause();
        if (cause instanceof IOException) {
          throw (IOException) cause;
        }
        if (cause instanceof RuntimeException) {
          throw (RuntimeException) cause;
        }
        throw new IOException(cause);
      }
    }
  }

  /**
   * A listing that will not be taken: cancelled, so that the one read-ahead thread does not run
   * it, if it has not started it yet (one that has finishes; it holds nothing open, its names
   * being read whole).
   */
  private static void drop(CompletableFuture<RemoteIterator<FileStatus>> listing) {
    if (listing != null) {
      listing.cancel(false);
    }
  }

  private void append(SequenceFile.Writer writer, ListingKey key, FileStatus status, Totals totals)
      throws IOException {
    key.setSetIdBits(PosixFiles.modeBits(status));
    writer.sync();
    writer.append(key, value.set(status));
    long weight = weight(key, status, fileWeight);
    totals.weight += weight;
    totals.marks.add(writer.getLength(), weight);
    if (key.rangeIndex() > 0) {
      return;
    }
    if (key.problem() != ListingKey.LISTED) {
      totals.skipped++;
      return;
    }
    totals.entries++;
    if (status.isFile()) {
      totals.files++;
      totals.bytes += status.getLen();
      if (key.expectedUnchanged()) {
        totals.unchangedFiles++;
        totals.unchangedBytes += status.getLen();
      }
    }
  }
}
