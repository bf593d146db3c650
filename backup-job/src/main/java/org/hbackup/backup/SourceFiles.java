package org.hbackup.backup;

import java.io.Closeable;
import java.io.FileNotFoundException;
import java.io.IOException;
import java.util.List;
import java.util.Locale;
import java.util.Map;

import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.EtagSource;
import org.apache.hadoop.fs.FSDataInputStream;
import org.apache.hadoop.fs.FileChecksum;
import org.apache.hadoop.fs.FileStatus;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.apache.hadoop.fs.permission.AclEntry;
import org.apache.hadoop.hdfs.DistributedFileSystem;
import org.apache.hadoop.hdfs.protocol.HdfsConstants;
import org.apache.hadoop.ipc.RemoteException;
import org.apache.hadoop.mapreduce.TaskAttemptContext;
import org.apache.hadoop.security.AccessControlException;
import org.apache.hadoop.util.functional.FutureIO;
import org.hbackup.common.OneLine;
import org.hbackup.common.io.ChangeStamp;
import org.hbackup.common.io.FileSystems;
import org.hbackup.common.io.PosixFiles;
import org.hbackup.common.manifest.EntryAttributes;
import org.hbackup.common.manifest.EntryType;
import org.hbackup.common.manifest.ManifestEntry;
import org.hbackup.common.manifest.SourceChecksum;

/**
 * The source as a map task reads it: opening files (never through a symlink, never a FIFO that
 * replaced a file), their checksums, whether HDFS has them open for write, and each entry's
 * metadata. Errors come out as {@link SourceVanished} and {@link SourceUnreadable}, the two the
 * mapper treats as the source's, not the task's.
 */
final class SourceFiles implements Closeable {
  /** A checksum as asked: the value (null when none or not asked), and whether asking found the file open for write. */
  record Checksum(SourceChecksum value, boolean foundOpenForWrite) {
    static final Checksum NOT_ASKED = new Checksum(null, false);
  }

  private final TaskAttemptContext context;
  /** The source's file system (a snapshot of it lies in the same one), looked up once. */
  private final FileSystem fs;
  /** The source as HDFS, which alone has files open for write, ACLs and extended attributes; else null. */
  private final DistributedFileSystem dfs;
  private final boolean local;
  private final boolean readsSnapshot;
  /** On the local file system, the source's directories as files are opened below them, never through a link. */
  private final LocalSourceDirectories directories;
  /**
   * The source file system as the checksums are asked of: an instance of its own, since a cached
   * one may have been made with another checksum combine mode (HDFS reads the mode once, when
   * its client is created). Null when checksums are not used.
   */
  private final FileSystem checksumFs;
  /** Whether a local file's {@link ChangeStamp} stands for its checksum (source checksums on). */
  private final boolean stamps;
  private final StoragePolicies storagePolicies;
  /** Whether extended attributes are read; turned off when the NameNode has them disabled. */
  private boolean readXattrs;

  SourceFiles(BackupSettings settings, Configuration conf, TaskAttemptContext context) throws IOException {
    this.context = context;
    fs = FileSystems.raw(settings.source(), conf);
    dfs = fs instanceof DistributedFileSystem ? (DistributedFileSystem) fs : null;
    local = PosixFiles.isLocal(fs);
    readsSnapshot = settings.readsSnapshot();
    directories = local ? new LocalSourceDirectories(PosixFiles.local(fs.makeQualified(settings.source()))) : null;
    readXattrs = dfs != null && settings.xattrs();
    storagePolicies = new StoragePolicies(dfs, settings.source(), settings.storagePolicies());
    stamps = local && settings.sourceChecksums() && PosixFiles.hasUnixView();
    if (settings.sourceChecksums() && !local) {
      Configuration checksumConf = new Configuration(conf);
      checksumConf.set(BackupJob.CHECKSUM_COMBINE_MODE, BackupJob.COMPOSITE_CRC);
      checksumFs = FileSystem.newInstance(settings.source().toUri(), checksumConf);
    } else {
      checksumFs = null;
    }
  }

