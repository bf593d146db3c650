package org.hbackup.verify;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.util.Arrays;

import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.apache.hadoop.io.BytesWritable;
import org.apache.hadoop.io.SequenceFile;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SegmentListingTest {
  @TempDir
  java.nio.file.Path dir;

  /**
   * Points name their segments again and again: 30 points of 20,000 segments each, most shared
   * (more than the 16 MiB sort buffer holds, so the sort merges runs from disk). The listing holds
   * each segment once, in id order, with its weight, and a sync mark before each record.
   */
  @Test
  void listsEachSegmentOnceInIdOrder() throws Exception {
    Configuration conf = new Configuration();
    Path unsorted = new Path(dir.toUri().toString(), "segments.unsorted");
    Path listing = new Path(dir.toUri().toString(), "segments");
    int distinct = 0;
    try (SequenceFile.Writer out = SegmentListing.unsorted(conf, unsorted)) {
      for (int point = 0; point < 30; point++) {
        for (int s = 0; s < 20_000; s++) {
          int segment = s < 19_000 ? s : 19_000 + point * 1_000 + (s - 19_000); // 1,000 new per point
          out.append(new BytesWritable(id(segment)), use(segment % 7 == 0 ? 0 : segment % 1000, "p" + point));
        }
      }
    }
    distinct = 19_000 + 30 * 1_000;
    long expectedWeight = 0;
    for (int segment = 0; segment < distinct; segment++) {
      expectedWeight += SegmentListing.weight(segment % 7 == 0 ? 0 : segment % 1000);
    }
    long weight = SegmentListing.sortDistinct(conf, unsorted, listing);
    assertEquals(expectedWeight, weight);
    FileSystem fs = listing.getFileSystem(conf);
    assertFalse(fs.exists(unsorted), "the unsorted listing is removed");
    assertFalse(fs.exists(unsorted.suffix(".sorted")), "the sorted copy is removed");
    int records = 0;
    byte[] previous = null;
    try (SequenceFile.Reader in = new SequenceFile.Reader(conf, SequenceFile.Reader.file(listing))) {
      BytesWritable key = new BytesWritable();
      SegmentUse value = new SegmentUse();
      while (in.next(key, value)) {
        byte[] id = key.copyBytes();
        int segment = ByteBuffer.wrap(id).getInt(28);
        assertEquals(segment % 7 == 0 ? 0 : segment % 1000, value.entries());
        if (segment < 19_000) {
          assertTrue(value.point().matches("p([0-9]|[12][0-9])"), "a point that named it: " + value.point());
        } else {
          assertEquals("p" + (segment - 19_000) / 1_000, value.point(), "the one point that named it");
        }
        assertEquals(32, id.length);
        if (previous != null) {
          assertTrue(Arrays.compareUnsigned(previous, id) < 0, "strictly increasing at record " + records);
        }
        previous = id;
        records++;
      }
    }
    assertEquals(distinct, records);
    assertTrue(Files.size(java.nio.file.Path.of(listing.toUri())) > records * 20L + records * 40L,
        "a sync mark (20 bytes) before each record lets splits start at any record");
  }

  @Test
  void aHostileEntryCountNeitherOverflowsNorWeighsNothing() {
    assertEquals(1, SegmentListing.weight(-5));
    assertEquals(1, SegmentListing.weight(0));
    assertEquals(1L << 32, SegmentListing.weight(Long.MAX_VALUE));
  }

  @Test
  void noPointsGiveAnEmptyListing() throws Exception {
    Configuration conf = new Configuration();
    Path unsorted = new Path(dir.toUri().toString(), "none.unsorted");
    Path listing = new Path(dir.toUri().toString(), "none");
    SegmentListing.unsorted(conf, unsorted).close();
    assertEquals(0, SegmentListing.sortDistinct(conf, unsorted, listing));
  }

  @Test
  void listsThatDisagreeAboutASegmentKeepEachRowForTheCheck() throws Exception {
    Configuration conf = new Configuration();
    Path unsorted = new Path(dir.toUri().toString(), "rows.unsorted");
    Path listing = new Path(dir.toUri().toString(), "rows");
    try (SequenceFile.Writer out = SegmentListing.unsorted(conf, unsorted)) {
      out.append(new BytesWritable(id(1)), use(3, "honest"));
      out.append(new BytesWritable(id(1)), new SegmentUse(3, "a", "zz", "hostile"));
      out.append(new BytesWritable(id(1)), use(3, "another"));
      out.append(new BytesWritable(id(2)), use(4, "honest"));
      out.append(new BytesWritable(id(2)), use(4, "another"));
    }
    SegmentListing.sortDistinct(conf, unsorted, listing);
    java.util.List<String> rows = new java.util.ArrayList<>();
    try (SequenceFile.Reader in = new SequenceFile.Reader(conf, SequenceFile.Reader.file(listing))) {
      BytesWritable key = new BytesWritable();
      SegmentUse value = new SegmentUse();
      while (in.next(key, value)) {
        rows.add(ByteBuffer.wrap(key.copyBytes()).getInt(28) + ":" + value.sameRow(use(value.entries(), "")));
      }
    }
    assertTrue(rows.contains("1:false"), "the hostile row is kept to be checked: " + rows);
    assertEquals(1, rows.stream().filter("1:true"::equals).count(), "and the honest one, once: " + rows);
    assertEquals(1, rows.stream().filter("2:true"::equals).count(), "rows that agree are one record: " + rows);
  }

  /** A row names its list, and says how it differs from the entries of the segment read whole. */
  @Test
  void aRowSaysHowItDiffersFromItsSegment() throws Exception {
    java.util.List<org.hbackup.common.manifest.ManifestEntry> read = java.util.List.of(
        org.hbackup.common.manifest.ManifestEntry.builder(org.hbackup.common.manifest.EntryType.DIRECTORY, "a").build(),
        org.hbackup.common.manifest.ManifestEntry.builder(org.hbackup.common.manifest.EntryType.DIRECTORY, "a/m").build(),
        org.hbackup.common.manifest.ManifestEntry.builder(org.hbackup.common.manifest.EntryType.DIRECTORY, "b").build());
    assertEquals(null, use(3, "p").disagreement(read));
    assertTrue(use(4, "p").disagreement(read).contains("gives 4 entries"), use(4, "p").disagreement(read));
    assertTrue(new SegmentUse(3, "a", "a/m", "p").disagreement(read).contains("'a' .. 'b'"));
    assertTrue(new SegmentUse(3, "0", "b", "p").disagreement(read) != null);
    assertTrue(use(3, "p").disagreement(java.util.List.of()).contains("holds 0"));

    SegmentUse named = SegmentUse.of(new org.hbackup.common.manifest.SegmentRef(
        org.hbackup.common.id.ContentId.wrap(id(5)), "a", "b", 3, 0, 0), "p", "manifests/lists/x.json");
    SegmentUse copy = new SegmentUse();
    org.apache.hadoop.io.DataOutputBuffer out = new org.apache.hadoop.io.DataOutputBuffer();
    named.write(out);
    org.apache.hadoop.io.DataInputBuffer in = new org.apache.hadoop.io.DataInputBuffer();
    in.reset(out.getData(), out.getLength());
    copy.readFields(in);
    assertEquals("manifests/lists/x.json", copy.list());
    assertTrue(copy.sameRow(named) && copy.point().equals("p"));
  }

  private static SegmentUse use(long entries, String point) {
    return new SegmentUse(entries, "a", "b", point);
  }

  private static byte[] id(int n) {
    byte[] id = new byte[32];
    ByteBuffer.wrap(id).putInt(0, Integer.reverse(n)).putInt(28, n); // spread over the key space
    return id;
  }
}
