package org.hbackup.it;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;

import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.Path;
import org.hbackup.common.id.ContentId;
import org.hbackup.common.id.FileHasher;
import org.hbackup.common.id.PointId;
import org.hbackup.common.manifest.ChunkRef;
import org.hbackup.common.manifest.EntryType;
import org.hbackup.common.manifest.ManifestEntry;
import org.hbackup.common.repo.Repository;
import org.hbackup.common.testing.RepositoryFixture;

/**
 * Repositories written directly with the format's writers, for the memory tests: many points,
 * files and chunks with little data (40-byte chunks), made in seconds. Each point has its own
 * files of its own chunks, in a pack and an index file of its own; every tenth file of a point
 * also uses a chunk of the point before, so that forgetting a point leaves a few used blobs in its
 * pack (which a prune then rewrites).
 */
final class SyntheticRepository {
  static final int FILES_PER_POINT = 2_000;
  static final int CHUNKS_PER_FILE = 6;
  private static final int CHUNK = 40;

  private SyntheticRepository() {
  }

  /** Writes the repository; returns its points, oldest first. */
  static List<PointId> create(Path root, int points, Configuration conf) throws Exception {
    RepositoryFixture fixture = RepositoryFixture.create(root, conf);
    Repository repository = fixture.repository();
    Random random = new Random(points);
    List<PointId> ids = new ArrayList<>();
    Map<Integer, byte[]> previous = new HashMap<>();
    for (int p = 0; p < points; p++) {
      List<byte[]> chunks = new ArrayList<>();
      List<ManifestEntry> entries = new ArrayList<>();
      entries.add(ManifestEntry.builder(EntryType.DIRECTORY, "").permission((short) 0755).build());
      entries.add(ManifestEntry.builder(EntryType.DIRECTORY, "d").permission((short) 0755).build());
      Map<Integer, byte[]> firsts = new HashMap<>();
      for (int f = 0; f < FILES_PER_POINT; f++) {
        FileHasher hasher = new FileHasher(0);
        List<ChunkRef> refs = new ArrayList<>();
        for (int c = 0; c < CHUNKS_PER_FILE; c++) {
          byte[] chunk = ByteBuffer.allocate(CHUNK).putInt(p).putInt(f).putInt(c).putLong(random.nextLong()).array();
          chunks.add(chunk);
          if (c == 0 && f % 10 == 0) {
            firsts.put(f, chunk);
          }
          hasher.update(chunk, 0, chunk.length);
          refs.add(new ChunkRef(ContentId.of(chunk), chunk.length));
        }
        byte[] shared = previous.get(f);
        if (shared != null) {
          hasher.update(shared, 0, shared.length);
          refs.add(new ChunkRef(ContentId.of(shared), shared.length));
        }
        entries.add(ManifestEntry.builder(EntryType.FILE, String.format("d/f%06d", f)).permission((short) 0644)
            .length((long) CHUNK * refs.size()).modificationTime(1_709_208_000_000L).fileHash(hasher.finish())
            .chunks(refs).build());
      }
      previous = firsts;
      fixture.store(chunks);
      PointId point = fixture.writeManifest(entries, record -> record.source("file:/synthetic"));
      ids.add(point);
      Thread.sleep(2); // point ids are by the millisecond
    }
    return ids;
  }
}
