package org.hbackup.common.testing;

import java.io.FilterOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.net.URI;
import java.util.HashSet;
import java.util.Set;

import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FSDataInputStream;
import org.apache.hadoop.fs.FSDataOutputStream;
import org.apache.hadoop.fs.FileStatus;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.apache.hadoop.fs.RawLocalFileSystem;
import org.apache.hadoop.fs.permission.FsPermission;
import org.apache.hadoop.security.AccessControlException;
import org.apache.hadoop.util.Progressable;

/**
 * The local file system under the scheme {@code fault:}, with the failures a test cannot make for
 * real (as root, or without filling a disk): files the user may not read and directories it may
 * not list, both refused as HDFS refuses them ({@link AccessControlException}), and a disk that
 * is full. Every call goes to Hadoop's raw local file system with the path's scheme swapped.
 * Register with {@link #register}.
 */
public class FaultFileSystem extends FileSystem {
  public static final String SCHEME = "fault";
  /** Names (last path component) of files whose open is refused. */
  public static final String UNREADABLE = "fault.unreadable.names";
  /** Names of directories whose listing is refused. */
  public static final String UNLISTABLE = "fault.unlistable.names";
  /** Files whose path contains this string cannot be written: "No space left on device". */
  public static final String FULL = "fault.full.paths.containing";
  /** Files whose path contains this string cannot be created: "Permission denied" (a read-only copy). */
  public static final String READ_ONLY = "fault.read.only.paths.containing";
  /** Files whose path contains this string open, but every read fails: "Input/output error". */
  public static final String FAIL_READS = "fault.fail.reads.containing";
  /**
   * Files whose name ends with this are never created under that name: a test that a writer
   * publishes them whole (written aside, then renamed), so no reader ever sees one half-written.
   */
  public static final String NO_CREATE_IN_PLACE = "fault.no.create.in.place.suffix";
  /**
   * Behave as an object store (S3A) does for writes: a file appears only when its stream is
   * closed, with whatever the stream buffered, even after a failed write; streams can be aborted
   * (nothing appears) and declare no hsync.
   */
  public static final String OBJECT_STORE = "fault.object.store";
  /**
   * Setting times needs write access, as HDFS asks of every user but its superuser: refused on a
   * file or directory without its owner's write bit.
   */
  public static final String TIMES_NEED_WRITE = "fault.times.need.write";
  /**
   * The file system's clock runs this many milliseconds off this host's: every modification time
   * it reports is shifted by it, and setTimes stores what it will report.
   */
  public static final String CLOCK_OFFSET_MS = "fault.clock.offset.ms";
  /**
   * {@code <name>@<start>-<end>}: the file of that name opens and reads, but every read of a byte
   * in [start, end) fails with "Input/output error", as a lost block in the middle of a file.
   */
  public static final String FAIL_READS_IN_RANGE = "fault.fail.reads.in.range";

  private final RawLocalFileSystem local = new RawLocalFileSystem();
  private Set<String> unreadable = Set.of();
  private Set<String> unlistable = Set.of();
  private String full;
  private String failReads;
  private String noCreateInPlace;
  private String readOnly;
  private boolean objectStore;
  private boolean timesNeedWrite;
  private long clockOffset;
  private String failRangeName;
  private long failRangeStart;
  private long failRangeEnd;
  private Path workingDirectory;

  /** Makes {@code fault:} paths use this class, a new instance per configuration. */
  public static void register(Configuration conf) {
    conf.set("fs." + SCHEME + ".impl", FaultFileSystem.class.getName());
    conf.setBoolean("fs." + SCHEME + ".impl.disable.cache", true);
  }

  @Override
  public void initialize(URI uri, Configuration conf) throws IOException {
    super.initialize(uri, conf);
    local.initialize(URI.create("file:///"), conf);
    unreadable = new HashSet<>(conf.getTrimmedStringCollection(UNREADABLE));
    unlistable = new HashSet<>(conf.getTrimmedStringCollection(UNLISTABLE));
    full = conf.get(FULL);
    failReads = conf.get(FAIL_READS);
    noCreateInPlace = conf.get(NO_CREATE_IN_PLACE);
    readOnly = conf.get(READ_ONLY);
    objectStore = conf.getBoolean(OBJECT_STORE, false);
    timesNeedWrite = conf.getBoolean(TIMES_NEED_WRITE, false);
    clockOffset = conf.getLong(CLOCK_OFFSET_MS, 0);
    String range = conf.get(FAIL_READS_IN_RANGE);
    if (range != null) {
      failRangeName = range.substring(0, range.lastIndexOf('@'));
      String[] bounds = range.substring(range.lastIndexOf('@') + 1).split("-");
      failRangeStart = Long.parseLong(bounds[0]);
      failRangeEnd = Long.parseLong(bounds[1]);
    }
    workingDirectory = faultPath(local.getWorkingDirectory());
  }

