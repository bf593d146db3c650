package org.hbackup.common.io;

import java.io.EOFException;
import java.io.IOException;

import org.hbackup.common.DamageException;
import org.hbackup.common.OneLine;

/**
 * Tells a repository file whose stored bytes cannot be read (damage: a lost HDFS block, a
 * checksum error, a truncation, a disk's I/O error) from a failure of this run (a NameNode that
 * does not answer, a closed file system, an interrupt), so that damage is reported and worked
 * around while other failures still fail the command. HDFS's exceptions are matched by class
 * name: the client library is not a dependency of this module's API.
 */
public final class ReadFailures {
  private ReadFailures() {
  }

  /** The damage {@code e} means for {@code file}, or null when it is not damage. */
  public static DamageException asDamage(IOException e, String file) {
    if (e instanceof DamageException) {
      return (DamageException) e;
    }
    if (isDamage(e)) {
      return new DamageException(file + " cannot be read: " + OneLine.of(e), e);
    }
    return null;
  }

  /** Rethrows {@code e} as damage when it is, as itself otherwise. */
  public static IOException classify(IOException e, String file) {
    DamageException damage = asDamage(e, file);
    return damage != null ? damage : e;
  }

  public static boolean isDamage(IOException e) {
    if (e instanceof EOFException || e instanceof org.apache.hadoop.fs.ChecksumException) {
      return true;
    }
    for (Class<?> c = e.getClass(); c != null; c = c.getSuperclass()) {
      if (c.getName().equals("org.apache.hadoop.hdfs.BlockMissingException")) {
        return true;
      }
    }
    String message = e.getMessage();
    return message != null && message.contains("Input/output error");
  }
}
