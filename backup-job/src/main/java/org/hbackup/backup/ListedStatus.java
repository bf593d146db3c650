package org.hbackup.backup;

import java.io.DataInput;
import java.io.DataOutput;
import java.io.IOException;
import java.util.Set;

import org.apache.hadoop.fs.FileStatus;
import org.apache.hadoop.fs.Path;
import org.apache.hadoop.fs.permission.FsPermission;
import org.apache.hadoop.io.Text;
import org.apache.hadoop.io.Writable;
import org.apache.hadoop.io.WritableUtils;
import org.hbackup.common.io.ChangeStamp;
import org.hbackup.common.io.PosixFiles;

/**
 * A listing record's value: the entry's status as the walk saw it. Written field by field rather
 * than as Hadoop's {@code FileStatus} protobuf, whose encoding and decoding (a protobuf message and
 * a parsed {@link Path} per record) took an eighth of a nothing-changed backup's listing and a
 * fifth of its map tasks' time (JFR); and read into a status whose path is parsed only when asked
 * for, which a file carried over from the base on the local file system never is. Any status is
 * accepted (file systems return subclasses; HDFS's carry block locations, which are not kept).
 * The listing is a file of one backup's own ({@code tmp/<point>.listing}), never a format of the
 * repository.
 */
public final class ListedStatus implements Writable {
  private static final int DIRECTORY = 1;
  private static final int SYMLINK = 2;
  private static final int HAS_ACL = 4;
  private static final int ENCRYPTED = 8;
  private static final int ERASURE_CODED = 16;
  private static final int SNAPSHOT_ENABLED = 32;
  private static final int HAS_IDENTITY = 64;
  /** A local regular file's {@link ChangeStamp}, read with its status. The last bit of the flag byte. */
  private static final int HAS_STAMP = 128;

  private FileStatus status;

  public ListedStatus() {
  }

  public ListedStatus(FileStatus status) {
    this.status = status;
  }

  public FileStatus status() {
    return status;
  }

  public ListedStatus set(FileStatus s) {
    this.status = s;
    return this;
  }

  @Override
  public void write(DataOutput out) throws IOException {
    FileStatus s = status;
    int flags = (s.isDirectory() ? DIRECTORY : 0) | (s.isSymlink() ? SYMLINK : 0) | (s.hasAcl() ? HAS_ACL : 0)
        | (s.isEncrypted() ? ENCRYPTED : 0) | (s.isErasureCoded() ? ERASURE_CODED : 0)
        | (s.isSnapshotEnabled() ? SNAPSHOT_ENABLED : 0);
    String identity = SourceIdentity.of(s);
    flags |= identity != null ? HAS_IDENTITY : 0;
    ChangeStamp stamp = s instanceof ChangeStamp.Carrier ? ((ChangeStamp.Carrier) s).changeStamp() : null;
    flags |= stamp != null ? HAS_STAMP : 0;
    out.writeByte(flags);
    WritableUtils.writeVLong(out, s.getLen());
    WritableUtils.writeVInt(out, s.getReplication());
    WritableUtils.writeVLong(out, s.getBlockSize());
    WritableUtils.writeVLong(out, s.getModificationTime());
    WritableUtils.writeVLong(out, s.getAccessTime());
    out.writeShort(s.getPermission().toShort());
    Text.writeString(out, s.getOwner());
    Text.writeString(out, s.getGroup());
    Text.writeString(out, s.getPath().toString());
    if (s.isSymlink()) {
      Text.writeString(out, PosixFiles.symlinkTarget(s));
    }
    if (identity != null) {
      Text.writeString(out, identity);
    }
    if (stamp != null) {
      WritableUtils.writeVLong(out, stamp.inode());
      WritableUtils.writeVLong(out, stamp.changeNanos());
      WritableUtils.writeVLong(out, stamp.modificationNanos());
    }
  }

  @Override
  public void readFields(DataInput in) throws IOException {
    int flags = in.readByte();
    long length = WritableUtils.readVLong(in);
    short replication = (short) WritableUtils.readVInt(in);
    long blockSize = WritableUtils.readVLong(in);
    long modificationTime = WritableUtils.readVLong(in);
    long accessTime = WritableUtils.readVLong(in);
    FsPermission permission = new FsPermission(in.readShort());
    String owner = Text.readString(in);
    String group = Text.readString(in);
    String path = Text.readString(in);
    String symlink = (flags & SYMLINK) != 0 ? Text.readString(in) : null;
    String identity = (flags & HAS_IDENTITY) != 0 ? Text.readString(in) : null;
    ChangeStamp stamp = (flags & HAS_STAMP) != 0 ? ChangeStamp.of(WritableUtils.readVLong(in),
        WritableUtils.readVLong(in), WritableUtils.readVLong(in)) : null;
    status = new LazyPathStatus(length, (flags & DIRECTORY) != 0, replication, blockSize, modificationTime,
        accessTime, permission, owner, group, symlink, path, FileStatus.attributes((flags & HAS_ACL) != 0,
        (flags & ENCRYPTED) != 0, (flags & ERASURE_CODED) != 0, (flags & SNAPSHOT_ENABLED) != 0), identity, stamp);
  }

  @Override
  public String toString() {
    return String.valueOf(status);
  }

  /**
   * A status whose path is parsed from its string when first asked for, and whose symlink target
   * is the listed text, exactly ({@link PosixFiles#symlinkTarget}).
   */
  static final class LazyPathStatus extends FileStatus
      implements PosixFiles.ExactSymlink, SourceIdentity.Carrier, ChangeStamp.Carrier {
    private static final long serialVersionUID = 1L;
    private final String pathString;
    private final String symlinkText;
    private final String identity;
    private final transient ChangeStamp stamp;
    private Path path;

    LazyPathStatus(long length, boolean directory, short replication, long blockSize, long modificationTime,
        long accessTime, FsPermission permission, String owner, String group, String symlink, String path,
        Set<AttrFlags> attributes, String identity, ChangeStamp stamp) {
      super(length, directory, replication, blockSize, modificationTime, accessTime, permission, owner, group,
          symlink == null ? null : PosixFiles.symlinkPath(symlink), null, attributes);
      this.pathString = path;
      this.symlinkText = symlink;
      this.identity = identity;
      this.stamp = stamp;
    }

    @Override
    public String identity() {
      return identity;
    }

    @Override
    public ChangeStamp changeStamp() {
      return stamp;
    }

    @Override
    public String symlinkText() {
      return symlinkText;
    }

    @Override
    public Path getPath() {
      if (path == null) {
        path = new Path(pathString);
      }
      return path;
    }

    @Override
    public void setPath(Path p) {
      this.path = p;
    }
  }
}