  @Override
  public URI getUri() {
    return URI.create(SCHEME + ":///");
  }

  @Override
  public String getScheme() {
    return SCHEME;
  }

  private static Path localPath(Path p) {
    return new Path("file", null, p.toUri().getPath());
  }

  private static Path faultPath(Path p) {
    return new Path(SCHEME, null, p.toUri().getPath());
  }

  private FileStatus faultStatus(FileStatus s) throws IOException {
    return new FileStatus(s.getLen(), s.isDirectory(), s.getReplication(), s.getBlockSize(),
        s.getModificationTime() + clockOffset, s.getAccessTime() + clockOffset, s.getPermission(), s.getOwner(), s.getGroup(), s.isSymlink() ? s.getSymlink() : null,
        faultPath(s.getPath()));
  }

  @Override
  public FSDataInputStream open(Path f, int bufferSize) throws IOException {
    if (unreadable.contains(f.getName())) {
      throw new AccessControlException("Permission denied: user=test, access=READ, inode=\"" + f.toUri().getPath() + "\"");
    }
    if (failReads != null && f.toString().contains(failReads)) {
      local.getFileStatus(localPath(f));
      return new FSDataInputStream(new org.apache.hadoop.fs.FSInputStream() {
        @Override
        public void seek(long pos) {
        }

        @Override
        public long getPos() {
          return 0;
        }

        @Override
        public boolean seekToNewSource(long targetPos) {
          return false;
        }

        @Override
        public int read() throws IOException {
          throw new IOException("Input/output error");
        }
      });
    }
    if (failRangeName != null && f.getName().equals(failRangeName)) {
      return new FSDataInputStream(new RangeFailing(local.open(localPath(f), bufferSize), failRangeStart, failRangeEnd));
    }
    return local.open(localPath(f), bufferSize);
  }

  /** A stream whose reads of any byte in [start, end) fail. */
  private static final class RangeFailing extends org.apache.hadoop.fs.FSInputStream {
    private final FSDataInputStream in;
    private final long start;
    private final long end;

    RangeFailing(FSDataInputStream in, long start, long end) {
      this.in = in;
      this.start = start;
      this.end = end;
    }

    private void check(long from, int len) throws IOException {
      if (from < end && from + len > start) {
        throw new IOException("Input/output error");
      }
    }

    @Override
    public void seek(long pos) throws IOException {
      in.seek(pos);
    }

    @Override
    public long getPos() throws IOException {
      return in.getPos();
    }

    @Override
    public boolean seekToNewSource(long targetPos) {
      return false;
    }

    @Override
    public int read() throws IOException {
      check(in.getPos(), 1);
      return in.read();
    }

    @Override
    public int read(byte[] b, int off, int len) throws IOException {
      check(in.getPos(), len);
      return in.read(b, off, len);
    }

    @Override
    public int read(long position, byte[] b, int off, int len) throws IOException {
      check(position, len);
      return in.read(position, b, off, len);
    }

    @Override
    public void close() throws IOException {
      in.close();
    }
  }

  @Override
  public FSDataOutputStream create(Path f, FsPermission permission, boolean overwrite, int bufferSize,
      short replication, long blockSize, Progressable progress) throws IOException {
    if (readOnly != null && f.toString().contains(readOnly)) {
      throw new org.apache.hadoop.security.AccessControlException("Permission denied: " + f);
    }
    if (noCreateInPlace != null && f.getName().endsWith(noCreateInPlace)) {
      throw new IOException("created in place, where a reader could see it half-written: " + f);
    }
    if (objectStore) {
      if (!overwrite && local.exists(localPath(f))) {
        throw new org.apache.hadoop.fs.FileAlreadyExistsException(f + " already exists");
      }
      return new FSDataOutputStream(new UploadOnClose(local, localPath(f), full != null && f.toString().contains(full)),
          null);
    }
    FSDataOutputStream out = local.create(localPath(f), permission, overwrite, bufferSize, replication, blockSize,
        progress);
    if (full == null || !f.toString().contains(full)) {
      return out;
    }
    OutputStream failing = new FilterOutputStream(out) {
      @Override
      public void write(int b) throws IOException {
        throw new IOException("No space left on device");
      }

      @Override
      public void write(byte[] b, int off, int len) throws IOException {
        throw new IOException("No space left on device");
      }
    };
    return new FSDataOutputStream(failing, null);
  }

