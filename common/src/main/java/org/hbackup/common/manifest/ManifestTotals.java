package org.hbackup.common.manifest;

/** Counts of a manifest's entries by kind, and the bytes its files hold. */
public final class ManifestTotals {
  private long files;
  private long directories;
  private long symlinks;
  private long bytes;

  public ManifestTotals() {
  }

  public ManifestTotals(long files, long directories, long symlinks, long bytes) {
    this.files = files;
    this.directories = directories;
    this.symlinks = symlinks;
    this.bytes = bytes;
  }

  /** Counts one entry. */
  public void add(ManifestEntry e) {
    switch (e.type()) {
      case FILE:
        files++;
        bytes += e.length();
        break;
      case DIRECTORY:
        directories++;
        break;
      default:
        symlinks++;
        break;
    }
  }

  public long files() {
    return files;
  }

  public long directories() {
    return directories;
  }

  public long symlinks() {
    return symlinks;
  }

  public long bytes() {
    return bytes;
  }

  public long entries() {
    return files + directories + symlinks;
  }
}