  /**
   * Opens a source file for reading. On the local file system a file that is not a regular file
   * any more (replaced by a FIFO since the listing, which would block the task) is never opened,
   * nor is one whose directory was swapped for a symlink ({@link LocalSourceDirectories}),
   * and Hadoop reports a file it may not read as not found: the two are told apart by looking.
   */
  FSDataInputStream open(Path path) throws IOException {
    return open(path, -1);
  }

  /**
   * Opens the local file that {@code status} describes, from where its path leads now when the
   * directories kept open hold another file under its name ({@link LocalSourceDirectories#open(
   * java.nio.file.Path, long)}); elsewhere as {@link #open(Path)}.
   */
  FSDataInputStream open(FileStatus status) throws IOException {
    ChangeStamp stamp = stamps ? ChangeStamp.of(status) : null;
    return open(status.getPath(), stamp == null ? -1 : stamp.inode());
  }

  private FSDataInputStream open(Path path, long inode) throws IOException {
    if (local) {
      PosixFiles.Kind kind = PosixFiles.kindOf(fs, path);
      if (kind == PosixFiles.Kind.MISSING) {
        throw new SourceVanished(new FileNotFoundException(path + " is no longer a file"));
      }
      if (kind == PosixFiles.Kind.DIRECTORY) {
        // Not "deleted": listed a moment later, it would be a directory, with what is in it, none
        // of which the point holds. Reported like any entry that could not be taken as it is.
        throw new SourceUnreadable("no longer a file (a directory since it was listed): neither is in the point",
            null);
      }
      if (kind != PosixFiles.Kind.FILE) {
        throw new SourceUnreadable("no longer a regular file (a " + kind.name().toLowerCase(Locale.ROOT)
            + " since it was listed): not read", null);
      }
    }
    try {
      java.nio.channels.FileChannel channel = directories != null ? directories.open(PosixFiles.local(path), inode)
          : null;
      return channel != null ? PosixFiles.input(channel) : PosixFiles.openNoFollow(fs, path);
    } catch (AccessControlException | java.nio.file.AccessDeniedException e) {
      throw new SourceUnreadable("cannot be read: " + OneLine.of(e), e);
    } catch (FileNotFoundException | java.nio.file.NoSuchFileException e) {
      if (local && PosixFiles.kindOf(fs, path) == PosixFiles.Kind.FILE) {
        throw new SourceUnreadable("cannot be read: " + OneLine.of(e), e);
      }
      throw new SourceVanished(new FileNotFoundException(OneLine.of(e)));
    } catch (java.nio.file.FileSystemException e) {
      // ELOOP: it became a symlink since its kind was looked at; never read through it.
      throw new SourceUnreadable("not read, it is no longer a regular file: " + OneLine.of(e), e);
    }
  }

  /** A stream over a file to read one of its ranges, and the version of the file it reads. */
  static final class RangeInput implements Closeable {
    private final FSDataInputStream stream;
    private final String version;
    private final long length;

    RangeInput(FSDataInputStream stream, String version, long length) {
      this.stream = stream;
      this.version = version;
      this.length = length;
    }

    /** The file's length as the store gave it with {@link #version}, or -1 where not asked. */
    long length() {
      return length;
    }

    FSDataInputStream stream() {
      return stream;
    }

    /** The object's ETag it reads, or empty where the file system names no versions. */
    String version() {
      return version;
    }

    @Override
    public void close() throws IOException {
      stream.close();
    }
  }