  @Override
  public FSDataOutputStream append(Path f, int bufferSize, Progressable progress) throws IOException {
    return local.append(localPath(f), bufferSize, progress);
  }

  @Override
  public boolean rename(Path src, Path dst) throws IOException {
    return local.rename(localPath(src), localPath(dst));
  }

  @Override
  public boolean delete(Path f, boolean recursive) throws IOException {
    return local.delete(localPath(f), recursive);
  }

  @Override
  public FileStatus[] listStatus(Path f) throws IOException {
    if (unlistable.contains(f.getName())) {
      throw new AccessControlException("Permission denied: user=test, access=READ_EXECUTE, inode=\""
          + f.toUri().getPath() + "\"");
    }
    FileStatus[] statuses = local.listStatus(localPath(f));
    for (int i = 0; i < statuses.length; i++) {
      statuses[i] = faultStatus(statuses[i]);
    }
    return statuses;
  }

  @Override
  public void setWorkingDirectory(Path dir) {
    workingDirectory = makeQualified(dir);
  }

  @Override
  public Path getWorkingDirectory() {
    return workingDirectory;
  }

  @Override
  public boolean mkdirs(Path f, FsPermission permission) throws IOException {
    return local.mkdirs(localPath(f), permission);
  }

  @Override
  public FileStatus getFileStatus(Path f) throws IOException {
    return faultStatus(local.getFileStatus(localPath(f)));
  }

  @Override
  public void setPermission(Path p, FsPermission permission) throws IOException {
    local.setPermission(localPath(p), permission);
  }

  @Override
  public void setOwner(Path p, String user, String group) throws IOException {
    local.setOwner(localPath(p), user, group);
  }

  @Override
  public void setTimes(Path p, long mtime, long atime) throws IOException {
    if (timesNeedWrite && (local.getFileStatus(localPath(p)).getPermission().toShort() & 0200) == 0) {
      throw new org.apache.hadoop.security.AccessControlException("Permission denied: user=test, access=WRITE, inode=" + p);
    }
    local.setTimes(localPath(p), mtime < 0 ? mtime : mtime - clockOffset, atime < 0 ? atime : atime - clockOffset);
  }

  @Override
  public boolean hasPathCapability(Path path, String capability) throws IOException {
    if (objectStore && org.apache.hadoop.fs.CommonPathCapabilities.ABORTABLE_STREAM.equals(capability)) {
      return true;
    }
    return super.hasPathCapability(path, capability);
  }

  /** An object upload: buffered, written on close, gone on abort; a full disk fails writes midway. */
  private static final class UploadOnClose extends OutputStream implements org.apache.hadoop.fs.Abortable {
    private final RawLocalFileSystem local;
    private final Path path;
    private final boolean failing;
    private final java.io.ByteArrayOutputStream buffer = new java.io.ByteArrayOutputStream();
    private boolean done;

    UploadOnClose(RawLocalFileSystem local, Path path, boolean failing) {
      this.local = local;
      this.path = path;
      this.failing = failing;
    }

    @Override
    public void write(int b) throws IOException {
      write(new byte[] {(byte) b}, 0, 1);
    }

    @Override
    public void write(byte[] b, int off, int len) throws IOException {
      if (failing) {
        buffer.write(b, off, len / 2);
        throw new IOException("No space left on device");
      }
      buffer.write(b, off, len);
    }

    @Override
    public void close() throws IOException {
      if (done) {
        return;
      }
      done = true;
      try (OutputStream out = local.create(path, true)) {
        buffer.writeTo(out);
      }
    }

    @Override
    public AbortableResult abort() {
      boolean wasDone = done;
      done = true;
      return new AbortableResult() {
        @Override
        public boolean alreadyClosed() {
          return wasDone;
        }

        @Override
        public IOException anyCleanupException() {
          return null;
        }
      };
    }
  }
}
