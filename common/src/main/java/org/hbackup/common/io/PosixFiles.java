package org.hbackup.common.io;

import java.io.BufferedOutputStream;
import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Paths;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.FileTime;
import java.nio.file.attribute.GroupPrincipal;
import java.nio.file.attribute.PosixFileAttributeView;
import java.nio.file.attribute.PosixFileAttributes;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.nio.file.attribute.UserPrincipal;
import java.nio.file.attribute.UserPrincipalLookupService;
import java.util.ArrayList;
import java.util.Collections;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import java.util.concurrent.TimeUnit;

import org.apache.hadoop.fs.FSDataInputStream;
import org.apache.hadoop.fs.FSDataOutputStream;
import org.apache.hadoop.fs.FileStatus;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.apache.hadoop.fs.RemoteIterator;
import org.apache.hadoop.fs.permission.FsPermission;
import org.apache.hadoop.util.Progressable;
import org.hbackup.common.manifest.RelativePaths;

/**
 * Creates files and reads and applies owner, group, permission and times. On the local file
 * system without libhadoop, Hadoop forks {@code ls}, {@code chmod} or {@code chown} for each file,
 * even to create one (measured: a restore of 6,000 small files spent 60 of its 61 seconds in
 * forks), so for {@code file:} paths this class uses java.nio, which makes the same system calls
 * in process. Every other file system goes through Hadoop's API unchanged.
 */
public final class PosixFiles {
  private static final PosixFilePermission[] BITS = {
      PosixFilePermission.OTHERS_EXECUTE, PosixFilePermission.OTHERS_WRITE, PosixFilePermission.OTHERS_READ,
      PosixFilePermission.GROUP_EXECUTE, PosixFilePermission.GROUP_WRITE, PosixFilePermission.GROUP_READ,
      PosixFilePermission.OWNER_EXECUTE, PosixFilePermission.OWNER_WRITE, PosixFilePermission.OWNER_READ};

  /** Whether java.nio offers the "unix" attribute view (Linux, macOS): numeric ids and mode. */
  private static final boolean UNIX_VIEW =
      java.nio.file.FileSystems.getDefault().supportedFileAttributeViews().contains("unix");
  private static final String UNIX_ATTRIBUTES = "unix:mode,uid,gid,size,lastModifiedTime,lastAccessTime,"
      + ChangeStamp.ATTRIBUTES;
  private static final int S_IFMT = 0170000;
  private static final int S_IFDIR = 0040000;
  private static final int S_IFREG = 0100000;
  private static final int S_IFLNK = 0120000;
  /** Read and write for the owner alone: temporary files and repository files. */
  public static final short OWNER_ONLY_FILE = 0600;
  /** Read, write and search for the owner alone: staging directories and the repository's. */
  public static final short OWNER_ONLY_DIRECTORY = 0700;
  /** The bits {@link #toMode} reads: owner, group and others, without setuid, setgid and sticky. */
  private static final int PERMISSION_BITS = 0777;
  /** The mode bits a FileStatus holds: permission and sticky bit. */
  private static final int STATUS_MODE_BITS = 01777;
  /**
   * Account names by id, for the JVM's life, as {@code ls} would print them: there are few
   * accounts, and an account renamed during a backup keeps the name it had when first seen.
   */
  private static final ConcurrentMap<Integer, String> USER_NAMES = new ConcurrentHashMap<>();
  private static final ConcurrentMap<Integer, String> GROUP_NAMES = new ConcurrentHashMap<>();

  private PosixFiles() {
  }

  /**
   * Whether this process's effective user is root (uid 0), read from the second field of the
   * {@code Uid:} line of {@code /proc/self/status} (the owner of {@code /proc/self} is root for
   * a process that is not dumpable, whoever runs it); false where that cannot be told.
   */
  public static boolean isRoot() {
    try {
      return effectiveUid(Files.readAllLines(Paths.get("/proc/self/status"))) == 0;
    } catch (IOException | RuntimeException e) {
      return false;
    }
  }

  /** The effective uid of a {@code /proc/<pid>/status} text, or -1. */
  static long effectiveUid(List<String> status) {
    for (String line : status) {
      if (line.startsWith("Uid:")) {
        String[] ids = line.substring(4).trim().split("\\s+");
        return ids.length >= 2 ? Long.parseLong(ids[1]) : -1;
      }
    }
    return -1;
  }

  public static boolean isLocal(FileSystem fs) {
    return "file".equals(fs.getUri().getScheme());
  }

