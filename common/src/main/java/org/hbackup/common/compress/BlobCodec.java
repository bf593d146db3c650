package org.hbackup.common.compress;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.Closeable;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;

import com.github.luben.zstd.Zstd;
import com.github.luben.zstd.ZstdCompressCtx;
import com.github.luben.zstd.ZstdDecompressCtx;
import com.google.common.io.ByteStreams;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.io.compress.CompressionCodec;
import org.apache.hadoop.io.compress.Lz4Codec;
import org.apache.hadoop.io.compress.SnappyCodec;
import org.apache.hadoop.util.ReflectionUtils;
import org.hbackup.common.id.ContentId;

/**
 * Encodes chunks into blobs ({@code method byte || payload}) and back. Zstandard goes through
 * zstd-jni because Hadoop's own ZStandardCodec needs libhadoop; LZ4 and Snappy are written through
 * Hadoop's codecs (no libhadoop needed since 3.3) and read by {@link BlockStreams}, which checks
 * every length a hostile blob gives. Not thread-safe: one per task thread.
 */
public final class BlobCodec implements Closeable {
  private final Compression method;
  private final ZstdCompressCtx zstdCompress;
  private final ZstdDecompressCtx zstdDecompress = new ZstdDecompressCtx();
  private final CompressionCodec lz4;
  private final CompressionCodec snappy;
  private byte[] scratch = new byte[0];
  private byte[] decoded = new byte[0];
  private int encodedLength;

  public BlobCodec(Compression method, int zstdLevel, Configuration conf) {
    this.method = method;
    this.zstdCompress = new ZstdCompressCtx();
    zstdCompress.setLevel(zstdLevel);
    this.lz4 = ReflectionUtils.newInstance(Lz4Codec.class, conf);
    this.snappy = ReflectionUtils.newInstance(SnappyCodec.class, conf);
  }

  /**
   * Encodes {@code data[offset..offset+length)} as a blob. The result is valid until the next call;
   * its length is {@link #encodedLength()}. Falls back to {@link Compression#NONE} when the
   * method does not make the chunk smaller, so incompressible data costs one byte, not a bloat.
   */
  public byte[] encode(byte[] data, int offset, int length) throws IOException {
    int bound = 1 + (int) Math.max(Zstd.compressBound(length), length + length / 16 + 1024);
    if (scratch.length < bound) {
      scratch = new byte[bound];
    }
    int payload = -1;
    switch (method) {
      case ZSTD:
        payload = zstdCompress.compressByteArray(scratch, 1, scratch.length - 1, data, offset, length);
        break;
      case LZ4:
        payload = compressWithCodec(lz4, data, offset, length);
        break;
      case SNAPPY:
        payload = compressWithCodec(snappy, data, offset, length);
        break;
      case NONE:
      default:
        break;
    }
    if (payload >= 0 && payload < length) {
      scratch[0] = (byte) method.code();
      encodedLength = 1 + payload;
    } else {
      scratch[0] = (byte) Compression.NONE.code();
      System.arraycopy(data, offset, scratch, 1, length);
      encodedLength = 1 + length;
    }
    return scratch;
  }

  public int encodedLength() {
    return encodedLength;
  }

  private int compressWithCodec(CompressionCodec codec, byte[] data, int offset, int length)
      throws IOException {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream(length / 2 + 64);
    try (OutputStream out = codec.createOutputStream(bytes)) {
      out.write(data, offset, length);
    }
    if (bytes.size() >= length || bytes.size() + 1 > scratch.length) {
      return -1;
    }
    System.arraycopy(bytes.toByteArray(), 0, scratch, 1, bytes.size());
    return bytes.size();
  }

  /** Decodes a blob into exactly {@code rawLength} bytes. */
  public byte[] decode(byte[] blob, int offset, int length, int rawLength) throws IOException {
    if (length < 1) {
      throw new IOException("empty blob");
    }
    Compression blobMethod = Compression.ofCode(blob[offset] & 0xff);
    byte[] out = new byte[rawLength];
    switch (blobMethod) {
      case NONE:
        if (length - 1 != rawLength) {
          throw new IOException("stored blob holds " + (length - 1) + " bytes, expected " + rawLength);
        }
        System.arraycopy(blob, offset + 1, out, 0, rawLength);
        return out;
      case ZSTD:
        int n = zstdDecompress.decompressByteArray(out, 0, rawLength, blob, offset + 1, length - 1);
        if (n != rawLength) {
          throw new IOException("zstd blob decoded to " + n + " bytes, expected " + rawLength);
        }
        return out;
      case LZ4:
      case SNAPPY:
        BlockStreams.decode(blobMethod, blob, offset + 1, offset + length, out);
        return out;
      default:
        throw new IOException("unknown blob method " + blobMethod);
    }
  }

  /**
   * The SHA-256 of what a blob decodes to, which must be exactly {@code rawLength} bytes: what a
   * check needs, without the copy of {@link #decode}. A stored blob is hashed where it lies; a
   * compressed one is decoded into a buffer this codec keeps.
   */
  public ContentId decodedId(byte[] blob, int offset, int length, int rawLength) throws IOException {
    if (length < 1) {
      throw new IOException("empty blob");
    }
    Compression blobMethod = Compression.ofCode(blob[offset] & 0xff);
    switch (blobMethod) {
      case NONE:
        if (length - 1 != rawLength) {
          throw new IOException("stored blob holds " + (length - 1) + " bytes, expected " + rawLength);
        }
        return ContentId.of(blob, offset + 1, rawLength);
      case ZSTD:
        if (decoded.length < rawLength) {
          decoded = new byte[Math.max(rawLength, decoded.length * 2)];
        }
        int n = zstdDecompress.decompressByteArray(decoded, 0, rawLength, blob, offset + 1, length - 1);
        if (n != rawLength) {
          throw new IOException("zstd blob decoded to " + n + " bytes, expected " + rawLength);
        }
        return ContentId.of(decoded, 0, rawLength);
      default:
        return ContentId.of(decode(blob, offset, length, rawLength));
    }
  }

  @Override
  public void close() {
    zstdCompress.close();
    zstdDecompress.close();
  }
}
