package org.hbackup.backup;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayInputStream;
import java.io.FileNotFoundException;
import java.io.IOException;
import java.io.InputStream;

import org.apache.hadoop.fs.s3a.RemoteFileChangedException;
import org.junit.jupiter.api.Test;

class SourceReadFailureTest {
  /** A stream that gives {@code good} bytes and then fails with {@code failure}. */
  private static InputStream failingAfter(int good, IOException failure) {
    return new InputStream() {
      private int read;

      @Override
      public int read() throws IOException {
        if (read++ < good) {
          return 7;
        }
        throw failure;
      }
    };
  }

  private static SourceReadFailure failureOf(IOException cause) throws IOException {
    InputStream in = SourceReadFailure.tagged(failingAfter(3, cause));
    byte[] buffer = new byte[10];
    return assertThrows(SourceReadFailure.class, () -> {
      while (in.read(buffer, 0, buffer.length) >= 0) {
        continue;
      }
    });
  }

  @Test
  void aReadOfTheSourceThatFailsIsToldApartByWhatFailed() throws IOException {
    SourceReadFailure changed = failureOf(new IOException("GET failed",
        new RemoteFileChangedException("s3a://b/k: ETag changed")));
    assertTrue(changed.replacedWhileRead(), "known by the S3A exception's name, also as a cause");

    SourceReadFailure gone = failureOf(new FileNotFoundException("s3a://b/k"));
    assertFalse(gone.replacedWhileRead());
    assertInstanceOf(SourceVanished.class, gone.asSourceFailure());

    SourceReadFailure refused = failureOf(new java.nio.file.AccessDeniedException("s3a://b/k"));
    assertInstanceOf(SourceUnreadable.class, refused.asSourceFailure());

    IOException disk = new IOException("Input/output error");
    assertSame(disk, failureOf(disk).asSourceFailure(), "any other failure fails the task, as before");
  }

  @Test
  void aTaggedStreamPassesItsBytesThrough() throws IOException {
    InputStream in = SourceReadFailure.tagged(new ByteArrayInputStream(new byte[] {1, 2, 3}));
    assertEquals(1, in.read());
    byte[] rest = new byte[4];
    assertEquals(2, in.read(rest, 0, 4));
    assertEquals(-1, in.read());
  }
}
