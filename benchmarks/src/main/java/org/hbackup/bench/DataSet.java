package org.hbackup.bench;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Random;

/**
 * The mixed data set of the end-to-end benchmark: many small files, large random (incompressible)
 * files and compressible logs, in the proportions a Hadoop data directory tends to have.
 */
final class DataSet {
  private DataSet() {
  }

  /** Writes about {@code totalBytes} under {@code root}; returns the bytes written. */
  static long generate(Path root, long totalBytes) throws IOException {
    Random random = new Random(20261124L);
    long written = 0;
    // 5%: small files of 1-16 KiB, 100 to a directory.
    long smallBudget = totalBytes / 20;
    int i = 0;
    while (written < smallBudget) {
      byte[] b = new byte[1024 + random.nextInt(15 * 1024)];
      random.nextBytes(b);
      Path p = root.resolve("small/part-" + (i / 100)).resolve("f-" + i + ".dat");
      write(p, b);
      written += b.length;
      i++;
    }
    // 55%: large random files of 128 MiB (the last one shorter).
    long randomBudget = written + totalBytes * 55 / 100;
    byte[] block = new byte[4 << 20];
    int n = 0;
    while (written < randomBudget) {
      long size = Math.min(128L << 20, randomBudget - written);
      try (OutputStream out = Files.newOutputStream(mkdirs(root.resolve("large/random-" + n++ + ".bin")))) {
        for (long left = size; left > 0; left -= block.length) {
          random.nextBytes(block);
          out.write(block, 0, (int) Math.min(block.length, left));
        }
      }
      written += size;
    }
    // 40%: logs of 32 MiB that compress like real ones (repeated structure, varying fields).
    n = 0;
    String[] levels = {"INFO", "WARN", "DEBUG", "ERROR"};
    String[] classes = {"DataNode", "FSNamesystem", "BlockManager", "ShuffleHandler", "ContainerLaunch"};
    while (written < totalBytes) {
      long size = Math.min(32L << 20, totalBytes - written);
      try (OutputStream out = new java.io.BufferedOutputStream(
          Files.newOutputStream(mkdirs(root.resolve("logs/app-" + n++ + ".log"))), 1 << 20)) {
        long left = size;
        long t = 1_700_000_000_000L;
        while (left > 0) {
          t += random.nextInt(50);
          String line = t + " " + levels[random.nextInt(4)] + " " + classes[random.nextInt(5)]
              + ": block blk_" + random.nextInt(1_000_000) + " replicated to 10.0." + random.nextInt(256)
              + "." + random.nextInt(256) + ":9866 in " + random.nextInt(1000) + " ms\n";
          byte[] bytes = line.getBytes(StandardCharsets.US_ASCII);
          int len = (int) Math.min(bytes.length, left);
          out.write(bytes, 0, len);
          left -= len;
        }
      }
      written += size;
    }
    return written;
  }

  private static Path mkdirs(Path file) throws IOException {
    Files.createDirectories(file.getParent());
    return file;
  }

  private static void write(Path file, byte[] data) throws IOException {
    Files.write(mkdirs(file), data);
  }
}
