package org.hbackup.common.manifest;

import java.util.Collections;
import java.util.List;
import java.util.Objects;

import org.hbackup.common.id.ContentId;

/**
 * One file, directory or symlink of a recovery point: its metadata, and for a file its whole-file
 * SHA-256 and chunk list. Immutable; built with {@link #builder(EntryType, String)}.
 */
public final class ManifestEntry {
  private final EntryType type;
  private final String path;
  private final long length;
  private final short permission;
  private final String owner;
  private final String group;
  private final long modificationTime;
  private final long accessTime;
  private final short replication;
  private final long blockSize;
  private final ContentId fileHash;
  private final List<ChunkRef> chunks;
  private final String symlinkTarget;
  private final SourceChecksum sourceChecksum;
  private final long rangeSize;
  private final EntryAttributes attributes;

  private ManifestEntry(Builder b) {
    this.type = b.type;
    this.path = b.path;
    this.length = b.length;
    this.permission = b.permission;
    this.owner = b.owner;
    this.group = b.group;
    this.modificationTime = b.modificationTime;
    this.accessTime = b.accessTime;
    this.replication = b.replication;
    this.blockSize = b.blockSize;
    this.fileHash = b.fileHash;
    this.chunks = b.chunks == null ? List.of() : Collections.unmodifiableList(b.chunks);
    this.symlinkTarget = b.symlinkTarget;
    this.sourceChecksum = b.sourceChecksum;
    this.rangeSize = b.rangeSize;
    this.attributes = b.attributes;
  }

  public static Builder builder(EntryType type, String path) {
    return new Builder(type, path);
  }

  /** A builder holding every field of this entry, under another path and type. */
  public Builder toBuilder(EntryType newType, String newPath) {
    Builder b = new Builder(newType, newPath).length(length).permission(permission).owner(owner).group(group)
        .modificationTime(modificationTime).accessTime(accessTime).replication(replication).blockSize(blockSize)
        .attributes(attributes);
    if (newType == type) {
      b.fileHash(fileHash).chunks(chunks).symlinkTarget(symlinkTarget).sourceChecksum(sourceChecksum)
          .rangeSize(rangeSize);
    }
    return b;
  }

  public EntryType type() {
    return type;
  }

  public String path() {
    return path;
  }

  public long length() {
    return length;
  }

  /**
   * POSIX mode bits: permission (0777), sticky (01000), and from segment version 3 setuid
   * (04000) and setgid (02000), which Hadoop's {@code FsPermission} does not hold.
   */
  public short permission() {
    return permission;
  }

  public String owner() {
    return owner;
  }

  public String group() {
    return group;
  }

  public long modificationTime() {
    return modificationTime;
  }

  public long accessTime() {
    return accessTime;
  }

  public short replication() {
    return replication;
  }

  public long blockSize() {
    return blockSize;
  }

  /** SHA-256 of the whole file; null for directories and symlinks. */
  public ContentId fileHash() {
    return fileHash;
  }

  public List<ChunkRef> chunks() {
    return chunks;
  }

  public String symlinkTarget() {
    return symlinkTarget;
  }

  /** The source file system's checksum of a file when it was backed up; null when there was none. */
  public SourceChecksum sourceChecksum() {
    return sourceChecksum;
  }

  /**
   * The size of the ranges a large file was backed up in (its {@link #fileHash()} then combines
   * the ranges' hashes, see {@link org.hbackup.common.id.FileHasher}); 0 for a file read whole.
   */
  public long rangeSize() {
    return rangeSize;
  }

  /** ACL entries and extended attributes (segment version 3); none for entries of earlier versions. */
  public EntryAttributes attributes() {
    return attributes;
  }

  public boolean isFile() {
    return type == EntryType.FILE;
  }

  public boolean isDirectory() {
    return type == EntryType.DIRECTORY;
  }

