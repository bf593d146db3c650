package org.hbackup.restore;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.hbackup.common.manifest.ManifestEntry;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class StagingDefaultsTest {
  @TempDir
  java.nio.file.Path dir;

  private static ManifestEntry file(short mode, String owner, String group) {
    return ManifestEntry.builder(org.hbackup.common.manifest.EntryType.FILE, "a").permission(mode).owner(owner)
        .group(group).fileHash(org.hbackup.common.id.ContentId.of(new byte[0])).build();
  }

  @Test
  void createsWithTheEntrysModeOnlyWhereTheUmaskKeepsItAndNoSpecialBitsAreSet() {
    StagingDefaults hdfs = StagingDefaults.known("alice", "staff", (short) 022);
    assertEquals(0644, hdfs.createMode(file((short) 0644, "alice", "staff")));
    assertEquals(0600, hdfs.createMode(file((short) 0600, "alice", "staff")));
    assertEquals(-1, hdfs.createMode(file((short) 0664, "alice", "staff")), "the umask would take g+w away");
    assertEquals(-1, hdfs.createMode(file((short) 04755, "alice", "staff")), "setuid waits for the owner");
    assertEquals(-1, hdfs.createMode(file((short) 0444, "alice", "staff")), "times are set after writing: u+w first");
    assertEquals(-1, hdfs.createMode(file((short) 0200, "alice", "staff")), "and u+r, for the JDK");
    assertEquals(-1, hdfs.createMode(file((short) 01755, "alice", "staff")));
    assertTrue(hdfs.owns(file((short) 0644, "alice", "staff")));
    assertFalse(hdfs.owns(file((short) 0644, "bob", "staff")));
    assertFalse(hdfs.owns(file((short) 0644, "alice", "wheel")));
  }

  @Test
  void knowsNothingOffHdfs() throws Exception {
    Configuration conf = new Configuration();
    FileSystem local = FileSystem.getLocal(conf);
    StagingDefaults d = StagingDefaults.of(local, new Path(dir.toUri()), conf);
    assertEquals(-1, d.createMode(file((short) 0644, "alice", "staff")));
    assertFalse(d.owns(file((short) 0644, System.getProperty("user.name"), "staff")));
  }
}
