package org.hbackup.backup;

import java.io.Closeable;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

import com.google.common.hash.Hasher;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.Path;
import org.apache.hadoop.io.ByteBufferPool;
import org.apache.hadoop.io.ElasticByteBufferPool;
import org.apache.hadoop.mapreduce.TaskAttemptContext;
import org.hbackup.common.chunk.ChunkingReader;
import org.hbackup.common.chunk.GearChunker;
import org.hbackup.common.compress.BlobCodec;
import org.hbackup.common.id.ContentId;
import org.hbackup.common.index.ChunkIndex;
import org.hbackup.common.index.IndexEntry;
import org.hbackup.common.io.FileSystems;
import org.hbackup.common.manifest.ChunkRef;
import org.hbackup.common.pack.TaskPacks;
import org.hbackup.common.repo.Repository;
import org.hbackup.common.repo.RepositoryConfig;
import org.hbackup.common.repo.ReusablePacks;
import org.hbackup.job.Throttle;

/**
 * A map task's side of the repository: cuts what it reads into chunks, hashes them, and stores
 * each chunk that neither the repository (a deliverable copy) nor this task holds yet,
 * compressed, into the task's packs; every chunk it stores is handed to {@link NewChunks} as an
 * index row.
 *
 * <p>Memory: the chunking buffer (4 × the maximum chunk, taken on the first read from a pool
 * the JVM's tasks share), the index's Bloom filters (~1.2 bytes per stored chunk) and cached
 * blocks, the ids of chunks this task stored, and one pack being filled.
 */
final class ChunkStore implements Closeable {
  /** Receives the index row of each chunk stored. */
  interface NewChunks {
    void stored(IndexEntry row) throws IOException, InterruptedException;
  }

  /**
   * Chunking buffers passed from a task to the next one in the same JVM. The local job runner
   * runs a job's map tasks one after another on each of its threads; when each allocated its own
   * 16 MiB buffer, the buffers outlived a few young collections, were copied into the old
   * generation and stayed there as garbage (a 1 GB backup: 320 MB of them; with the tasks' sort
   * buffers, the heap grew to 365 MB and the collector paused for 0.75 s). The pool holds at most
   * one buffer per task that ran at the same time; on a cluster a task's JVM holds its one buffer
   * until it exits.
   */
  private static final ByteBufferPool CHUNKING_BUFFERS = new ElasticByteBufferPool();

  private final TaskAttemptContext context;
  private final GearChunker chunker;
  /** Made for the first file read: a task that only carries files over needs no 16 MiB buffer. */
  private ChunkingReader reader;
  private final BlobCodec codec;
  private final ChunkIndex index;
  private final ReusablePacks reusable;
  private final TaskPacks packs;
  /** The bytes read from the source are paid for here (--bandwidth). */
  private final Throttle throttle;
  private final NewChunks newChunks;
  private final Set<ContentId> storedByTask = new HashSet<>();

  ChunkStore(Repository repository, Configuration conf, Path packDir, Throttle throttle, TaskAttemptContext context,
      NewChunks newChunks) throws IOException {
    RepositoryConfig config = repository.config();
    this.context = context;
    this.chunker = new GearChunker(config.chunker());
    this.codec = new BlobCodec(config.compression(), config.compressionLevel(), conf);
    this.index = repository.openChunkIndex();
    this.reusable = new ReusablePacks(repository);
    this.packs = new TaskPacks(FileSystems.raw(packDir, conf), packDir, config.packSize());
    this.throttle = throttle;
    this.newChunks = newChunks;
  }

  /** The chunking buffer in use, or null before the first read and after {@link #close}. */
  byte[] chunkingBuffer() {
    return reader == null ? null : reader.buffer();
  }

  /** Index files of the repository that could not be read (their chunks are stored again). */
  int unreadableIndexFiles() {
    return index.unreadable().size();
  }

