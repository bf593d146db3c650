package org.hbackup.backup;

import java.io.FileNotFoundException;
import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;

import org.apache.hadoop.security.AccessControlException;
import org.hbackup.common.OneLine;

/**
 * A failure of reading a source file's bytes, told apart from the failures of writing them into
 * the repository, which the same loop does ({@link ChunkStore#read}): a repository file not found
 * must fail the task, a source file not found since it was opened is a file that vanished. On an
 * object store the object is read by GET requests while it is read, so it can go, be refused or
 * be written again (S3A's change detection: {@code RemoteFileChangedException}) in the middle.
 */
final class SourceReadFailure extends IOException {
  private static final long serialVersionUID = 1L;
  /** Hadoop-aws's exception for an object whose version changed while it was read, by name. */
  private static final String REMOTE_FILE_CHANGED = "org.apache.hadoop.fs.s3a.RemoteFileChangedException";

  private SourceReadFailure(IOException cause) {
    super(cause.getMessage(), cause);
  }

  /** {@code in} with every failure of its reads wrapped as a source read failure. */
  static InputStream tagged(InputStream in) {
    return new FilterInputStream(in) {
      @Override
      public int read() throws IOException {
        try {
          return super.read();
        } catch (IOException e) {
          throw new SourceReadFailure(e);
        }
      }

      @Override
      public int read(byte[] b, int off, int len) throws IOException {
        try {
          return super.read(b, off, len);
        } catch (IOException e) {
          throw new SourceReadFailure(e);
        }
      }

      @Override
      public long skip(long n) throws IOException {
        try {
          return super.skip(n);
        } catch (IOException e) {
          throw new SourceReadFailure(e);
        }
      }
    };
  }

  /** Whether the file (an object) was written again while it was read. */
  boolean replacedWhileRead() {
    for (Throwable t = getCause(); t != null; t = t.getCause()) {
      if (t.getClass().getName().equals(REMOTE_FILE_CHANGED)) {
        return true;
      }
    }
    return false;
  }

  /**
   * What the task makes of it: a file gone since it was opened has vanished, one this user may no
   * longer read is unreadable (both reported, the backup goes on); any other failure fails the
   * task, as before, since it may be the machine's and not the file's.
   */
  IOException asSourceFailure() {
    IOException cause = (IOException) getCause();
    if (cause instanceof FileNotFoundException) {
      return new SourceVanished((FileNotFoundException) cause);
    }
    if (cause instanceof AccessControlException || cause instanceof java.nio.file.AccessDeniedException) {
      return new SourceUnreadable("cannot be read: " + OneLine.of(cause), cause);
    }
    return cause;
  }
}
