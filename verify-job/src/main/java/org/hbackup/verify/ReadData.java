package org.hbackup.verify;

import java.util.Random;

import org.apache.hadoop.conf.Configuration;
import org.hbackup.common.id.PackId;

/**
 * Which packs a verify reads whole, every blob decoded and hashed: none, all, the N-th of M
 * slices (by pack id, so that M runs with N = 1..M read every pack once, as restic's
 * {@code --read-data-subset N/M}), or a random P% (each pack drawn with that chance).
 */
public record ReadData(Mode mode, int n, int m, double percent, long seed) {
  /** How packs are chosen. */
  public enum Mode { NONE, ALL, SLICE, PERCENT }

  public static final ReadData NONE = new ReadData(Mode.NONE, 0, 0, 0, 0);
  public static final ReadData ALL = new ReadData(Mode.ALL, 0, 0, 100, 0);

  /** Parses {@code N/M} or {@code P%}; refuses anything else. */
  public static ReadData subset(String spec) {
    String s = spec.trim();
    try {
      if (s.endsWith("%")) {
        double p = Double.parseDouble(s.substring(0, s.length() - 1));
        if (p <= 0 || p > 100) {
          throw new IllegalArgumentException();
        }
        return new ReadData(Mode.PERCENT, 0, 0, p, new Random().nextLong());
      }
      int slash = s.indexOf('/');
      int n = Integer.parseInt(s.substring(0, slash));
      int m = Integer.parseInt(s.substring(slash + 1));
      if (m < 1 || n < 1 || n > m) {
        throw new IllegalArgumentException();
      }
      return new ReadData(Mode.SLICE, n, m, 0, 0);
    } catch (RuntimeException e) {
      throw new IllegalArgumentException("--read-data-subset '" + spec + "': give N/M (1 <= N <= M) or P% (0 < P <= 100)");
    }
  }

  /** Whether pack {@code id}'s blobs are read. */
  public boolean reads(PackId id) {
    switch (mode) {
      case ALL:
        return true;
      case SLICE:
        long u32 = Integer.toUnsignedLong(java.nio.ByteBuffer.wrap(id.bytes()).getInt());
        return (u32 * m) >>> 32 == n - 1;
      case PERCENT:
        long h = seed ^ java.nio.ByteBuffer.wrap(id.bytes()).getLong();
        return new Random(h).nextDouble() * 100 < percent;
      default:
        return false;
    }
  }

  public boolean readsAny() {
    return mode != Mode.NONE;
  }

  void writeTo(Configuration conf) {
    conf.set(VerifyConfigKeys.READ_DATA, mode.name());
    conf.setInt(VerifyConfigKeys.SLICE_N, n);
    conf.setInt(VerifyConfigKeys.SLICE_M, m);
    conf.setDouble(VerifyConfigKeys.PERCENT, percent);
    conf.setLong(VerifyConfigKeys.SEED, seed);
  }

  static ReadData readFrom(Configuration conf) {
    return new ReadData(Mode.valueOf(conf.get(VerifyConfigKeys.READ_DATA, "NONE")),
        conf.getInt(VerifyConfigKeys.SLICE_N, 0), conf.getInt(VerifyConfigKeys.SLICE_M, 0),
        conf.getDouble(VerifyConfigKeys.PERCENT, 0), conf.getLong(VerifyConfigKeys.SEED, 0));
  }

  @Override
  public String toString() {
    switch (mode) {
      case ALL:
        return "all data";
      case SLICE:
        return "data slice " + n + "/" + m;
      case PERCENT:
        return percent + "% of the data";
      default:
        return "structure only";
    }
  }
}
