package org.hbackup.restore;

import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;

import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.hbackup.common.testing.FaultFileSystem;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class RestoreTargetTest {
  @TempDir
  java.nio.file.Path dir;

  /**
   * On a file system other than the local one (HDFS), a link target Hadoop's Path cannot hold, or
   * would rewrite, refuses that entry: before, "a:b" ended the reducer (IllegalArgumentException)
   * after all the data was written, and "x/../y" became a link to "y".
   */
  @Test
  void aLinkTargetThePathClassCannotKeepAsItIsRefusesTheEntryOnly() throws IOException {
    Configuration conf = new Configuration();
    FaultFileSystem.register(conf);
    Path root = new Path(FaultFileSystem.SCHEME + ":" + dir);
    FileSystem fs = root.getFileSystem(conf);
    RestoreTarget target = new RestoreTarget(fs, root, false);
    for (String linkTarget : new String[] {"a:b", "x/../y", "x//y"}) {
      UnsafeTargetException e = assertThrows(UnsafeTargetException.class,
          () -> target.createSymlink(linkTarget, new Path(root, "aside"), "link"));
      assertTrue(e.getMessage().contains(linkTarget), e.getMessage());
    }
  }
}
