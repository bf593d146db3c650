package org.hbackup.backup;

import java.io.IOException;
import java.io.InputStream;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

import com.google.common.hash.Hasher;
import com.google.common.hash.Hashing;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileStatus;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.apache.hadoop.io.BytesWritable;
import org.apache.hadoop.io.Text;
import org.apache.hadoop.mapreduce.Mapper;
import org.apache.hadoop.mapreduce.lib.output.FileOutputFormat;
import org.hbackup.common.chunk.ChunkingReader;
import org.hbackup.common.chunk.GearChunker;
import org.hbackup.common.compress.BlobCodec;
import org.hbackup.common.id.ContentId;
import org.hbackup.common.id.PointId;
import org.hbackup.common.index.ChunkIndex;
import org.hbackup.common.index.IndexEntry;
import org.hbackup.common.io.FileSystems;
import org.hbackup.common.manifest.ChunkRef;
import org.hbackup.common.manifest.EntryType;
import org.hbackup.common.manifest.ManifestEntry;
import org.hbackup.common.manifest.ManifestEntryCodec;
import org.hbackup.common.repo.Repository;
import org.hbackup.common.repo.RepositoryConfig;
import org.hbackup.common.repo.StagingLayout;

/**
 * Backs up the entries of one listing split: reads each file once, cuts it into chunks, hashes
 * them, stores the chunks the repository does not hold yet into this attempt's packs, and emits
 * the file's manifest entry and an index row per stored chunk.
 *
 * <p>Memory: the chunking buffer (4 × the maximum chunk), the repository's Bloom filters
 * (~1.2 bytes per stored chunk), the ids of chunks this task stored, and the chunk list of the
 * file being read.
 */
public class BackupMapper extends Mapper<Text, FileStatus, BackupKey, BytesWritable> {
  private ChunkingReader reader;
  private BlobCodec codec;
  private ChunkIndex index;
  /** The base point's entries; null for a full backup, or where a carry-over cannot be confirmed. */
  private BaseManifest base;
  private TaskPacks packs;
  private final Set<ContentId> storedByTask = new HashSet<>();
  private final BackupKey outKey = new BackupKey();
  private final BytesWritable outValue = new BytesWritable();
  private int failAfterFirstFileTask = -1;
  private int filesDone;

  /** The attempt's work directory; the committer promotes it when the attempt succeeds. */
  protected Path workPath(Context context) throws IOException, InterruptedException {
    return FileOutputFormat.getWorkOutputPath(context);
  }

  @Override
  protected void setup(Context context) throws IOException, InterruptedException {
    Configuration conf = context.getConfiguration();
    Repository repository = Repository.open(new Path(conf.get(BackupConfigKeys.REPOSITORY)), conf);
    RepositoryConfig config = repository.config();
    reader = new ChunkingReader(new GearChunker(config.chunker()));
    codec = new BlobCodec(config.compression(), config.compressionLevel(), conf);
    index = repository.openChunkIndex();
    // Format v1 keeps no HDFS file checksum, so on HDFS "same length and time" cannot be
    // confirmed by a checksum; an unavailable checksum never counts as equal: read the file.
    boolean checksumRequired = "hdfs".equals(new Path(conf.get(BackupConfigKeys.SOURCE)).toUri().getScheme());
    String basePoint = conf.get(BackupConfigKeys.BASE_POINT);
    if (basePoint != null && !checksumRequired) {
      base = new BaseManifest(repository, PointId.parse(basePoint), conf.getInt(
          BackupConfigKeys.BASE_SEGMENT_CACHE, BackupConfigKeys.DEFAULT_BASE_SEGMENT_CACHE));
    }
    Path work = workPath(context);
    Path packDir = new StagingLayout(work).packsDir();
    packs = new TaskPacks(FileSystems.raw(packDir, conf), packDir, config.packSize());
    if (context.getTaskAttemptID().getId() == 0) {
      failAfterFirstFileTask = conf.getInt(BackupConfigKeys.TEST_FAIL_MAP_TASK_ONCE, -1);
    }
  }