  /**
   * Creates a new file for writing, readable and writable by its owner only, and fails if
   * anything exists at {@code path}, a symlink included: {@code O_CREAT|O_EXCL} never follows a
   * link, so nothing is written through one. Callers apply the final permission afterwards.
   */
  public static FSDataOutputStream createNew(FileSystem fs, Path path, int bufferSize, short replication,
      long blockSize, Progressable progress) throws IOException {
    return createNew(fs, path, bufferSize, replication, blockSize, progress, OWNER_ONLY_FILE);
  }

  /**
   * As above, created with {@code mode} (less the umask) where the file system is not local; the
   * local file is always created owner-only.
   */
  public static FSDataOutputStream createNew(FileSystem fs, Path path, int bufferSize, short replication,
      long blockSize, Progressable progress, short mode) throws IOException {
    if (isLocal(fs)) {
      java.nio.channels.FileChannel channel = java.nio.channels.FileChannel.open(local(path),
          EnumSet.of(StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE),
          PosixFilePermissions.asFileAttribute(fromMode(OWNER_ONLY_FILE)));
      return new FSDataOutputStream(new SyncableChannelOutput(channel, bufferSize), null);
    }
    return fs.create(path, new FsPermission(mode), false, bufferSize, replication, blockSize, progress);
  }

  /**
   * A buffered stream over a file channel that {@code hsync} forces to disk, as Hadoop's own
   * local streams do: packs must be durable before anything names them.
   */
  private static final class SyncableChannelOutput extends java.io.OutputStream
      implements org.apache.hadoop.fs.Syncable, org.apache.hadoop.fs.StreamCapabilities {
    private final java.nio.channels.FileChannel channel;
    private final java.nio.ByteBuffer buffer;

    SyncableChannelOutput(java.nio.channels.FileChannel channel, int bufferSize) {
      this.channel = channel;
      this.buffer = java.nio.ByteBuffer.allocate(Math.max(4096, bufferSize));
    }

    @Override
    public void write(int b) throws IOException {
      if (!buffer.hasRemaining()) {
        drain();
      }
      buffer.put((byte) b);
    }

    @Override
    public void write(byte[] b, int off, int len) throws IOException {
      if (len >= buffer.capacity()) {
        drain();
        java.nio.ByteBuffer direct = java.nio.ByteBuffer.wrap(b, off, len);
        while (direct.hasRemaining()) {
          channel.write(direct);
        }
        return;
      }
      if (len > buffer.remaining()) {
        drain();
      }
      buffer.put(b, off, len);
    }

    private void drain() throws IOException {
      buffer.flip();
      while (buffer.hasRemaining()) {
        channel.write(buffer);
      }
      buffer.clear();
    }

    @Override
    public void flush() throws IOException {
      drain();
    }

    @Override
    public void hflush() throws IOException {
      drain();
    }

    @Override
    public void hsync() throws IOException {
      drain();
      channel.force(true);
    }

    @Override
    public boolean hasCapability(String capability) {
      return HSYNC.equals(capability) || HFLUSH.equals(capability);
    }

    @Override
    public void close() throws IOException {
      if (channel.isOpen()) {
        try {
          drain();
        } finally {
          channel.close();
        }
      }
    }
  }

  /**
   * Opens a file for reading without following a symlink at its last component
   * ({@code O_NOFOLLOW}) on the local file system, so that a file swapped for a link after it was
   * listed is never read through the link; elsewhere Hadoop's open. A link there fails with
   * {@link java.nio.file.FileSystemException} (ELOOP).
   */
  public static FSDataInputStream openNoFollow(FileSystem fs, Path path) throws IOException {
    if (!isLocal(fs)) {
      return fs.open(path);
    }
    java.nio.channels.FileChannel channel = java.nio.channels.FileChannel.open(local(path),
        StandardOpenOption.READ, LinkOption.NOFOLLOW_LINKS);
    return input(channel);
  }

  /** A local file channel open for reading as Hadoop's input stream (seekable, positional reads). */
  public static FSDataInputStream input(java.nio.channels.FileChannel channel) {
    return new FSDataInputStream(new ChannelInput(channel));
  }

  /** A local file channel as Hadoop's seekable, positionally readable input. */
  private static final class ChannelInput extends org.apache.hadoop.fs.FSInputStream {
    private final java.nio.channels.FileChannel channel;

    ChannelInput(java.nio.channels.FileChannel channel) {
      this.channel = channel;
    }

    @Override
    public void seek(long pos) throws IOException {
      channel.position(pos);
    }

    @Override
    public long getPos() throws IOException {
      return channel.position();
    }

    @Override
    public boolean seekToNewSource(long targetPos) {
      return false;
    }

    @Override
    public int read() throws IOException {
      byte[] one = new byte[1];
      return read(one, 0, 1) < 0 ? -1 : one[0] & 0xff;
    }

