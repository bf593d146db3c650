package org.hbackup.backup;

import java.io.IOException;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

import org.hbackup.common.id.ContentId;
import org.hbackup.common.id.FileHasher;
import org.hbackup.common.manifest.ChunkRef;
import org.hbackup.common.manifest.EntryType;
import org.hbackup.common.manifest.ManifestEntry;

/**
 * Joins the ranges of a file that map tasks read separately into the file's entry: chunks in
 * order, the ranges' hashes combined ({@link FileHasher}). Memory: the file's chunk list.
 */
final class FileRanges {
  /** Why a file whose ranges ended before their listed length is named; the bytes read follow. */
  static final String ENDED_EARLY = "it shrank, or was deleted, while its ranges were read: the point holds the ";
  /** What the report says of a file whose ranges were read from different versions of it. */
  static final String VERSIONS_DIFFER = "it was written again while its ranges were read (they were read from"
      + " different versions of it); the point joins them";

  /**
   * The joined entry, whether every range read as long as listed, and whether ranges were read
   * from different versions of the file (as their sources named them: an object's ETag).
   */
  static final class Joined {
    final ManifestEntry entry;
    final boolean complete;
    final boolean versionsDiffer;

    Joined(ManifestEntry entry, boolean complete, boolean versionsDiffer) {
      this.entry = entry;
      this.complete = complete;
      this.versionsDiffer = versionsDiffer;
    }
  }

  private FileRanges() {
  }

  /** Whether two ranges name different versions; a range that names none (nothing read) is left out. */
  static boolean versionsDiffer(List<ShuffleRecord> ranges) {
    String seen = null;
    for (ShuffleRecord r : ranges) {
      String version = r.rangeVersion();
      if (version == null || version.isEmpty()) {
        continue;
      }
      if (seen != null && !seen.equals(version)) {
        return true;
      }
      seen = version;
    }
    return false;
  }

  /**
   * Joins {@code ranges} (any order) of {@code path}. A range shorter than the range size that is
   * not the last means the file shrank while it was read: the entry then ends with that range, is
   * marked incomplete, and keeps no source checksum.
   */
  static Joined join(String path, List<ShuffleRecord> ranges) throws IOException {
    ranges.sort(Comparator.comparingInt(ShuffleRecord::rangeIndex));
    int count = ranges.get(0).rangeCount();
    long rangeSize = ranges.get(0).rangeSize();
    for (int i = 0; i < ranges.size(); i++) {
      ShuffleRecord r = ranges.get(i);
      if (r.rangeIndex() != i || r.rangeCount() != count || r.rangeSize() != rangeSize) {
        throw new IOException("the ranges of '" + path + "' do not fit together (range " + r.rangeIndex()
            + " of " + r.rangeCount() + " at position " + i + ")");
      }
    }
    if (ranges.size() != count) {
      throw new IOException("'" + path + "' has " + ranges.size() + " of its " + count + " ranges");
    }
    List<ChunkRef> chunks = new ArrayList<>();
    List<ContentId> hashes = new ArrayList<>();
    long length = 0;
    boolean complete = true;
    for (int i = 0; i < count; i++) {
      ManifestEntry range = ranges.get(i).entry();
      if (range.length() == 0) {
        complete = i == count - 1 && complete;
        break;
      }
      chunks.addAll(range.chunks());
      hashes.add(range.fileHash());
      length += range.length();
      if (i < count - 1 && range.length() != rangeSize) {
        complete = false;
        break;
      }
    }
    ManifestEntry first = ranges.get(0).entry();
    ManifestEntry.Builder b = ManifestEntry.builder(EntryType.FILE, path).length(length)
        .permission(first.permission()).owner(first.owner()).group(first.group())
        .modificationTime(first.modificationTime()).accessTime(first.accessTime())
        .replication(first.replication()).blockSize(first.blockSize()).attributes(first.attributes()).chunks(chunks)
        .sourceChecksum(complete ? first.sourceChecksum() : null);
    if (hashes.size() <= 1) {
      // What was read fits in one range: the plain SHA-256 of that range is the file's hash.
      b.fileHash(hashes.isEmpty() ? ContentId.of(new byte[0]) : hashes.get(0));
    } else {
      b.fileHash(FileHasher.combine(rangeSize, hashes)).rangeSize(rangeSize);
    }
    return new Joined(b.build(), complete, versionsDiffer(ranges));
  }
}