  @Override
  public boolean equals(Object o) {
    if (!(o instanceof ManifestEntry)) {
      return false;
    }
    ManifestEntry e = (ManifestEntry) o;
    return type == e.type && path.equals(e.path) && length == e.length && permission == e.permission
        && owner.equals(e.owner) && group.equals(e.group) && modificationTime == e.modificationTime
        && accessTime == e.accessTime && replication == e.replication && blockSize == e.blockSize
        && Objects.equals(fileHash, e.fileHash) && chunks.equals(e.chunks)
        && Objects.equals(symlinkTarget, e.symlinkTarget) && Objects.equals(sourceChecksum, e.sourceChecksum)
        && rangeSize == e.rangeSize && attributes.equals(e.attributes);
  }

  @Override
  public int hashCode() {
    return Objects.hash(type, path, length, modificationTime);
  }

  @Override
  public String toString() {
    return type + " " + path + " (" + length + " bytes)";
  }

  /** Builds entries; fields left unset take neutral values (empty owner, zero times). */
  public static final class Builder {
    private final EntryType type;
    private final String path;
    private long length;
    private short permission;
    private String owner = "";
    private String group = "";
    private long modificationTime;
    private long accessTime;
    private short replication;
    private long blockSize;
    private ContentId fileHash;
    private List<ChunkRef> chunks;
    private String symlinkTarget;
    private SourceChecksum sourceChecksum;
    private long rangeSize;
    private EntryAttributes attributes = EntryAttributes.NONE;

    private Builder(EntryType type, String path) {
      this.type = Objects.requireNonNull(type, "type");
      this.path = Objects.requireNonNull(path, "path");
    }

    public Builder length(long v) {
      this.length = v;
      return this;
    }

    public Builder permission(short v) {
      this.permission = v;
      return this;
    }

    public Builder owner(String v) {
      this.owner = v == null ? "" : v;
      return this;
    }

    public Builder group(String v) {
      this.group = v == null ? "" : v;
      return this;
    }

    public Builder modificationTime(long v) {
      this.modificationTime = v;
      return this;
    }

    public Builder accessTime(long v) {
      this.accessTime = v;
      return this;
    }

    public Builder replication(short v) {
      this.replication = v;
      return this;
    }

    public Builder blockSize(long v) {
      this.blockSize = v;
      return this;
    }

    public Builder fileHash(ContentId v) {
      this.fileHash = v;
      return this;
    }

    public Builder chunks(List<ChunkRef> v) {
      this.chunks = v;
      return this;
    }

    public Builder symlinkTarget(String v) {
      this.symlinkTarget = v;
      return this;
    }

    public Builder sourceChecksum(SourceChecksum v) {
      this.sourceChecksum = v;
      return this;
    }

    public Builder rangeSize(long v) {
      this.rangeSize = v;
      return this;
    }

    public Builder attributes(EntryAttributes v) {
      this.attributes = v == null ? EntryAttributes.NONE : v;
      return this;
    }

    public ManifestEntry build() {
      String problem = RelativePaths.problem(path);
      if (problem != null) {
        throw new IllegalArgumentException("bad manifest path '" + path + "': " + problem);
      }
      if (type == EntryType.FILE && fileHash == null) {
        throw new IllegalArgumentException("file entry without a file hash: " + path);
      }
      if (rangeSize != 0 && (type != EntryType.FILE || rangeSize < 0 || length <= rangeSize)) {
        throw new IllegalArgumentException("range size " + rangeSize + " on " + type + " " + path
            + " of " + length + " bytes: only a file longer than its range size is backed up in ranges");
      }
      if (type != EntryType.FILE && sourceChecksum != null) {
        throw new IllegalArgumentException("only a file has a source checksum: " + path);
      }
      if (type == EntryType.SYMLINK && symlinkTarget == null) {
        throw new IllegalArgumentException("symlink entry without a target: " + path);
      }
      return new ManifestEntry(this);
    }
  }
}