  /**
   * Opens a file to read one of its ranges, bound to one version of it where the file system
   * names versions (an object store's ETag: S3A; Hadoop's {@link EtagSource}; ABFS's ETag also
   * moves with the file's properties, so a file whose properties change while it is read is named
   * too). The tasks
   * that read a file's ranges run apart, and an object written again under its key between them
   * was joined from two objects with exit 0: each task asks the store for the object's status
   * now and opens it with that status, so that S3A's change detection reads that version or fails
   * the read, and the version goes with the range to where the ranges are joined and compared
   * ({@link FileRanges#versionsDiffer}). Versions are compared only with versions asked the same
   * way (a listing's ETag may be written differently from a HEAD's on some stores). Local files
   * are checked by lstat ({@link #changedSince}), HDFS files by inode ({@link #replacedSince}).
   */
  RangeInput openRange(Path path) throws IOException {
    if (local || dfs != null) {
      return new RangeInput(open(path), "", -1);
    }
    FileStatus now;
    try {
      now = fs.getFileStatus(path);
    } catch (FileNotFoundException e) {
      throw new SourceVanished(e);
    } catch (AccessControlException | java.nio.file.AccessDeniedException e) {
      throw new SourceUnreadable("cannot be read: " + OneLine.of(e), e);
    }
    String etag = now instanceof EtagSource ? ((EtagSource) now).getEtag() : null;
    if (!now.isFile()) {
      throw new SourceUnreadable("no longer a file since it was listed: not read", null);
    }
    try {
      // Opened with the status just asked (no second HEAD): S3A then reads that ETag or fails.
      return new RangeInput(FutureIO.awaitFuture(fs.openFile(path).withFileStatus(now).build()),
          etag == null ? "" : etag, now.getLen());
    } catch (FileNotFoundException e) {
      throw new SourceVanished(e);
    } catch (AccessControlException | java.nio.file.AccessDeniedException e) {
      throw new SourceUnreadable("cannot be read: " + OneLine.of(e), e);
    }
  }

  /** The source file system's checksum of the file (only where checksums are used). */
  Checksum checksum(FileStatus status) throws IOException {
    if (stamps) {
      return stampOf(status);
    }
    if (checksumFs == null) {
      return Checksum.NOT_ASKED;
    }
    context.getCounter(BackupCounters.SOURCE_CHECKSUMS).increment(1);
    FileChecksum checksum;
    try {
      checksum = checksumFs.getFileChecksum(status.getPath());
    } catch (FileNotFoundException e) {
      throw new SourceVanished(e);
    } catch (AccessControlException e) {
      throw new SourceUnreadable("cannot be read: " + OneLine.of(e), e);
    } catch (IOException e) {
      // HDFS refuses the checksum of a file under construction ("... is under construction"; of
      // its snapshot copy, some other error): the file is then read, as of its visible length.
      if (openForWrite(status)) {
        return new Checksum(null, true);
      }
      throw e;
    }
    if (checksum == null || checksum.getAlgorithmName() == null || checksum.getAlgorithmName().isEmpty()) {
      return Checksum.NOT_ASKED;
    }
    byte[] bytes = checksum.getBytes();
    return bytes == null || bytes.length == 0 || bytes.length > SourceChecksum.MAX_BYTES ? Checksum.NOT_ASKED
        : new Checksum(new SourceChecksum(checksum.getAlgorithmName(), bytes), false);
  }

  /**
   * A local file's change stamp as its checksum: the one its listing read (no system call), or
   * none. It was observed before the file was opened by any task, so a write after it moves it;
   * it is kept under the same rules as a checksum (only when the file read as long as listed).
   */
  private Checksum stampOf(FileStatus status) {
    ChangeStamp stamp = ChangeStamp.of(status);
    return stamp == null ? Checksum.NOT_ASKED : new Checksum(stamp.asChecksum(), false);
  }

  /**
   * Whether range 0 of a file read in ranges keeps its checksum although the file is read live: a
   * change stamp, observed before any range was read, which any later write moves.
   */
  boolean keepsStampForRanges() {
    return stamps;
  }

