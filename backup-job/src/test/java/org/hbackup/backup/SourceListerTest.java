package org.hbackup.backup;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.util.ArrayList;
import java.util.List;

import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileStatus;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.apache.hadoop.io.SequenceFile;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SourceListerTest {
  @TempDir
  java.nio.file.Path dir;

  @Test
  void walksDepthFirstInNameOrderWithRangesOfLargeFilesInARow() throws IOException {
    java.nio.file.Path source = dir.resolve("source");
    for (String d : new String[] {"c/z", "a/y", "b", "a/x"}) {
      Files.createDirectories(source.resolve(d));
    }
    for (String f : new String[] {"c/z/1", "a/2", "a/1", "b/9", "top", "a/y/5", "a/x/6"}) {
      Files.write(source.resolve(f), f.getBytes());
    }
    Configuration conf = new Configuration();
    conf.setLong(BackupConfigKeys.RANGE_BYTES, BackupConfigKeys.MIN_RANGE_BYTES);
    byte[] large = new byte[(int) BackupConfigKeys.MIN_RANGE_BYTES * 2 + 1];
    Files.write(source.resolve("a/large"), large);
    FileSystem fs = FileSystem.getLocal(conf);
    Path listing = new Path(dir.resolve("listing.seq").toUri());

    SourceLister.Totals totals = lister(conf).list(fs, new Path(source.toUri()), listing);

    List<String> order = listed(conf, listing, key -> key.isRange() ? key.path() + "#" + key.rangeIndex() : key.path());
    assertEquals(List.of("", "a", "b", "c", "top",
        "a/1", "a/2", "a/large#0", "a/large#1", "a/large#2", "a/x", "a/y", "a/x/6", "a/y/5",
        "b/9", "c/z", "c/z/1"), order);
    assertEquals(15, totals.entries());
    assertEquals(8, totals.files());
  }

  /**
   * A directory deleted (or renamed within the source) after its parent was listed, before its own
   * contents were: it keeps its entry and is reported after it (unlistable: what it held is not in
   * the point, exit 4). It was kept silently empty, and a directory renamed back and forth lost its
   * files from the point with exit 0 (found by a probe). A file deleted is left out.
   */
  @Test
  void aDirectoryDeletedBeforeItIsListedIsReportedAndAFileDeletedIsLeftOut() throws IOException {
    java.nio.file.Path source = dir.resolve("source");
    for (String sub : new String[] {"a/s1", "a/s2", "a/s3", "a/s4"}) {
      Files.createDirectories(source.resolve(sub));
      Files.write(source.resolve(sub).resolve(sub.endsWith("4") ? "inner" : "x"), new byte[] {1});
    }
    Files.write(source.resolve("a/f"), new byte[] {3});
    Files.createDirectories(source.resolve("b"));
    Files.write(source.resolve("b/1"), new byte[] {1});
    Files.createDirectories(source.resolve("c"));
    Files.write(source.resolve("c/1"), new byte[] {1});
    Files.write(source.resolve("c/2"), new byte[] {2});
    Configuration conf = new Configuration();
    FileSystem fs = FileSystem.getLocal(conf);
    Path listing = new Path(dir.resolve("listing.seq").toUri());
    // Called for each file as it is listed: a/f comes after a's entries were read and before its
    // subdirectories are (the walk reads a/s1 ahead once it meets it, after a/f, and guessed b,
    // the next on its stack, when it took a; a/s4 and c are read only when it gets near them).
    SourceLister.UnchangedHint deleting = (basePath, status) -> {
      if (basePath.equals("a/f")) {
        Files.delete(source.resolve("a/s4/inner"));
        Files.delete(source.resolve("a/s4"));
        Files.delete(source.resolve("c/2"));
      }
      return false;
    };

    lister(conf).list(fs, new Path(source.toUri()), null, listing, SnapshotRenames.NONE, deleting);

    List<String> order = listed(conf, listing, key -> key.path() + (key.problem() == ListingKey.UNLISTABLE ? " (" + key.problemReason() + ")" : ""));
    assertEquals(List.of("", "a", "b", "c", "a/f", "a/s1", "a/s2", "a/s3", "a/s4", "a/s1/x", "a/s2/x", "a/s3/x",
        "a/s4 (it vanished before its contents were listed (deleted, or renamed within the source): the point holds"
            + " it empty)", "b/1", "c/1"), order);
  }

  /**
   * A directory swapped for a symlink to a directory outside the source after its parent was
   * listed (a user of the source racing a root backup): nothing of what the link leads to is
   * listed; the directory keeps its entry and is reported. The listing followed the link and put
   * the names, types, times and owners of /etc into the point (found by a probe).
   */
  @Test
  void aDirectorySwappedForASymlinkAfterItsParentWasListedIsNeverListedThrough() throws IOException {
    java.nio.file.Path source = dir.resolve("source");
    Files.createDirectories(source.resolve("a/s1"));
    Files.createDirectories(source.resolve("a/s2/inner"));
    Files.write(source.resolve("a/f"), new byte[] {1});
    Files.createDirectories(dir.resolve("outside/SECRET-DIR"));
    Files.write(dir.resolve("outside/SECRET"), new byte[] {2});
    Configuration conf = new Configuration();
    FileSystem fs = FileSystem.getLocal(conf);
    Path listing = new Path(dir.resolve("listing.seq").toUri());
    SourceLister.UnchangedHint swapping = (basePath, status) -> {
      if (basePath.equals("a/f")) {
        Files.move(source.resolve("a/s2"), source.resolve("a/s2.old"));
        Files.createSymbolicLink(source.resolve("a/s2"), dir.resolve("outside"));
      }
      return false;
    };
    lister(conf).list(fs, new Path(source.toUri()), null, listing, SnapshotRenames.NONE, swapping);

    List<String> order = listed(conf, listing, key -> key.path() + (key.problem() == ListingKey.UNLISTABLE ? " (reported)" : ""));
    assertEquals(List.of("", "a", "a/f", "a/s1", "a/s2", "a/s2 (reported)"), order);
  }

  /**
   * The lister leaves marks beside its listing from which the splits are cut without reading it
   * again, the same splits that reading gives; and a listing without marks is read.
   */
  @Test
  void itsWeightMarksCutTheSplitsThatReadingTheListingWould() throws IOException {
    java.nio.file.Path source = dir.resolve("source");
    for (int d = 0; d < 30; d++) {
      Files.createDirectories(source.resolve("d" + d));
      for (int f = 0; f < 40; f++) {
        Files.write(source.resolve("d" + d + "/f" + f), new byte[(d * 40 + f) % 700]);
      }
    }
    Configuration conf = new Configuration();
    FileSystem fs = FileSystem.getLocal(conf);
    Path listing = new Path(dir.resolve("listing.seq").toUri());
    SourceLister.Totals totals = lister(conf).list(fs, new Path(source.toUri()), listing);
    assertTrue(fs.exists(org.hbackup.job.WeightMarks.of(listing)), "the lister leaves its marks");
    long fileWeight = BackupSettings.readFrom(settingsOf(conf)).fileWeightBytes();
    long target = totals.weight() / 7;

    List<org.apache.hadoop.mapreduce.InputSplit> fromMarks = org.hbackup.job.WeightedSplits.<ListingKey, ListedStatus>of(
        conf, listing, target, (k, v) -> {
          throw new AssertionError("the listing was read again");
        });
    fs.delete(org.hbackup.job.WeightMarks.of(listing), false);
    List<org.apache.hadoop.mapreduce.InputSplit> fromReading = org.hbackup.job.WeightedSplits.<ListingKey, ListedStatus>of(
        conf, listing, target, (k, v) -> SourceLister.weight(k, v.status(), fileWeight));
    assertEquals(fromReading.toString(), fromMarks.toString());
    assertTrue(fromMarks.size() >= 7, fromMarks.toString());
  }

  /**
   * What a record weighs: a file to read, its bytes and the cost of opening it where it lies; a
   * file expected unchanged, the same lookup on every file system (a 64th of the per-file weight
   * made a nothing-changed backup of 200,000 local files two splits instead of 20); a range, its
   * bytes, the first one also the opening.
   */
  @Test
  void aRecordWeighsWhatBackingItUpCosts() {
    FileStatus file = new FileStatus(10_000, false, 1, 0, 0, new Path("file:///source/f"));
    FileStatus dir = new FileStatus(0, true, 1, 0, 0, new Path("file:///source/d"));
    for (long fileWeight : new long[] {org.hbackup.job.FileWeights.LOCAL_BYTES, org.hbackup.job.FileWeights.REMOTE_BYTES}) {
      ListingKey key = new ListingKey("f", null);
      assertEquals(10_000 + fileWeight, SourceLister.weight(key, file, fileWeight));
      key.setExpectedUnchanged(true);
      assertEquals(org.hbackup.job.FileWeights.UNCHANGED_BYTES, SourceLister.weight(key, file, fileWeight));
      assertEquals(fileWeight / 16, SourceLister.weight(new ListingKey("d", null), dir, fileWeight));
    }
    FileStatus large = new FileStatus(150L << 20, false, 1, 0, 0, new Path("file:///source/large"));
    assertEquals((64L << 20) + 16384, SourceLister.weight(new ListingKey("large", null, 0, 3, 64L << 20), large, 16384));
    assertEquals(22L << 20, SourceLister.weight(new ListingKey("large", null, 2, 3, 64L << 20), large, 16384));
  }

  /** A lister with the test's settings; the source and repository keys only name where they would be. */
  private static SourceLister lister(Configuration conf) {
    return new SourceLister(conf, BackupSettings.readFrom(settingsOf(conf)));
  }

  private static Configuration settingsOf(Configuration conf) {
    Configuration c = new Configuration(conf);
    c.set(BackupConfigKeys.SOURCE, "file:///source");
    c.set(BackupConfigKeys.REPOSITORY, "file:///repository");
    return c;
  }

  /**
   * The first subdirectory of each directory is found read ahead (started when its parent's
   * listing meets it; it is listed next), and only it: root; a, b (with b/s), c, d gives a and b/s.
   */
  @Test
  void theFirstSubdirectoryOfEachDirectoryIsFoundReadAhead() throws IOException {
    java.nio.file.Path source = dir.resolve("ahead");
    for (String d : new String[] {"a", "b/s", "c", "d"}) {
      Files.createDirectories(source.resolve(d));
      Files.write(source.resolve(d).resolve("f"), d.getBytes());
    }
    Configuration conf = new Configuration();
    FileSystem fs = FileSystem.getLocal(conf);
    SourceLister.Totals totals = lister(conf).list(fs, new Path(source.toUri()),
        new Path(dir.resolve("ahead.seq").toUri()));
    assertEquals(10, totals.entries(), "the root, five directories and four files");
    assertEquals(2, totals.listingsReadAhead());
  }

  /** A listing read ahead that failed throws its own exception, so the walk tells "gone" from "denied". */
  @Test
  void aListingReadAheadThrowsItsOwnFailureWhenTaken() throws Exception {
    FileSystem fs = FileSystem.getLocal(new Configuration());
    SourceLister.ListingsAhead ahead = new SourceLister.ListingsAhead(fs, new Path(dir.toUri()));
    Path gone = new Path(dir.resolve("never-there").toUri());
    java.nio.file.Path file = Files.write(dir.resolve("a-file"), new byte[] {1});
    Path notADirectory = new Path(file.toUri());
    ahead.startNext(gone);
    org.junit.jupiter.api.Assertions.assertThrows(java.nio.file.NoSuchFileException.class, () -> ahead.take(gone));
    org.junit.jupiter.api.Assertions.assertNull(ahead.take(gone), "each is taken once");
    ahead.startNext(notADirectory);
    org.junit.jupiter.api.Assertions.assertThrows(org.hbackup.common.io.PosixFiles.NotADirectoryNow.class,
        () -> ahead.take(notADirectory));
    ahead.startNext(notADirectory);
    org.junit.jupiter.api.Assertions.assertNull(ahead.take(gone), "a listing of another directory is not taken");
    org.junit.jupiter.api.Assertions.assertNull(ahead.take(notADirectory), "and is dropped");
  }

  /** The listing's records in order, each as {@code show} spells its key. */
  private static List<String> listed(Configuration conf, Path listing,
      java.util.function.Function<ListingKey, String> show) throws IOException {
    List<String> order = new ArrayList<>();
    try (SequenceFile.Reader reader = new SequenceFile.Reader(conf, SequenceFile.Reader.file(listing))) {
      ListingKey key = new ListingKey();
      ListedStatus value = new ListedStatus();
      while (reader.next(key, value)) {
        order.add(show.apply(key));
      }
    }
    return order;
  }
}
