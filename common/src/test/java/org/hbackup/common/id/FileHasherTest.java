package org.hbackup.common.id;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;

import java.nio.ByteBuffer;
import java.security.MessageDigest;
import java.util.Arrays;
import java.util.List;
import java.util.Random;

import org.junit.jupiter.api.Test;

class FileHasherTest {

  private static byte[] random(int n) {
    byte[] b = new byte[n];
    new Random(n).nextBytes(b);
    return b;
  }

  private static ContentId streamed(long rangeSize, byte[] data, int piece) {
    FileHasher h = new FileHasher(rangeSize);
    for (int off = 0; off < data.length; off += piece) {
      h.update(data, off, Math.min(piece, data.length - off));
    }
    return h.finish();
  }

  @Test
  void withoutRangesItIsTheSha256OfTheContent() {
    byte[] data = random(100_000);
    assertEquals(ContentId.of(data), streamed(0, data, 777));
  }

  @Test
  void withRangesItHashesTheRangeHashesWhateverThePiecesStreamedIn() throws Exception {
    byte[] data = random(10_000);
    MessageDigest d = MessageDigest.getInstance("SHA-256");
    d.update("hbackup-ranges-v1".getBytes(java.nio.charset.StandardCharsets.US_ASCII));
    d.update(ByteBuffer.allocate(8).putLong(4096).array());
    d.update(ContentId.of(Arrays.copyOfRange(data, 0, 4096)).bytes());
    d.update(ContentId.of(Arrays.copyOfRange(data, 4096, 8192)).bytes());
    d.update(ContentId.of(Arrays.copyOfRange(data, 8192, 10_000)).bytes());
    ContentId expected = ContentId.wrap(d.digest());
    assertEquals(expected, streamed(4096, data, 1000));
    assertEquals(expected, streamed(4096, data, 4096));
    assertEquals(expected, streamed(4096, data, 10_000));
    assertEquals(expected, FileHasher.combine(4096, List.of(ContentId.of(Arrays.copyOfRange(data, 0, 4096)),
        ContentId.of(Arrays.copyOfRange(data, 4096, 8192)), ContentId.of(Arrays.copyOfRange(data, 8192, 10_000)))));
    assertNotEquals(expected, streamed(2048, data, 1000), "the range size is part of the hash");
  }
}