  /**
   * Whether an HDFS file is open for write (under construction), asked of the NameNode about the
   * live file (a snapshot's copy is frozen, but the file it was taken of may still be written).
   * Asked only where the file gave a sign: its checksum was refused, or it read longer than listed.
   */
  boolean openForWrite(FileStatus status) throws IOException {
    if (dfs == null) {
      return false;
    }
    try {
      return !dfs.isFileClosed(livePath(status.getPath()));
    } catch (FileNotFoundException e) {
      return false;
    }
  }

  /**
   * Whether a local file just read may have changed while it was read: it was read live and its
   * length or modification time now are not {@code readAs}'s (both from the same lstat clock,
   * to the millisecond). A file no longer a file, or no longer reachable, has changed too; one
   * deleted after its read has not (a live system's temporary files: deleting a file does not
   * change the bytes read from it, and flagging them would make every such backup exit 4).
   *
   * <p>Local files only. HDFS cannot rewrite a file in place (a file read up to its listed length
   * gives the listed bytes while it grows or is appended to, and a file open for write changes its
   * length and time without changing them), and an object store's listing and HEAD times differ
   * in precision (MinIO, Ceph: milliseconds against seconds), so comparing them would flag
   * unchanged files. On HDFS a file replaced under its name between the tasks that read its
   * ranges is found by {@link #replacedSince}.
   */
  boolean changedSince(FileStatus readAs) throws IOException {
    if (!checksForChanges()) {
      return false;
    }
    try {
      // One lstat, no owner or group lookups: this runs after every local file read whole.
      java.nio.file.Path file = PosixFiles.local(readAs.getPath());
      ChangeStamp stamp = stamps ? ChangeStamp.of(readAs) : null;
      if (stamp != null) {
        // Also a write that kept the length and set the time back, or fell in the same
        // millisecond: it moved the ctime. Length, kind and stamp from one lstat.
        return stamp.changedAt(file, readAs.getLen());
      }
      java.nio.file.attribute.BasicFileAttributes now = java.nio.file.Files.readAttributes(
          file, java.nio.file.attribute.BasicFileAttributes.class, java.nio.file.LinkOption.NOFOLLOW_LINKS);
      return !now.isRegularFile() || now.size() != readAs.getLen()
          || PosixFiles.millis(now.lastModifiedTime()) != readAs.getModificationTime();
    } catch (java.nio.file.NoSuchFileException e) {
      // Gone since: deleting a file after its read changes nothing that was read (temporary files
      // would make every busy backup exit 4), but one written while it was read and then deleted
      // holds two versions. Asked while the read's stream is open, the descriptor still tells.
      ChangeStamp stamp = stamps ? ChangeStamp.of(readAs) : null;
      return stamp != null && Boolean.TRUE.equals(stamp.changedWhileOpen(readAs.getLen()));
    } catch (java.nio.file.FileSystemException e) {
      // A directory above it replaced by a file, or made unreadable: not what was read.
      return true;
    }
  }

  /**
   * Whether a file of a live source other than the local one is no longer the file listed under
   * its path (its {@link SourceIdentity}: on HDFS, the inode id), as a task that read one of its
   * ranges finds it: one NameNode call per range read. A file appended to, or open for write,
   * keeps its id and the bytes up to its listed length; one deleted after the read changed
   * nothing that was read. A file truncated and written again in place keeps its id and is not
   * detected (README: a snapshot avoids it).
   */
  boolean replacedSince(FileStatus listed) throws IOException {
    String was = local || readsSnapshot ? null : SourceIdentity.of(listed);
    if (was == null) {
      return false;
    }
    try {
      return !was.equals(SourceIdentity.of(fs.getFileStatus(listed.getPath())));
    } catch (FileNotFoundException e) {
      return false;
    }
  }

  /** Whether {@link #changedSince} looks at all: a local source read live. */
  boolean checksForChanges() {
    return local && !readsSnapshot;
  }

