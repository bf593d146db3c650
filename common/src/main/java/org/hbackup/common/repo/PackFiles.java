package org.hbackup.common.repo;

import java.io.FileNotFoundException;
import java.io.IOException;

import org.apache.hadoop.fs.FSDataInputStream;
import org.apache.hadoop.fs.FileStatus;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.hbackup.common.ChunkNotFoundException;
import org.hbackup.common.DamageException;
import org.hbackup.common.FormatException;
import org.hbackup.common.UnsupportedFormatVersionException;
import org.hbackup.common.io.ReadFailures;
import org.hbackup.common.id.PackId;
import org.hbackup.common.pack.PackReader;

/** Opening a repository's pack by its id, with every way it can fail told apart. */
final class PackFiles {
  private PackFiles() {
  }

  /**
   * Opens pack {@code id} and checks that its header names it. A missing pack is a
   * {@link ChunkNotFoundException}; a damaged one (too short, bad header, unreadable bytes, a
   * flipped version byte that reads as a newer format) a {@link DamageException}; any other
   * failure (of this run, not of the pack) stays an {@link IOException}.
   */
  static PackReader open(Repository repository, PackId id) throws IOException {
    FileSystem fs = repository.fileSystem();
    Path path = repository.layout().pack(id);
    FSDataInputStream in;
    FileStatus status;
    try {
      status = fs.getFileStatus(path);
      in = org.hbackup.common.io.RegularFiles.open(fs, path);
    } catch (FileNotFoundException e) {
      throw new ChunkNotFoundException("pack " + id + " named by the index is missing: " + path);
    }
    try {
      PackReader reader = new PackReader(in, status.getLen(), path.toString());
      if (!reader.id().equals(id)) {
        throw new FormatException(path.toString(), "the pack's header names pack " + reader.id());
      }
      return reader;
    } catch (UnsupportedFormatVersionException e) {
      in.close();
      throw new DamageException("pack " + path + " cannot be read: " + e.getMessage(), e);
    } catch (IOException e) {
      in.close();
      throw ReadFailures.classify(e, path.toString());
    } catch (RuntimeException e) {
      in.close();
      throw e;
    }
  }
}