  @Override
  protected void map(Text path, FileStatus status, Context context) throws IOException, InterruptedException {
    String relative = path.toString();
    ManifestEntry entry;
    if (status.isDirectory()) {
      entry = metadata(EntryType.DIRECTORY, relative, status).build();
      context.getCounter(BackupCounters.DIRECTORIES).increment(1);
    } else if (status.isSymlink()) {
      entry = metadata(EntryType.SYMLINK, relative, status)
          .symlinkTarget(status.getSymlink().toString()).build();
      context.getCounter(BackupCounters.SYMLINKS).increment(1);
    } else {
      entry = carryOver(relative, status);
      if (entry != null) {
        context.getCounter(BackupCounters.FILES_CARRIED_OVER).increment(1);
      } else {
        entry = backUpFile(relative, status, context);
      }
      context.getCounter(BackupCounters.FILES).increment(1);
      filesDone++;
    }
    outKey.set(BackupKey.MANIFEST, relative.getBytes(java.nio.charset.StandardCharsets.UTF_8));
    byte[] encoded = ManifestEntryCodec.toBytes(entry);
    outValue.set(encoded, 0, encoded.length);
    context.write(outKey, outValue);
    if (filesDone == 1 && context.getTaskAttemptID().getTaskID().getId() == failAfterFirstFileTask) {
      throw new IOException("injected failure (" + BackupConfigKeys.TEST_FAIL_MAP_TASK_ONCE + ") in "
          + context.getTaskAttemptID());
    }
  }

  /**
   * The file's entry built from the base point without reading it, when the base had the same
   * file with the same length and modification time (and a checksum confirms it where one is
   * required); null when it must be read. The metadata comes from the source as it is now.
   */
  private ManifestEntry carryOver(String relative, FileStatus status) throws IOException {
    if (base == null) {
      return null;
    }
    ManifestEntry previous = base.find(relative);
    if (previous == null || !previous.isFile() || previous.length() != status.getLen()
        || previous.modificationTime() != status.getModificationTime()) {
      return null;
    }
    return metadata(EntryType.FILE, relative, status).fileHash(previous.fileHash())
        .chunks(previous.chunks()).build();
  }

  private ManifestEntry backUpFile(String relative, FileStatus status, Context context)
      throws IOException, InterruptedException {
    // Raw on the local file system: no .crc sidecar to verify, and names with ':' work.
    FileSystem fs = FileSystems.raw(status.getPath(), context.getConfiguration());
    Hasher fileHash = Hashing.sha256().newHasher();
    List<ChunkRef> chunks = new ArrayList<>();
    long length = 0;
    try (InputStream in = fs.open(status.getPath())) {
      reader.reset(in);
      while (reader.next()) {
        byte[] buffer = reader.buffer();
        int offset = reader.chunkOffset();
        int chunkLength = reader.chunkLength();
        fileHash.putBytes(buffer, offset, chunkLength);
        ContentId id = ContentId.of(buffer, offset, chunkLength);
        storeIfNew(id, buffer, offset, chunkLength, context);
        chunks.add(new ChunkRef(id, chunkLength));
        length += chunkLength;
        context.getCounter(BackupCounters.BYTES_READ).increment(chunkLength);
        context.progress();
      }
    }
    if (length != status.getLen()) {
      context.getCounter(BackupCounters.FILES_CHANGED_WHILE_READ).increment(1);
    }
    return metadata(EntryType.FILE, relative, status).length(length)
        .fileHash(ContentId.wrap(fileHash.hash().asBytes())).chunks(chunks).build();
  }

  private void storeIfNew(ContentId id, byte[] buffer, int offset, int length, Context context)
      throws IOException, InterruptedException {
    if (storedByTask.contains(id) || index.lookup(id) != null) {
      context.getCounter(BackupCounters.CHUNKS_REUSED).increment(1);
      return;
    }
    byte[] blob = codec.encode(buffer, offset, length);
    int blobLength = codec.encodedLength();
    TaskPacks.PackedBlob packed = packs.add(id, blob, blobLength, length);
    storedByTask.add(id);
    IndexEntry row = new IndexEntry(id, packed.pack, packed.entry.offset(), blobLength, length);
    outKey.set(BackupKey.INDEX, id.bytes());
    byte[] encoded = row.toBytes();
    outValue.set(encoded, 0, encoded.length);
    context.write(outKey, outValue);
    context.getCounter(BackupCounters.CHUNKS_NEW).increment(1);
    context.getCounter(BackupCounters.BYTES_NEW).increment(length);
    context.getCounter(BackupCounters.BYTES_STORED).increment(blobLength);
  }

  static ManifestEntry.Builder metadata(EntryType type, String relative, FileStatus status) {
    return ManifestEntry.builder(type, relative)
        .length(status.isFile() ? status.getLen() : 0)
        .permission(status.getPermission().toShort())
        .owner(status.getOwner())
        .group(status.getGroup())
        .modificationTime(status.getModificationTime())
        .accessTime(status.getAccessTime())
        .replication(status.getReplication())
        .blockSize(status.getBlockSize());
  }

  @Override
  protected void cleanup(Context context) throws IOException {
    packs.close();
    context.getCounter(BackupCounters.PACKS_WRITTEN).increment(packs.packsWritten());
    index.close();
    codec.close();
    if (base != null) {
      base.close();
    }
  }
}
