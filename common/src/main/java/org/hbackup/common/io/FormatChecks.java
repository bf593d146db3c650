package org.hbackup.common.io;

import java.io.DataInput;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;

import org.hbackup.common.FormatException;
import org.hbackup.common.UnsupportedFormatVersionException;

/** The one place where binary format files check their magic and version (docs/FORMAT.md). */
public final class FormatChecks {
  private FormatChecks() {
  }

  public static byte[] magic(String fourLetters) {
    byte[] m = fourLetters.getBytes(StandardCharsets.US_ASCII);
    if (m.length != 4) {
      throw new IllegalArgumentException(fourLetters);
    }
    return m;
  }

  /** Reads magic and version at the start of a file and checks both. Returns the version. */
  public static int readHeader(DataInput in, byte[] magic, String kind, String file, int min, int max)
      throws IOException {
    byte[] actual = new byte[magic.length];
    try {
      in.readFully(actual);
    } catch (java.io.EOFException e) {
      throw new FormatException(file, "too short to be a " + kind, e);
    }
    if (!Arrays.equals(actual, magic)) {
      throw new FormatException(file, "not a " + kind + " (bad magic)");
    }
    int version = in.readUnsignedShort();
    checkVersion(file, kind, version, min, max);
    return version;
  }

  public static void checkVersion(String file, String kind, int version, int min, int max)
      throws UnsupportedFormatVersionException {
    if (version < min || version > max) {
      throw new UnsupportedFormatVersionException(file, kind, version, min, max);
    }
  }
}