    @Override
    public int read(byte[] b, int off, int len) throws IOException {
      return len == 0 ? 0 : channel.read(java.nio.ByteBuffer.wrap(b, off, len));
    }

    @Override
    public int read(long position, byte[] b, int off, int len) throws IOException {
      return len == 0 ? 0 : channel.read(java.nio.ByteBuffer.wrap(b, off, len), position);
    }

    @Override
    public void close() throws IOException {
      channel.close();
    }
  }

  /** What is at a path, read without following a symlink there. */
  public enum Kind {
    MISSING, FILE, DIRECTORY, SYMLINK,
    /** A FIFO, socket or device node. */
    SPECIAL
  }

  /**
   * A file time in milliseconds since the epoch, rounded down. FileTime.toMillis rounds toward
   * zero, so a time before 1970 with a fraction of a millisecond came out up to a millisecond
   * later (1969-12-31T23:59:59.9995 as 1970-01-01T00:00:00.000; found by a probe).
   */
  public static long millis(FileTime time) {
    try {
      return time.toInstant().toEpochMilli();
    } catch (ArithmeticException e) {
      return time.toMillis(); // beyond what a long holds in milliseconds: saturated
    }
  }

  /**
   * What is at {@code path} itself: a symlink is reported as one, never followed (an
   * {@code lstat}, or Hadoop's {@code getFileLinkStatus}). The path's parents are resolved by the
   * file system as usual; callers that must not pass through a symlink check them first.
   */
  public static Kind kindOf(FileSystem fs, Path path) throws IOException {
    if (isLocal(fs)) {
      try {
        java.nio.file.attribute.BasicFileAttributes a = Files.readAttributes(local(path),
            java.nio.file.attribute.BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
        return a.isSymbolicLink() ? Kind.SYMLINK : a.isDirectory() ? Kind.DIRECTORY
            : a.isRegularFile() ? Kind.FILE : Kind.SPECIAL;
      } catch (NoSuchFileException e) {
        return Kind.MISSING;
      } catch (java.nio.file.AccessDeniedException e) {
        throw e;
      } catch (java.nio.file.FileSystemException e) {
        // ENOTDIR: a directory above it is a file now (replaced since it was listed), so nothing
        // is at this path. A backup failed whole on it (exit 1; found by a probe).
        java.nio.file.Path parent = local(path).getParent();
        if (parent != null && !Files.isDirectory(parent, LinkOption.NOFOLLOW_LINKS)) {
          return Kind.MISSING;
        }
        throw e;
      }
    }
    FileStatus status;
    try {
      status = fs.getFileLinkStatus(path);
    } catch (java.io.FileNotFoundException e) {
      return Kind.MISSING;
    }
    return status.isSymlink() ? Kind.SYMLINK : status.isDirectory() ? Kind.DIRECTORY : Kind.FILE;
  }

  /** Removes a file or a symlink itself (never what a link points to); not a directory. */
  public static void deleteEntry(FileSystem fs, Path path) throws IOException {
    if (isLocal(fs)) {
      Files.deleteIfExists(local(path));
    } else {
      fs.delete(path, false);
    }
  }

  /**
   * The entries of a local directory with their metadata, in name order, read in process: one
   * {@code lstat} and no fork per entry, where Hadoop's local listing stats each child several
   * times and then still needs {@link #complete}. The order matters to a backup, whose lookups in
   * the base manifest (sorted by path) stay in one segment at a time only if the walk does;
   * {@code readdir} returns names in hash order. Memory: the names of this one directory.
   * Replication and block size are what Hadoop's local file system reports (1, its default block
   * size), so entries compare equal to those listed through it.
   */
  public static RemoteIterator<FileStatus> listLocal(FileSystem fs, Path dir) throws IOException {
    return listLocal(fs, dir, null, -1);
  }

  /**
   * {@link #listLocal(FileSystem, Path)} of a directory below {@code root} (null: any), which must
   * be the one its parent's listing saw: the directory opened must have that listing's
   * {@code inode}, which a link put in its place, or in place of a directory above it, does not
   * have (one fstat). Where the inode is not known (-1), every directory from below the root down
   * to it is looked at without following a link, and the directory opened must be the one looked
   * at (its device and inode). A directory of a
   * source swapped for a symlink to {@code /etc} after its parent was listed made the backup list
   * {@code /etc} into the point (names, types, times, owners; found by a probe). The root itself
   * is opened as named, as the listing's caller did. What remains: the entries are looked at by
   * path after the directory is read, so a swap in that window and back gives them another file's
   * status (never its bytes, which are read through {@code openat} without following a link).
   */
  public static RemoteIterator<FileStatus> listLocal(FileSystem fs, Path dir, Path root, long inode)
      throws IOException {
    long blockSize = fs.getDefaultBlockSize(dir);
    java.nio.file.Path localDir = local(dir);
    boolean below = root != null && isBelow(local(root), localDir);
    Object key = below && inode < 0 ? directoryBelow(local(root), localDir) : null;
    List<String> names = new ArrayList<>();
    List<FileStatus> unnamed = new ArrayList<>();
    try (DirectoryStream<java.nio.file.Path> stream = Files.newDirectoryStream(localDir)) {
      if (below && stream instanceof java.nio.file.SecureDirectoryStream) {
        Object opened = ((java.nio.file.SecureDirectoryStream<java.nio.file.Path>) stream)
            .getFileAttributeView(java.nio.file.attribute.BasicFileAttributeView.class).readAttributes().fileKey();
        if (inode >= 0 ? inodeOf(opened) != inode : !opened.equals(key)) {
          throw new NotADirectoryNow(localDir + ": not the directory its parent's listing saw (a symlink, or"
              + " replaced, on the way to it); not listed, never followed");
        }
      }
      for (java.nio.file.Path child : stream) {
        String name = child.getFileName().toString();
        if (LocalNames.names(localDir, name, child)) {
          String tooLong = LocalNames.pathTooLong(localDir, name);
          if (tooLong == null) {
            names.add(name);
          } else {
            unnamed.add(new UnrecordableStatus(dir, name, "an entry named '" + name + "' is left out: " + tooLong));
          }
        } else {
          // Never lstat'ed by its decoded name, which names no file: reported under its directory.
          unnamed.add(new UnrecordableStatus(dir, name, "an entry named '" + LocalNames.forReport(child)
              + "' is left out: " + LocalNames.whyNotRecordable("its name")));
        }
      }
    }
    Collections.sort(names);
    // An entry deleted since the directory was read is left out: as if listed a moment later.
    RemoteIterator<FileStatus> listing = new LocalListing(names,
        name -> status(localDir.resolve(name), RelativePaths.resolve(dir, name), (short) 1, blockSize));
    return unnamed.isEmpty() ? listing : withFirst(unnamed, listing);
  }

  /** A directory to list that is a symlink or a file now, or was replaced as it was opened: never followed. */
  public static final class NotADirectoryNow extends java.nio.file.FileSystemException {
    private static final long serialVersionUID = 1L;

    NotADirectoryNow(String why) {
      super(why);
    }
  }

  private static boolean isBelow(java.nio.file.Path root, java.nio.file.Path dir) {
    java.nio.file.Path relative = root.relativize(dir);
    return !relative.toString().isEmpty() && !relative.startsWith("..");
  }

  /**
   * The inode in a file key of the JDK's (a POSIX file's prints as "(dev=<hex>,ino=<decimal>)"; no
   * API gives the number), or -1.
   */
  public static long inodeOf(Object fileKey) {
    String text = String.valueOf(fileKey);
    int at = text.indexOf(",ino=");
    int end = at < 0 ? -1 : text.indexOf(')', at);
    try {
      return end < 0 ? -1 : Long.parseLong(text.substring(at + 5, end));
    } catch (NumberFormatException e) {
      return -1;
    }
  }

  /**
   * The key (device, inode) of {@code dir}, after checking that it and every directory between
   * {@code root} and it is a directory, not a link ({@code dir} below {@code root}).
   */
  private static Object directoryBelow(java.nio.file.Path root, java.nio.file.Path dir) throws IOException {
    java.nio.file.Path relative = root.relativize(dir);
    java.nio.file.Path at = root;
    Object key = null;
    for (java.nio.file.Path name : relative) {
      at = at.resolve(name);
      java.nio.file.attribute.BasicFileAttributes a = Files.readAttributes(at,
          java.nio.file.attribute.BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
      if (!a.isDirectory()) {
        throw new NotADirectoryNow("'" + root.relativize(at) + "' is no longer a directory (a "
            + (a.isSymbolicLink() ? "symlink" : a.isRegularFile() ? "file" : "special file") + " now): not listed,"
            + " never followed");
      }
      key = a.fileKey();
    }
    return key;
  }

  private static RemoteIterator<FileStatus> withFirst(List<FileStatus> first, RemoteIterator<FileStatus> rest) {
    return new RemoteIterator<FileStatus>() {
      private int taken;

      @Override
      public boolean hasNext() throws IOException {
        return taken < first.size() || rest.hasNext();
      }

      @Override
      public FileStatus next() throws IOException {
        return taken < first.size() ? first.get(taken++) : rest.next();
      }
    };
  }

  /**
   * {@link #listLocal} started now on the listing helper thread, for a directory the caller will
   * list next: its entries are read (the first batch of their statuses too) while the caller is
   * still busy with the directory before it. A failure is the future's; memory: as
   * {@link #listLocal}, for each directory started and not yet taken.
   */
  public static CompletableFuture<RemoteIterator<FileStatus>> listLocalAhead(FileSystem fs, Path dir, Path root,
      long inode) {
    return CompletableFuture.supplyAsync(() -> {
      try {
        return listLocal(fs, dir, root, inode);
      } catch (IOException e) {
        throw new CompletionException(e);
      }
    }, LocalListing.AHEAD);
  }

  /** The status of {@code path} itself, a symlink not followed; read in process on the local file system. */
  public static FileStatus linkStatus(FileSystem fs, Path path) throws IOException {
    if (!isLocal(fs)) {
      return fs.getFileLinkStatus(path);
    }
    return status(local(path), fs.makeQualified(path), (short) 1, fs.getDefaultBlockSize(path));
  }

  /** A status whose permission, owner, group and access time are read without forking. */
  public static FileStatus complete(FileSystem fs, FileStatus status) throws IOException {
    if (!isLocal(fs)) {
      return status;
    }
    return status(local(status.getPath()), status.getPath(), status.getReplication(), status.getBlockSize());
  }

  /**
   * The status of a backup's source root, as {@link #complete}, but a root given as a symlink is
   * followed: the directory it names is what the walk lists, and a point's root must be a
   * directory. Taken as the link, the root was a symlink with entries below it, a point every
   * restore refused (exit 3) after a backup that exited 0.
   */
  public static FileStatus completeRoot(FileSystem fs, FileStatus status) throws IOException {
    if (!isLocal(fs)) {
      return status;
    }
    return status(local(status.getPath()), status.getPath(), status.getReplication(), status.getBlockSize(), true);
  }

  private static FileStatus status(java.nio.file.Path local, Path path, short replication, long blockSize)
      throws IOException {
    return status(local, path, replication, blockSize, false);
  }

  private static FileStatus status(java.nio.file.Path local, Path path, short replication, long blockSize,
      boolean follow) throws IOException {
    LinkOption[] how = follow ? new LinkOption[0] : new LinkOption[] {LinkOption.NOFOLLOW_LINKS};
    if (!UNIX_VIEW) {
      PosixFileAttributes a = Files.readAttributes(local, PosixFileAttributes.class, how);
      String symlink = a.isSymbolicLink() ? Files.readSymbolicLink(local).toString() : null;
      FsPermission permission = new FsPermission(toMode(a.permissions()));
      return new LocalFileStatus(a.isRegularFile() ? a.size() : 0, a.isDirectory(), replication, blockSize,
          millis(a.lastModifiedTime()), millis(a.lastAccessTime()), permission,
          a.owner().getName(), a.group().getName(), symlink, path, permission.toShort());
    }
    // The numeric owner and group, named through a cache: PosixFileAttributes.owner() calls
    // getpwuid for every file, which took half of a listing's time.
    Map<String, Object> a = Files.readAttributes(local, UNIX_ATTRIBUTES, how);
    int mode = (Integer) a.get("mode");
    int type = mode & S_IFMT;
    int uid = (Integer) a.get("uid");
    int gid = (Integer) a.get("gid");
    String owner = USER_NAMES.get(uid);
    String group = GROUP_NAMES.get(gid);
    if (owner == null || group == null) {
      // Ids and names from one stat, so a concurrent chown cannot pair an id with another's name.
      Map<String, Object> named = Files.readAttributes(local, "unix:uid,gid,owner,group", how);
      USER_NAMES.putIfAbsent((Integer) named.get("uid"), ((UserPrincipal) named.get("owner")).getName());
      GROUP_NAMES.putIfAbsent((Integer) named.get("gid"), ((GroupPrincipal) named.get("group")).getName());
      owner = USER_NAMES.getOrDefault(uid, Integer.toString(uid));
      group = GROUP_NAMES.getOrDefault(gid, Integer.toString(gid));
    }
    String symlink = null;
    if (type == S_IFLNK) {
      java.nio.file.Path target = Files.readSymbolicLink(local);
      symlink = target.toString();
      if (!LocalNames.isTarget(symlink, target)) {
        return new UnrecordableStatus(path, null, LocalNames.whyNotRecordable("its symlink target"));
      }
    }
    long mtime = millis((FileTime) a.get("lastModifiedTime"));
    long atime = millis((FileTime) a.get("lastAccessTime"));
    FsPermission permission = new FsPermission((short) (mode & STATUS_MODE_BITS));
    if (type != S_IFREG && type != S_IFDIR && type != S_IFLNK) {
      return new SpecialFileStatus(specialKind(type), replication, blockSize, mtime, atime, permission, owner, group,
          path);
    }
    LocalFileStatus status = new LocalFileStatus(type == S_IFREG ? (Long) a.get("size") : 0, type == S_IFDIR,
        replication, blockSize, mtime, atime, permission, owner, group, symlink, path, mode & 07777);
    status.stamp = type == S_IFREG ? ChangeStamp.from(a) : null;
    status.inode = a.get("ino") instanceof Long ? (Long) a.get("ino") : -1;
    return status;
  }

  /** Whether java.nio offers the "unix" attribute view here (and so statuses carry change stamps). */
  public static boolean hasUnixView() {
    return UNIX_VIEW;
  }

  private static String specialKind(int type) {
    switch (type) {
      case 0010000:
        return "FIFO";
      case 0140000:
        return "socket";
      case 0020000:
        return "character device";
      case 0060000:
        return "block device";
      default:
        return "special file";
    }
  }

  /**
   * A FIFO, socket or device node of the local file system: Hadoop's {@link FileStatus} would
   * call it a file, and opening a FIFO blocks, reading a device never ends. Never read as data.
   */
  /**
   * The mode bits of a status: its permission with the sticky bit, and for a local file its
   * setuid and setgid bits, which Hadoop's FsPermission cannot hold.
   */
  public static int modeBits(FileStatus status) {
    if (status instanceof LocalFileStatus) {
      return ((LocalFileStatus) status).mode;
    }
    return status.getPermission().toShort() & STATUS_MODE_BITS;
  }

  /**
   * An entry a point cannot record as it is (a name or symlink target that the JVM's file name
   * encoding cannot decode, see {@link LocalNames}): reported and left out by a backup. Its path
   * is the entry's, or for a name that names nothing, its directory's.
   */
  public static final class UnrecordableStatus extends FileStatus {
    private static final long serialVersionUID = 1L;
    private final String decodedName;
    private final String reason;

    UnrecordableStatus(Path path, String decodedName, String reason) {
      super(0, false, 0, 0, 0, path);
      this.decodedName = decodedName;
      this.reason = reason;
    }

    /**
     * For an entry whose name is what cannot be recorded, the name as decoded (its lost bytes as
     * U+FFFD), which exclude patterns are matched against; null when the path is the entry's.
     */
    public String decodedName() {
      return decodedName;
    }

    public String reason() {
      return reason;
    }

    @Override
    public boolean equals(Object o) {
      return super.equals(o);
    }

    @Override
    public int hashCode() {
      return super.hashCode();
    }
  }

  /**
   * A symlink's target as the file system keeps it. Use it instead of {@link FileStatus#getSymlink()}:
   * a Hadoop {@link Path} rewrites the text ({@code a//b}, {@code dir/}, {@code ../x/../y} as
   * {@code a/b}, {@code dir}, {@code ../y}, the last one another place when {@code x} is a link)
   * and cannot hold some at all ({@code a:b} is refused as a relative path with a scheme).
   */
  public static String symlinkTarget(FileStatus status) throws IOException {
    if (status instanceof ExactSymlink) {
      return ((ExactSymlink) status).symlinkText();
    }
    return status.getSymlink().toString();
  }

  /**
   * A Path for a FileStatus's symlink field, which only says that the entry is a symlink:
   * {@link Path#Path(String)} throws on some targets, this never does (it may rewrite the text).
   */
  public static Path symlinkPath(String text) {
    return new Path(null, null, text);
  }

  /** A status that keeps its symlink's target text exactly ({@link #symlinkTarget}). */
  public interface ExactSymlink {
    /** The target as the file system keeps it, or null when the entry is not a symlink. */
    String symlinkText();
  }

  /** A local file's status, with all twelve mode bits and its symlink target's exact text. */
  public static final class LocalFileStatus extends FileStatus implements ExactSymlink, ChangeStamp.Carrier {
    private static final long serialVersionUID = 1L;
    private final int mode;
    private final String symlinkText;
    /** A regular file's, read with the rest of its status; null for other entries. */
    private transient ChangeStamp stamp;
    /** The inode the same lstat read, or -1 (a directory's: listed next, it must still be that one). */
    private transient long inode = -1;

    LocalFileStatus(long length, boolean directory, short replication, long blockSize, long mtime, long atime,
        FsPermission permission, String owner, String group, String symlink, Path path, int mode) {
      super(length, directory, replication, blockSize, mtime, atime, permission, owner, group,
          symlink == null ? null : symlinkPath(symlink), path);
      this.mode = mode;
      this.symlinkText = symlink;
    }

    @Override
    public String symlinkText() {
      return symlinkText;
    }

    @Override
    public ChangeStamp changeStamp() {
      return stamp;
    }

    /** The inode the listing's lstat read, or -1 when the platform gives none. */
    public long inode() {
      return inode;
    }

    @Override
    public boolean equals(Object o) {
      return super.equals(o);
    }

    @Override
    public int hashCode() {
      return super.hashCode();
    }
  }

  public static final class SpecialFileStatus extends FileStatus {
    private static final long serialVersionUID = 1L;
    private final String kind;

    SpecialFileStatus(String kind, short replication, long blockSize, long mtime, long atime, FsPermission permission,
        String owner, String group, Path path) {
      super(0, false, replication, blockSize, mtime, atime, permission, owner, group, null, path);
      this.kind = kind;
    }

    /** "FIFO", "socket", "character device" or "block device". */
    public String kind() {
      return kind;
    }

    @Override
    public boolean equals(Object o) {
      return super.equals(o);
    }

    @Override
    public int hashCode() {
      return super.hashCode();
    }
  }

  /**
   * Applies mode bits to a path: on the local file system all twelve (setuid, setgid, sticky;
   * chmod, after any chown, which clears setuid and setgid); elsewhere what FsPermission holds.
   */
  public static void setPermission(FileSystem fs, Path path, short mode) throws IOException {
    if (isLocal(fs)) {
      if (UNIX_VIEW) {
        Files.setAttribute(local(path), "unix:mode", mode & 07777, LinkOption.NOFOLLOW_LINKS);
      } else {
        Files.setPosixFilePermissions(local(path), fromMode(mode));
      }
    } else {
      fs.setPermission(path, new FsPermission(mode));
    }
  }

  /** Applies owner and group; fails when the calling user may not (not root, not superuser). */
  public static void setOwner(FileSystem fs, Path path, String owner, String group) throws IOException {
    if (isLocal(fs)) {
      java.nio.file.Path local = local(path);
      PosixFileAttributeView view = Files.getFileAttributeView(local, PosixFileAttributeView.class,
          LinkOption.NOFOLLOW_LINKS);
      UserPrincipalLookupService lookup = local.getFileSystem().getUserPrincipalLookupService();
      // Always applied, never compared with the names the file has: the answer decides whether
      // setuid and setgid are restored, so it is the kernel's (lchown), not a cached name's.
      // Setting an owner or group the file already has is allowed to its owner, root or not;
      // anything else fails for a user who may not, as before.
      if (!owner.isEmpty()) {
        view.setOwner(user(lookup, owner));
      }
      if (!group.isEmpty()) {
        view.setGroup(group(lookup, group));
      }
    } else {
      FileStatus current = fs.getFileStatus(path);
      if (!owner.equals(current.getOwner()) || !group.equals(current.getGroup())) {
        fs.setOwner(path, owner.isEmpty() ? null : owner, group.isEmpty() ? null : group);
      }
    }
  }

  /**
   * Principals by name, found once each in the JVM's life (one command, or one task on a
   * cluster): a restore applies the same few owners to every file, and each lookup reads
   * /etc/passwd or /etc/group (getpwnam, getgrnam). At most {@link #MAX_CACHED_PRINCIPALS} of
   * each are kept, whatever names a manifest holds; a name not found is looked up again each
   * time (and fails each time).
   */
  private static final ConcurrentMap<String, UserPrincipal> USERS_BY_NAME = new ConcurrentHashMap<>();
  private static final ConcurrentMap<String, GroupPrincipal> GROUPS_BY_NAME = new ConcurrentHashMap<>();
  static final int MAX_CACHED_PRINCIPALS = 4096;

  private static UserPrincipal user(UserPrincipalLookupService lookup, String name) throws IOException {
    return cached(USERS_BY_NAME, name, lookup::lookupPrincipalByName);
  }

  private static GroupPrincipal group(UserPrincipalLookupService lookup, String name) throws IOException {
    return cached(GROUPS_BY_NAME, name, lookup::lookupPrincipalByGroupName);
  }

  /** A lookup by name that may fail (a name the system does not know). */
  private interface NameLookup<P> {
    P lookup(String name) throws IOException;
  }

  private static <P> P cached(ConcurrentMap<String, P> cache, String name, NameLookup<P> lookup) throws IOException {
    P principal = cache.get(name);
    if (principal == null) {
      principal = lookup.lookup(name);
      if (cache.size() < MAX_CACHED_PRINCIPALS) {
        cache.putIfAbsent(name, principal);
      }
    }
    return principal;
  }

  /**
   * Sets an entry's times; returns false when the local file system holds other times than the
   * ones given (ext4 keeps 1901-12-13 to 2446-05-10 and clamps the others without an error: such
   * times came back silently changed; found by a probe), so that the caller counts them as not
   * applied. Times outside a signed 32-bit count of seconds are read back, whichever way they
   * were set (ext3 and XFS without bigtime stop at 2038, ext4 at 2446).
   */
  public static boolean setTimes(FileSystem fs, Path path, long modificationTime, long accessTime)
      throws IOException {
    if (!isLocal(fs)) {
      fs.setTimes(path, modificationTime, accessTime);
    } else if (jdkSetsExactly(modificationTime) && jdkSetsExactly(accessTime)) {
      Files.getFileAttributeView(local(path), PosixFileAttributeView.class, LinkOption.NOFOLLOW_LINKS)
          .setTimes(FileTime.from(modificationTime, TimeUnit.MILLISECONDS),
              FileTime.from(accessTime, TimeUnit.MILLISECONDS), null);
    } else {
      touch(path, "-m", modificationTime);
      touch(path, "-a", accessTime);
    }
    if (!isLocal(fs) || (heldEverywhere(modificationTime) && heldEverywhere(accessTime))) {
      return true;
    }
    java.nio.file.attribute.BasicFileAttributes now = Files.readAttributes(local(path),
        java.nio.file.attribute.BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
    return millis(now.lastModifiedTime()) == modificationTime && millis(now.lastAccessTime()) == accessTime;
  }

  /**
   * Whether every local file system holds this time: a signed 32-bit count of seconds
   * (1901-12-13 to 2038-01-19; ext3, XFS without bigtime, ext4 with small inodes stop there). Only
   * other times are read back after they are set, so a restore of ordinary times pays no lstat.
   */
  static boolean heldEverywhere(long millis) {
    return millis >= Integer.MIN_VALUE * 1000L && millis <= Integer.MAX_VALUE * 1000L;
  }

  /** The largest time in milliseconds whose nanoseconds a long holds (2262-04-11). */
  private static final long MAX_NANOS_MILLIS = Long.MAX_VALUE / 1_000_000;

  /**
   * Whether the JDK sets this time exactly. It passes times to the kernel in nanoseconds, so it
   * caps a later time at 2262-04-11 (and an earlier one than 1677-09-21), and it splits a negative time that is not a whole second
   * into a negative second and negative nanoseconds, which the kernel refuses; the JDK then sets
   * the epoch instead. Both were restored silently wrong (found by a probe: 1969-12-31T23:59:58.5
   * came back as 1970-01-01, 2446 as 2262).
   */
  static boolean jdkSetsExactly(long millis) {
    return millis < MAX_NANOS_MILLIS && millis > -MAX_NANOS_MILLIS && (millis >= 0 || millis % 1000 == 0);
  }

  /**
   * Sets one time of a local entry (never through a link: {@code -h}) with GNU touch, which takes
   * any time the file system holds as seconds since the epoch with a fraction. A touch that
   * refuses it (another touch, none on the PATH) fails this entry, as any refused time does
   * (a {@link java.nio.file.FileSystemException}: reported, exit 3), not the whole restore.
   */
  private static void touch(Path path, String which, long millis) throws IOException {
    String seconds = java.math.BigDecimal.valueOf(millis, 3).toPlainString();
    try {
      org.apache.hadoop.util.Shell.execCommand("touch", "-h", which, "-d", "@" + seconds, "--",
          local(path).toString());
    } catch (IOException e) {
      throw new java.nio.file.FileSystemException(local(path).toString(), null,
          "cannot set its time to " + seconds + " s since the epoch: " + org.hbackup.common.OneLine.of(e));
    }
  }

  /** The local path of a file: URI, as RawLocalFileSystem maps it (the URI's decoded path). */
  public static java.nio.file.Path local(Path path) {
    return Paths.get(path.toUri().getPath());
  }

  static short toMode(Set<PosixFilePermission> permissions) {
    int mode = 0;
    for (int i = 0; i < BITS.length; i++) {
      if (permissions.contains(BITS[i])) {
        mode |= 1 << i;
      }
    }
    return (short) mode;
  }

  static Set<PosixFilePermission> fromMode(short mode) {
    Set<PosixFilePermission> set = EnumSet.noneOf(PosixFilePermission.class);
    for (int i = 0; i < BITS.length; i++) {
      if ((mode & (1 << i)) != 0) {
        set.add(BITS[i]);
      }
    }
    return set;
  }
}
