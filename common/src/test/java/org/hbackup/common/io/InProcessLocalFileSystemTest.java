package org.hbackup.common.io;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;

import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FSDataInputStream;
import org.apache.hadoop.fs.FSDataOutputStream;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.apache.hadoop.fs.permission.FsPermission;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class InProcessLocalFileSystemTest {
  @TempDir
  java.nio.file.Path dir;

  private FileSystem fs;

  @BeforeEach
  void setUp() throws IOException {
    Configuration conf = new Configuration();
    InProcessLocalFileSystem.preferFor(conf);
    // A new instance, not the JVM's cached file: one, which other tests may have made first.
    fs = FileSystem.newInstance(dir.toUri(), conf);
  }

  @AfterEach
  void tearDown() throws IOException {
    fs.close();
  }

  private int mode(java.nio.file.Path path) throws IOException {
    return (Integer) Files.getAttribute(path, "unix:mode", LinkOption.NOFOLLOW_LINKS) & 07777;
  }

  @Test
  void isWhatFileResolvesToOnceConfigured() {
    assertEquals(InProcessLocalFileSystem.class, fs.getClass());
    assertEquals("file", fs.getUri().getScheme());
  }

  @Test
  void createsFilesAndDirectoriesWithTheAskedPermissionAndTheChecksumSidecar() throws IOException {
    Path file = new Path(dir.resolve("a/b/data.bin").toUri());
    byte[] data = "some bytes".getBytes(StandardCharsets.UTF_8);
    try (FSDataOutputStream out = fs.create(file, new FsPermission((short) 0640), false, 4096, (short) 1,
        fs.getDefaultBlockSize(file), null)) {
      out.write(data);
    }
    assertEquals(0640, mode(dir.resolve("a/b/data.bin")));
    assertTrue(Files.exists(dir.resolve("a/b/.data.bin.crc")), "checksummed like Hadoop's local file system");
    byte[] read = new byte[data.length];
    try (FSDataInputStream in = fs.open(file)) {
      in.readFully(read);
    }
    assertArrayEquals(data, read);

    assertTrue(fs.mkdirs(new Path(dir.resolve("d/e").toUri()), new FsPermission((short) 0750)));
    assertEquals(0750, mode(dir.resolve("d/e")));
    fs.setPermission(file, new FsPermission((short) 0604));
    assertEquals(0604, mode(dir.resolve("a/b/data.bin")));
    assertEquals((short) 0604, fs.getFileStatus(file).getPermission().toShort());
  }

  @Test
  void leavesTheStickyBitToHadoop() throws IOException {
    Path sticky = new Path(dir.resolve("shared").toUri());
    assertTrue(fs.mkdirs(sticky));
    fs.setPermission(sticky, new FsPermission((short) 01777));
    assertEquals(01777, mode(dir.resolve("shared")));
  }

  @Test
  void neverReplacesAnImplementationSomeoneChose() {
    Configuration conf = new Configuration(false);
    conf.set(InProcessLocalFileSystem.IMPL_KEY, "org.apache.hadoop.fs.LocalFileSystem");
    InProcessLocalFileSystem.preferFor(conf);
    assertEquals("org.apache.hadoop.fs.LocalFileSystem", conf.get(InProcessLocalFileSystem.IMPL_KEY));
  }
}
