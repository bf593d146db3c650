package org.hbackup.common.pack;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;

import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.hbackup.common.FormatException;
import org.hbackup.common.compress.BlobCodec;
import org.hbackup.common.compress.Compression;
import org.hbackup.common.id.ContentId;
import org.hbackup.common.id.PackId;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

class PackRoundTripTest {
  @TempDir
  java.nio.file.Path dir;

  private final Configuration conf = new Configuration();

  @ParameterizedTest
  @EnumSource(Compression.class)
  void readsBackEveryBlobWithEachCompression(Compression method) throws IOException {
    FileSystem fs = FileSystem.getLocal(conf).getRawFileSystem();
    Path file = new Path(dir.toUri().toString(), "p.pack");
    List<byte[]> chunks = new ArrayList<>();
    Random random = new Random(7);
    for (int i = 0; i < 5; i++) {
      byte[] c = new byte[10_000 + i * 3000];
      if (i % 2 == 0) {
        random.nextBytes(c);
      } else {
        java.util.Arrays.fill(c, (byte) ('a' + i));
      }
      chunks.add(c);
    }
    PackId id = PackId.random();
    List<PackEntry> written = new ArrayList<>();
    try (BlobCodec codec = new BlobCodec(method, 1, conf); OutputStream out = fs.create(file)) {
      PackWriter writer = new PackWriter(id, out);
      for (byte[] c : chunks) {
        byte[] blob = codec.encode(c, 0, c.length);
        written.add(writer.add(ContentId.of(c), blob, 0, codec.encodedLength(), c.length));
      }
      writer.close();
    }
    try (BlobCodec codec = new BlobCodec(method, 1, conf);
         PackReader reader = new PackReader(fs.open(file), fs.getFileStatus(file).getLen(), file.toString())) {
      assertEquals(id, reader.id());
      List<PackEntry> trailer = reader.entries();
      assertEquals(chunks.size(), trailer.size());
      for (int i = 0; i < chunks.size(); i++) {
        PackEntry e = trailer.get(i);
        assertEquals(written.get(i).offset(), e.offset());
        assertEquals(ContentId.of(chunks.get(i)), e.chunkId());
        byte[] blob = reader.readBlob(e.offset(), e.storedLength());
        assertArrayEquals(chunks.get(i), codec.decode(blob, 0, blob.length, e.rawLength()));
        // The check path: into a reused buffer larger than the blob, hashed without a copy.
        byte[] buffer = new byte[e.storedLength() + 100];
        reader.readBlob(e.offset(), e.storedLength(), buffer);
        assertEquals(e.chunkId(), codec.decodedId(buffer, 0, e.storedLength(), e.rawLength()));
        int wrongLength = e.rawLength() + 1;
        org.junit.jupiter.api.Assertions.assertThrows(IOException.class,
            () -> codec.decodedId(buffer, 0, e.storedLength(), wrongLength), "a raw length that lies is refused");
        if (method != Compression.NONE && i % 2 == 1) {
          assertEquals(method.code(), blob[0], "compressible chunk stored with " + method);
        }
        if (i % 2 == 0) {
          assertEquals(Compression.NONE.code(), blob[0], "random chunk stored raw");
        }
      }
    }
  }

  @ParameterizedTest
  @EnumSource(value = Compression.class, names = {"ZSTD"})
  void detectsADamagedTrailer(Compression method) throws IOException {
    FileSystem fs = FileSystem.getLocal(conf).getRawFileSystem();
    Path file = new Path(dir.toUri().toString(), "d.pack");
    byte[] c = new byte[1000];
    try (OutputStream out = fs.create(file)) {
      PackWriter writer = new PackWriter(PackId.random(), out);
      writer.add(ContentId.of(c), c, 0, c.length, c.length);
      writer.close();
    }
    java.nio.file.Path local = dir.resolve("d.pack");
    byte[] bytes = Files.readAllBytes(local);
    bytes[bytes.length - 60] ^= 1;
    Files.write(local, bytes, StandardOpenOption.TRUNCATE_EXISTING);
    try (PackReader reader = new PackReader(fs.open(file), bytes.length, file.toString())) {
      assertThrows(FormatException.class, reader::entries);
    }
  }

  /** A pack that does not open gives its stream back closed: handed over in one expression, nobody else can. */
  @org.junit.jupiter.api.Test
  void aPackThatDoesNotOpenClosesItsStream(@org.junit.jupiter.api.io.TempDir java.nio.file.Path tmp)
      throws java.io.IOException {
    java.nio.file.Path file = tmp.resolve("short.pack");
    java.nio.file.Files.write(file, new byte[] {1, 2, 3});
    org.apache.hadoop.fs.FileSystem fs = org.apache.hadoop.fs.FileSystem.getLocal(
        new org.apache.hadoop.conf.Configuration()).getRawFileSystem();
    org.apache.hadoop.fs.FSDataInputStream in = fs.open(new org.apache.hadoop.fs.Path(file.toUri()));
    org.junit.jupiter.api.Assertions.assertThrows(org.hbackup.common.FormatException.class,
        () -> new PackReader(in, 3, file.toString()));
    org.junit.jupiter.api.Assertions.assertThrows(java.io.IOException.class, in::read, "the stream is closed");
  }

  /**
   * A footer whose trailer fits the file but not an array (a sparse file of 2.4 GB here) is
   * damage named with the pack; before, the cast to int made a negative array size.
   */
  @org.junit.jupiter.api.Test
  void aTrailerTooLargeToHoldIsDamageNotACrash() throws IOException {
    FileSystem fs = FileSystem.getLocal(conf).getRawFileSystem();
    Path file = new Path(dir.toUri().toString(), "huge.pack");
    try (OutputStream out = fs.create(file)) {
      new PackWriter(PackId.random(), out).close();
    }
    byte[] header = java.util.Arrays.copyOf(Files.readAllBytes(dir.resolve("huge.pack")), PackFormat.HEADER_LENGTH);
    int count = 50_000_000;
    long length = PackFormat.HEADER_LENGTH + (long) count * PackFormat.TRAILER_ROW_LENGTH + PackFormat.FOOTER_LENGTH;
    java.nio.ByteBuffer footer = java.nio.ByteBuffer.allocate(PackFormat.FOOTER_LENGTH);
    footer.putInt(count).putLong(PackFormat.HEADER_LENGTH).put(new byte[32]).put(PackFormat.MAGIC);
    try (java.io.RandomAccessFile raf = new java.io.RandomAccessFile(dir.resolve("huge.pack").toFile(), "rw")) {
      raf.setLength(0);
      raf.write(header);
      raf.setLength(length);
      raf.seek(length - PackFormat.FOOTER_LENGTH);
      raf.write(footer.array());
    }
    try (PackReader reader = new PackReader(fs.open(file), length, "packs/huge.pack")) {
      FormatException e = assertThrows(FormatException.class, reader::entries);
      org.junit.jupiter.api.Assertions.assertTrue(e.getMessage().contains("packs/huge.pack")
          && e.getMessage().contains("larger than a reader holds"), e.getMessage());
    }
  }
}
