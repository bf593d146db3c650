package org.hbackup.bench;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.util.Random;
import java.util.concurrent.TimeUnit;

import org.hbackup.common.chunk.ChunkerParameters;
import org.hbackup.common.chunk.ChunkingReader;
import org.hbackup.common.chunk.GearChunker;
import org.hbackup.common.id.ContentId;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;
import org.openjdk.jmh.infra.Blackhole;

/**
 * The backup mapper's inner loop on one core: content-defined chunking, and chunking plus the
 * SHA-256 of every chunk. Each invocation processes 256 MiB of random data, so the score in
 * ops/s times 256 is MiB/s.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 3)
@Fork(value = 1, jvmArgsAppend = "-Xmx2g")
public class ChunkingBenchmark {
  static final int BYTES = 256 * 1024 * 1024;

  private byte[] data;
  private GearChunker chunker;

  @Setup
  public void setUp() {
    data = new byte[BYTES];
    new Random(1).nextBytes(data);
    chunker = new GearChunker(ChunkerParameters.defaults());
  }

  @Benchmark
  public long chunkOnly() throws IOException {
    ChunkingReader reader = new ChunkingReader(new ByteArrayInputStream(data), chunker);
    long chunks = 0;
    while (reader.next()) {
      chunks++;
    }
    return chunks;
  }

  @Benchmark
  public void chunkAndHash(Blackhole sink) throws IOException {
    ChunkingReader reader = new ChunkingReader(new ByteArrayInputStream(data), chunker);
    while (reader.next()) {
      sink.consume(ContentId.of(reader.buffer(), reader.chunkOffset(), reader.chunkLength()));
    }
  }

  @Benchmark
  public void hashOnly(Blackhole sink) {
    for (int offset = 0; offset < BYTES; offset += 1 << 20) {
      sink.consume(ContentId.of(data, offset, 1 << 20));
    }
  }
}
