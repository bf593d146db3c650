package org.hbackup.common.io;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;

import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FSDataOutputStream;
import org.apache.hadoop.fs.FileAlreadyExistsException;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.apache.hadoop.fs.StreamCapabilities;
import org.apache.hadoop.fs.Syncable;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Syncing what is written: {@code hsync} on every stream of the local file system hbackup opens,
 * never on a stream that declares it has none (an object store's), which only gets a flush.
 */
class FileSystemsSyncTest {
  @TempDir
  java.nio.file.Path dir;

  /** An S3A-like stream: Syncable by type, without the capability, failing when synced. */
  private static final class UploadOnClose extends OutputStream implements Syncable, StreamCapabilities {
    final ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    int flushes;

    @Override
    public void write(int b) {
      bytes.write(b);
    }

    @Override
    public void flush() {
      flushes++;
    }

    @Override
    public void hflush() {
      throw new UnsupportedOperationException("hflush");
    }

    @Override
    public void hsync() {
      throw new UnsupportedOperationException("Syncable API not supported");
    }

    @Override
    public boolean hasCapability(String capability) {
      return false;
    }
  }

  @Test
  void streamsWithoutHsyncAreFlushedNotSynced() throws IOException {
    UploadOnClose upload = new UploadOnClose();
    FSDataOutputStream out = new FSDataOutputStream(upload, null);
    out.write(new byte[] {1, 2, 3});
    assertFalse(FileSystems.syncs(out));
    FileSystems.sync(out);
    assertTrue(upload.flushes > 0);
    assertArrayEquals(new byte[] {1, 2, 3}, upload.bytes.toByteArray());
  }

  @Test
  void everyLocalStreamIsSynced() throws IOException {
    Configuration conf = new Configuration();
    FileSystem fs = FileSystems.raw(new Path(dir.toUri()), conf);
    try (FSDataOutputStream created = FileSystems.createOwnerOnly(fs, new Path(dir.resolve("new").toUri()), false);
         FSDataOutputStream replaced = FileSystems.createOwnerOnly(fs, new Path(dir.resolve("any").toUri()), true)) {
      assertTrue(FileSystems.syncs(created), "the exclusive create's channel stream");
      assertTrue(FileSystems.syncs(replaced), "Hadoop's own local stream");
      created.write(7);
      FileSystems.sync(created);
      assertEquals(1, Files.size(dir.resolve("new")), "synced bytes are in the file before close");
    }
  }

  @Test
  void theLocalFileSystemWritesAsideAndRefusesToReplace() throws IOException {
    Configuration conf = new Configuration();
    FileSystem fs = FileSystems.raw(new Path(dir.toUri()), conf);
    Path target = new Path(dir.resolve("config.json").toUri());
    assertFalse(FileSystems.visibleWholeOnClose(fs, target), "a local file is visible while written");
    FileSystems.writeAtomically(fs, target, new byte[] {42}, new Path(dir.resolve("tmp").toUri()));
    assertArrayEquals(new byte[] {42}, Files.readAllBytes(dir.resolve("config.json")));
    assertThrows(FileAlreadyExistsException.class,
        () -> FileSystems.writeAtomically(fs, target, new byte[] {1}, new Path(dir.resolve("tmp").toUri())));
    assertArrayEquals(new byte[] {42}, Files.readAllBytes(dir.resolve("config.json")));
  }

  /**
   * On an object store a small file is written in place, whole or not at all: after a failed
   * write the upload is aborted, never closed (which would publish the part buffered so far).
   */
  @Test
  void anObjectStoreFileIsWrittenInPlaceAndNeverAppearsInPart() throws IOException {
    Configuration conf = new Configuration();
    org.hbackup.common.testing.FaultFileSystem.register(conf);
    conf.setBoolean(org.hbackup.common.testing.FaultFileSystem.OBJECT_STORE, true);
    conf.set(org.hbackup.common.testing.FaultFileSystem.FULL, "broken");
    FileSystem fs = new Path("fault:///").getFileSystem(conf);
    Path scratch = new Path("fault://" + dir.resolve("tmp"));
    Path record = new Path("fault://" + dir.resolve("points/record.json"));
    assertTrue(FileSystems.visibleWholeOnClose(fs, record));
    FileSystems.writeAtomically(fs, record, new byte[] {1, 2, 3}, scratch);
    assertArrayEquals(new byte[] {1, 2, 3}, Files.readAllBytes(dir.resolve("points/record.json")));
    assertFalse(Files.exists(dir.resolve("tmp")), "no scratch copy");
    assertThrows(FileAlreadyExistsException.class, () -> FileSystems.writeAtomically(fs, record, new byte[] {9}, scratch));

    Path broken = new Path("fault://" + dir.resolve("points/broken.json"));
    assertThrows(IOException.class, () -> FileSystems.writeAtomically(fs, broken, new byte[1000], scratch));
    assertFalse(Files.exists(dir.resolve("points/broken.json")), "a failed write publishes nothing");
  }
}
