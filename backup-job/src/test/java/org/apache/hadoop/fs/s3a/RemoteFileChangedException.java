package org.apache.hadoop.fs.s3a;

import java.io.IOException;

/**
 * Stands in for hadoop-aws's exception of the same name (not a dependency of this module), which
 * S3A throws when an object's version changed while it was read: the backup knows it by name.
 */
public class RemoteFileChangedException extends IOException {
  private static final long serialVersionUID = 1L;

  public RemoteFileChangedException(String message) {
    super(message);
  }
}
