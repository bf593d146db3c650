package org.hbackup.common.pack;

import java.io.Closeable;
import java.io.IOException;

import org.apache.hadoop.fs.FSDataOutputStream;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.hbackup.common.id.ContentId;
import org.hbackup.common.id.PackId;
import org.hbackup.common.io.FileSystems;
import org.hbackup.common.repo.RepositoryLayout;

/**
 * The packs of one task attempt (a backup's, or a prune's repack): blobs go into the current pack until it reaches the target
 * size, then a new one starts. Packs live in the attempt's work directory, so a failed attempt's
 * packs are discarded with it and only a committed attempt's packs reach the repository.
 */
public final class TaskPacks implements Closeable {
  private final FileSystem fs;
  private final Path dir;
  private final long targetSize;
  private PackWriter current;
  private int packsWritten;

  public TaskPacks(FileSystem fs, Path dir, long targetSize) {
    this.fs = fs;
    this.dir = dir;
    this.targetSize = targetSize;
  }

  /** Appends one blob, starting a pack if needed; returns where it lies. */
  public PackedBlob add(ContentId chunk, byte[] blob, int length, int rawLength) throws IOException {
    if (current == null) {
      PackId id = PackId.random();
      FSDataOutputStream stream = FileSystems.createOwnerOnly(fs, new Path(dir, id.toHex() + RepositoryLayout.PACK_SUFFIX),
          false);
      current = new PackWriter(id, stream);
    }
    PackEntry entry = current.add(chunk, blob, 0, length, rawLength);
    PackedBlob packed = new PackedBlob(current.id(), entry);
    if (current.length() >= targetSize) {
      closeCurrent();
    }
    return packed;
  }

  public int packsWritten() {
    return packsWritten;
  }

  private void closeCurrent() throws IOException {
    if (current == null) {
      return;
    }
    current.close();
    packsWritten++;
    current = null;
  }

  @Override
  public void close() throws IOException {
    closeCurrent();
  }

  /** A blob's pack and place. */
  public static final class PackedBlob {
    public final PackId pack;
    public final PackEntry entry;

    PackedBlob(PackId pack, PackEntry entry) {
      this.pack = pack;
      this.entry = entry;
    }
  }
}
