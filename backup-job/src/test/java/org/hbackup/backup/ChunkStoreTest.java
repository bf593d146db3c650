package org.hbackup.backup;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.file.Files;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;

import com.google.common.hash.Hashing;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.Path;
import org.apache.hadoop.mapreduce.TaskAttemptID;
import org.apache.hadoop.mapreduce.TaskType;
import org.apache.hadoop.mapreduce.task.TaskAttemptContextImpl;
import org.hbackup.common.index.IndexEntry;
import org.hbackup.common.manifest.ChunkRef;
import org.hbackup.common.testing.RepositoryFixture;
import org.hbackup.job.Throttle;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ChunkStoreTest {
  @TempDir
  java.nio.file.Path dir;

  /**
   * The local job runner runs a job's map tasks one after another in one JVM: each task takes
   * the chunking buffer the previous one gave back instead of allocating 16 MiB of its own, and
   * what it stores does not depend on what the buffer held before.
   */
  @Test
  void aTaskTakesTheChunkingBufferThePreviousTaskGaveBack() throws IOException, InterruptedException {
    Configuration conf = new Configuration();
    RepositoryFixture repository = RepositoryFixture.create(new Path(dir.resolve("repo").toUri()), conf);
    byte[] data = new byte[3 * 1024 * 1024];
    new Random(5).nextBytes(data);

    List<IndexEntry> firstRows = new ArrayList<>();
    ChunkStore first = store(repository, conf, 0, firstRows);
    List<ChunkRef> firstChunks = new ArrayList<>();
    assertNull(first.chunkingBuffer());
    first.read(new ByteArrayInputStream(data), Hashing.sha256().newHasher(), firstChunks);
    byte[] buffer = first.chunkingBuffer();
    assertNotNull(buffer);
    first.close();
    assertNull(first.chunkingBuffer());

    List<IndexEntry> secondRows = new ArrayList<>();
    ChunkStore second = store(repository, conf, 1, secondRows);
    List<ChunkRef> secondChunks = new ArrayList<>();
    second.read(new ByteArrayInputStream(data), Hashing.sha256().newHasher(), secondChunks);
    assertSame(buffer, second.chunkingBuffer());
    second.close();
    assertEquals(firstChunks, secondChunks);
    assertEquals(firstRows.size(), secondRows.size());
  }

  private ChunkStore store(RepositoryFixture repository, Configuration conf, int task, List<IndexEntry> rows)
      throws IOException {
    TaskAttemptContextImpl context = new TaskAttemptContextImpl(conf,
        new TaskAttemptID("test", 1, TaskType.MAP, task, 0));
    java.nio.file.Path packs = Files.createDirectories(dir.resolve("packs-" + task));
    return new ChunkStore(repository.repository(), conf, new Path(packs.toUri()), Throttle.of(0), context,
        rows::add);
  }
}
