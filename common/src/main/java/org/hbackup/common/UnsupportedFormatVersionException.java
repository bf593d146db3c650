package org.hbackup.common;

/**
 * A format file whose version this build cannot read. Not damage: a newer hbackup wrote it, so
 * the cure is an upgrade, not a repair.
 */
public class UnsupportedFormatVersionException extends HbackupException {
  private static final long serialVersionUID = 1L;

  public UnsupportedFormatVersionException(String file, String kind, int version, int min, int max) {
    super(file + ": " + kind + " format version " + version + " is not supported (this build reads "
        + min + ".." + max + ")");
  }
}
