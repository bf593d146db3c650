package org.hbackup.job;

import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.util.Arrays;

import org.apache.hadoop.fs.Path;

/**
 * Where a listing's weight lies, noted by its writer as it appends records, so that the splits
 * can be cut without reading the listing again. Reading it again deserializes every record
 * (a FileStatus is a protocol buffer): 0.5-0.6 s of a backup of 44k files whose other steps
 * found nothing to do.
 *
 * <p>A mark is (position after a record, weight of the listing up to there). At most
 * {@link #MAX_MARKS} are kept: when they fill up, every other one is dropped and a mark is taken
 * only every twice as much weight. So memory is bounded, whatever the listing's size, and a split
 * cut at marks weighs more than asked by at most the gap between two marks, about
 * {@code total / (MAX_MARKS / 2)}, or one record, if that weighs more. The marks
 * only balance the splits: the splits tile the listing's bytes whatever the marks say, and a
 * SequenceFile reader reads each record of a tiling exactly once, so marks that are wrong, stale
 * or missing cost balance, never a record.
 *
 * <p>The file ({@code <listing>.weights}) is a scratch file beside the listing, deleted with it:
 * a magic, the listing's length, its total weight, the number of marks, then the marks.
 */
public final class WeightMarks {
  static final int MAX_MARKS = 4096;
  private static final int MAGIC = 0x48425731; // "HBW1"

  private final long[] positions = new long[MAX_MARKS];
  private final long[] weights = new long[MAX_MARKS];
  private int count;
  private long step = 1;
  private long total;
  private long nextMark = step;

  /** The marks file of {@code listing}. */
  public static Path of(Path listing) {
    return new Path(listing.getParent(), listing.getName() + ".weights");
  }

  /** Notes a record of {@code weight} that ends at {@code positionAfter} in the listing. */
  public void add(long positionAfter, long weight) {
    total += weight;
    if (total < nextMark) {
      return;
    }
    if (count == MAX_MARKS) {
      thin();
    }
    positions[count] = positionAfter;
    weights[count] = total;
    count++;
    nextMark = total + step;
  }

  /**
   * Keeps every other mark, and from now on marks as far apart as the kept ones are on average
   * (at least twice as far as before), so that old and new marks are about as dense.
   */
  private void thin() {
    int kept = 0;
    for (int i = 1; i < count; i += 2) {
      positions[kept] = positions[i];
      weights[kept] = weights[i];
      kept++;
    }
    count = kept;
    step = Math.max(step * 2, total / count);
  }

  /** Writes the marks of a listing of {@code listingLength} bytes. */
  public void write(OutputStream out, long listingLength) throws IOException {
    DataOutputStream data = new DataOutputStream(out);
    data.writeInt(MAGIC);
    data.writeLong(listingLength);
    data.writeLong(total);
    data.writeInt(count);
    for (int i = 0; i < count; i++) {
      data.writeLong(positions[i]);
      data.writeLong(weights[i]);
    }
    data.flush();
  }

  /** Marks read back: ascending positions and weights, within the listing. */
  static final class Read {
    final long[] positions;
    final long[] weights;
    final long total;

    private Read(long[] positions, long[] weights, long total) {
      this.positions = positions;
      this.weights = weights;
      this.total = total;
    }
  }

  /**
   * The marks in {@code in}, or null unless they describe a listing of exactly
   * {@code listingLength} bytes whose records start at {@code firstRecord} and are consistent
   * (positions and weights ascending, none outside the listing).
   */
  static Read read(InputStream in, long firstRecord, long listingLength) throws IOException {
    DataInputStream data = new DataInputStream(in);
    if (data.readInt() != MAGIC || data.readLong() != listingLength) {
      return null;
    }
    long total = data.readLong();
    int count = data.readInt();
    if (total < 0 || count < 0 || count > MAX_MARKS) {
      return null;
    }
    long[] positions = new long[count];
    long[] weights = new long[count];
    long lastPosition = firstRecord;
    long lastWeight = 0;
    for (int i = 0; i < count; i++) {
      positions[i] = data.readLong();
      weights[i] = data.readLong();
      if (positions[i] <= lastPosition || positions[i] > listingLength || weights[i] < lastWeight
          || weights[i] > total) {
        return null;
      }
      lastPosition = positions[i];
      lastWeight = weights[i];
    }
    return new Read(positions, weights, total);
  }

  @Override
  public String toString() {
    return count + " marks every " + step + " of " + total + ": "
        + Arrays.toString(Arrays.copyOf(positions, Math.min(count, 4))) + "...";
  }
}