  /** Chunks, hashes and stores what {@code in} holds, adding its chunks to {@code chunks}; returns the bytes read. */
  long read(InputStream in, Hasher hash, List<ChunkRef> chunks) throws IOException, InterruptedException {
    long length = 0;
    if (reader == null) {
      reader = new ChunkingReader(chunker,
          CHUNKING_BUFFERS.getBuffer(false, ChunkingReader.bufferLength(chunker)).array());
    }
    reader.reset(in);
    while (reader.next()) {
      byte[] buffer = reader.buffer();
      int offset = reader.chunkOffset();
      int chunkLength = reader.chunkLength();
      hash.putBytes(buffer, offset, chunkLength);
      ContentId id = ContentId.of(buffer, offset, chunkLength);
      storeIfNew(id, buffer, offset, chunkLength);
      chunks.add(new ChunkRef(id, chunkLength));
      length += chunkLength;
      context.getCounter(BackupCounters.BYTES_READ).increment(chunkLength);
      if (throttle.limits()) {
        context.getCounter(BackupCounters.THROTTLED_MS).increment(throttle.pay(chunkLength));
      }
      context.progress();
    }
    return length;
  }

  private void storeIfNew(ContentId id, byte[] buffer, int offset, int length) throws IOException, InterruptedException {
    if (storedByTask.contains(id)) {
      context.getCounter(BackupCounters.CHUNKS_REUSED).increment(1);
      return;
    }
    IndexEntry known = index.lookup(id);
    if (known != null) {
      if (deliverable(id, length, known)) {
        context.getCounter(BackupCounters.CHUNKS_REUSED).increment(1);
        return;
      }
      context.getCounter(BackupCounters.CHUNKS_STORED_AGAIN).increment(1);
    }
    byte[] blob = codec.encode(buffer, offset, length);
    int blobLength = codec.encodedLength();
    TaskPacks.PackedBlob packed = packs.add(id, blob, blobLength, length);
    storedByTask.add(id);
    newChunks.stored(new IndexEntry(id, packed.pack, packed.entry.offset(), blobLength, length));
    context.getCounter(BackupCounters.CHUNKS_NEW).increment(1);
    context.getCounter(BackupCounters.BYTES_NEW).increment(length);
    context.getCounter(BackupCounters.BYTES_STORED).increment(blobLength);
  }

  /**
   * Whether the repository (or this task) can deliver every chunk of a list, so that a point
   * naming them is restorable. One index lookup per chunk (index blocks are cached) and one pack
   * check per pack and task.
   */
  boolean canDeliver(List<ChunkRef> chunks) throws IOException {
    for (ChunkRef c : chunks) {
      if (storedByTask.contains(c.id())) {
        continue;
      }
      IndexEntry row = index.lookup(c.id());
      if (row == null || !deliverable(c.id(), c.length(), row)) {
        return false;
      }
    }
    return true;
  }

  /**
   * Whether some copy of a chunk the index knows can be delivered: the repository must never gain
   * a point that names data it cannot give back, so a copy in a missing or damaged pack does not
   * count, and the chunk is stored again from the source. Nor does a row whose raw length is not
   * the chunk's: the content's hash fixes its length, so such a row is damaged, and a restore
   * would refuse it.
   */
  private boolean deliverable(ContentId id, int length, IndexEntry first) throws IOException {
    if (first.rawLength() == length && reusable.canDeliver(first)) {
      return true;
    }
    for (IndexEntry other : index.locations(id)) {
      if (other.rawLength() == length && reusable.canDeliver(other)) {
        return true;
      }
    }
    return false;
  }

  /** Closes the last pack and counts packs written and checked. */
  @Override
  public void close() throws IOException {
    packs.close();
    context.getCounter(BackupCounters.PACKS_WRITTEN).increment(packs.packsWritten());
    context.getCounter(BackupCounters.PACKS_CHECKED).increment(reusable.packsChecked());
    index.close();
    codec.close();
    if (reader != null) {
      CHUNKING_BUFFERS.putBuffer(ByteBuffer.wrap(reader.buffer()));
      reader = null;
    }
  }
}
