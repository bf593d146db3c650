package org.hbackup.backup;

import java.io.DataInput;
import java.io.DataOutput;
import java.io.IOException;

import org.apache.hadoop.io.Text;
import org.apache.hadoop.io.Writable;
import org.apache.hadoop.io.WritableUtils;

/**
 * A listing record's key: the entry's manifest path and, when an HDFS snapshot diff report says
 * the entry was renamed since the base point, the path it had there ({@link #basePath()}), so its
 * content can be carried over from the base point without reading it. A file longer than the
 * range size has one record per range ({@link #rangeIndex()} of {@link #rangeCount()}), so that
 * different map tasks read it.
 */
public final class ListingKey implements Writable {
  private final Text path = new Text();
  private final Text basePath = new Text();
  private boolean renamed;
  private int rangeIndex;
  private int rangeCount = 1;
  private long rangeSize;
  private boolean expectedUnchanged;
  private byte problem;
  private final Text problemReason = new Text();
  /** Setuid (04000) and setgid (02000), which a FileStatus cannot carry: read from the local file system. */
  private short setIdBits;

  /** No problem: the entry was listed as it is. */
  public static final byte LISTED = 0;
  /** A directory whose contents could not be listed: kept, empty, and reported. */
  public static final byte UNLISTABLE = 1;
  /** A FIFO, socket or device: never read as data; reported, not kept. */
  public static final byte SPECIAL = 2;
  /**
   * An entry whose name or symlink target the point cannot record as it is (PosixFiles.UnrecordableStatus):
   * reported, under its directory's path when its name is what cannot be recorded, and not kept.
   */
  public static final byte UNRECORDABLE = 3;

  public ListingKey() {
  }

  public ListingKey(String path, String basePath) {
    set(path, basePath);
  }

  /** A record for range {@code index} of {@code count} ranges of {@code size} bytes. */
  public ListingKey(String path, String basePath, int index, int count, long size) {
    set(path, basePath);
    setRange(index, count, size);
  }

  /** Makes this the record of one range; {@code count} 1 and {@code size} 0 for a whole file. */
  public void setRange(int index, int count, long size) {
    if (count < 1 || index < 0 || index >= count || (count > 1) != (size > 0)) {
      throw new IllegalArgumentException("range " + index + " of " + count + " of " + size + " bytes");
    }
    this.rangeIndex = index;
    this.rangeCount = count;
    this.rangeSize = count > 1 ? size : 0;
  }

  /** Sets the path; {@code basePath} is null, or equal to it, unless the entry was renamed. */
  public void set(String path, String basePath) {
    this.expectedUnchanged = false;
    this.problem = LISTED;
    this.problemReason.clear();
    this.setIdBits = 0;
    this.rangeIndex = 0;
    this.rangeCount = 1;
    this.rangeSize = 0;
    this.path.set(path);
    this.renamed = basePath != null && !basePath.equals(path);
    this.basePath.set(renamed ? basePath : "");
  }

  public String path() {
    return path.toString();
  }

  /** The path the entry had in the base point: another path if it was renamed, else its own. */
  public String basePath() {
    return renamed ? basePath.toString() : path.toString();
  }

  public boolean renamed() {
    return renamed;
  }

  public int rangeIndex() {
    return rangeIndex;
  }

  /** 1 for a file read whole (and for directories and symlinks). */
  public int rangeCount() {
    return rangeCount;
  }

  /** The range size of a file read in ranges; 0 otherwise. */
  public long rangeSize() {
    return rangeSize;
  }

  public boolean isRange() {
    return rangeCount > 1;
  }

  /**
   * Whether the driver expects the file to be carried over unread (the base point has it with
   * the same length and time): a hint for balancing splits, never for deciding what to read.
   */
  public boolean expectedUnchanged() {
    return expectedUnchanged;
  }

  public void setExpectedUnchanged(boolean v) {
    this.expectedUnchanged = v;
  }

  /** {@link #LISTED}, {@link #UNLISTABLE}, {@link #SPECIAL} or {@link #UNRECORDABLE}. */
  public byte problem() {
    return problem;
  }

  /** Why the entry is {@link #UNLISTABLE}, {@link #SPECIAL} or {@link #UNRECORDABLE}. */
  public String problemReason() {
    return problemReason.toString();
  }

  /** The entry's setuid and setgid bits (04000, 02000), which its FileStatus cannot hold. */
  public short setIdBits() {
    return setIdBits;
  }

  public void setSetIdBits(int mode) {
    this.setIdBits = (short) (mode & 06000);
  }

  /** Marks the entry as one the listing could not take as it is, and why. */
  public void setProblem(byte kind, String reason) {
    this.problem = kind;
    this.problemReason.set(reason);
  }

  @Override
  public void write(DataOutput out) throws IOException {
    path.write(out);
    out.writeBoolean(renamed);
    if (renamed) {
      basePath.write(out);
    }
    out.writeBoolean(expectedUnchanged);
    out.writeByte(problem);
    if (problem != LISTED) {
      problemReason.write(out);
    }
    out.writeShort(setIdBits);
    WritableUtils.writeVInt(out, rangeCount);
    if (rangeCount > 1) {
      WritableUtils.writeVInt(out, rangeIndex);
      WritableUtils.writeVLong(out, rangeSize);
    }
  }

  @Override
  public void readFields(DataInput in) throws IOException {
    path.readFields(in);
    renamed = in.readBoolean();
    if (renamed) {
      basePath.readFields(in);
    } else {
      basePath.clear();
    }
    expectedUnchanged = in.readBoolean();
    problem = in.readByte();
    if (problem != LISTED) {
      problemReason.readFields(in);
    } else {
      problemReason.clear();
    }
    setIdBits = in.readShort();
    rangeCount = WritableUtils.readVInt(in);
    rangeIndex = rangeCount > 1 ? WritableUtils.readVInt(in) : 0;
    rangeSize = rangeCount > 1 ? WritableUtils.readVLong(in) : 0;
  }

  @Override
  public String toString() {
    String range = rangeCount > 1 ? " [range " + rangeIndex + " of " + rangeCount + "]" : "";
    return (renamed ? path + " (was " + basePath + ")" : path.toString()) + range;
  }
}