  /**
   * A local file's status now, as the listing reads it (for a file read again because it
   * changed); null when it is gone or no longer a regular file.
   */
  FileStatus statusNow(Path path) throws IOException {
    try {
      FileStatus now = PosixFiles.linkStatus(fs, path);
      return now instanceof PosixFiles.LocalFileStatus && now.isFile() && !now.isSymlink() ? now : null;
    } catch (FileNotFoundException | java.nio.file.FileSystemException e) {
      return null;
    }
  }

  /** The live path of a path inside a snapshot ({@code dir/.snapshot/name/rest} is {@code dir/rest}). */
  static Path livePath(Path path) {
    String p = path.toUri().getPath();
    int at = p.indexOf("/" + HdfsConstants.DOT_SNAPSHOT_DIR + "/");
    if (at < 0) {
      return path;
    }
    int nameEnd = p.indexOf('/', at + HdfsConstants.DOT_SNAPSHOT_DIR.length() + 2);
    String live = p.substring(0, at) + (nameEnd < 0 ? "" : p.substring(nameEnd));
    return new Path(path.toUri().getScheme(), path.toUri().getAuthority(), live.isEmpty() ? "/" : live);
  }

  /**
   * The entry's metadata as the source reports it: with the listing's setuid and setgid bits (a
   * FileStatus cannot hold them), and on HDFS its ACL entries and extended attributes.
   */
  ManifestEntry.Builder metadata(EntryType type, String relative, FileStatus status, short setIdBits)
      throws IOException {
    return ManifestEntry.builder(type, relative)
        .attributes(attributes(type, status, relative.isEmpty()))
        .length(status.isFile() ? status.getLen() : 0)
        .permission((short) ((status.getPermission().toShort() & 01777) | setIdBits))
        .owner(status.getOwner())
        .group(status.getGroup())
        .modificationTime(status.getModificationTime())
        .accessTime(status.getAccessTime())
        .replication(status.getReplication())
        .blockSize(status.getBlockSize());
  }

  /**
   * ACL entries beyond the mode bits (asked only of entries HDFS flags as having them), extended
   * attributes (one call per entry; a symlink's would be its target's) and the storage policy set
   * on the entry. On other file systems, none: Hadoop's local file system has none of them.
   */
  private EntryAttributes attributes(EntryType type, FileStatus status, boolean root) throws IOException {
    if (dfs == null || type == EntryType.SYMLINK) {
      return EntryAttributes.NONE;
    }
    Path path = status.getPath();
    try {
      List<String> acl = List.of();
      if (status.hasAcl()) {
        acl = dfs.getAclStatus(path).getEntries().stream().map(AclEntry::toStringStable).toList();
      }
      EntryAttributes a = EntryAttributes.of(acl, xattrs(path),
          storagePolicies.setOn(path, root, type == EntryType.DIRECTORY));
      if (!a.isEmpty()) {
        context.getCounter(BackupCounters.ENTRIES_WITH_ATTRIBUTES).increment(1);
      }
      return a;
    } catch (FileNotFoundException e) {
      // Gone since it was listed: reading it will say so.
      return EntryAttributes.NONE;
    } catch (AccessControlException e) {
      // Extended attributes need read permission on the entry (a directory the backup's user may
      // not list): the entry is kept without them, and counted; its contents are reported apart.
      context.getCounter(BackupCounters.ATTRIBUTES_UNREADABLE).increment(1);
      return EntryAttributes.NONE;
    }
  }

  private Map<String, byte[]> xattrs(Path path) throws IOException {
    if (!readXattrs) {
      return Map.of();
    }
    try {
      return dfs.getXAttrs(path);
    } catch (RemoteException e) {
      if (!String.valueOf(e.getMessage()).contains("XAttr")) {
        throw e;
      }
      // The NameNode has extended attributes disabled: there are none to keep.
      readXattrs = false;
      return Map.of();
    }
  }

  @Override
  public void close() throws IOException {
    if (directories != null) {
      directories.close();
    }
    if (checksumFs != null) {
      checksumFs.close();
    }
  }
}
