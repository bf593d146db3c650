package org.hbackup.job;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.Path;
import org.apache.hadoop.io.LongWritable;
import org.apache.hadoop.io.SequenceFile;
import org.apache.hadoop.io.Text;
import org.apache.hadoop.mapreduce.InputSplit;
import org.apache.hadoop.mapreduce.TaskAttemptID;
import org.apache.hadoop.mapreduce.task.TaskAttemptContextImpl;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class WeightedSplitsTest {
  @TempDir
  java.nio.file.Path dir;

  /**
   * A listing of 10 heavy records (a few bytes of listing each, 50 MB to read) and then 2,000
   * light ones: by listing bytes the light ones' split is the largest, and the framework, which
   * starts splits largest first, would start it first and the heavy ones after; by weight it
   * comes last. Every record is read exactly once through the byte ranges.
   */
  @Test
  void splitsWeighWhatTheyListAndReadExactlyTheirRecords() throws Exception {
    Configuration conf = new Configuration(false);
    conf.set("fs.file.impl", org.apache.hadoop.fs.RawLocalFileSystem.class.getName());
    Path listing = new Path(dir.resolve("listing").toUri());
    try (SequenceFile.Writer w = SequenceFile.createWriter(conf, SequenceFile.Writer.file(listing),
        SequenceFile.Writer.keyClass(Text.class), SequenceFile.Writer.valueClass(LongWritable.class))) {
      for (int i = 0; i < 10; i++) {
        w.sync();
        w.append(new Text("big" + i), new LongWritable(50_000_000));
      }
      for (int i = 0; i < 2000; i++) {
        w.sync();
        w.append(new Text("small-file-with-a-long-name-" + i), new LongWritable(1_000));
      }
    }
    List<InputSplit> splits = WeightedSplits.<Text, LongWritable>of(conf, listing, 50_000_000L,
        (k, v) -> v.get());
    assertEquals(11, splits.size(), "one per heavy record, then the light ones");
    List<InputSplit> started = new ArrayList<>(splits);
    started.sort(Comparator.comparingLong((InputSplit s) -> {
      try {
        return s.getLength();
      } catch (Exception e) {
        throw new IllegalStateException(e);
      }
    }).reversed());
    WeightedSplit last = (WeightedSplit) started.get(started.size() - 1);
    assertEquals(2_000_000L, last.getLength(), "the light records' split starts last");
    for (InputSplit s : started.subList(0, 10)) {
      assertEquals(50_000_000L, s.getLength());
      assertTrue(((WeightedSplit) s).byteRange().getLength() < last.byteRange().getLength() / 100,
          "though it holds far fewer listing bytes");
    }

    List<String> read = new ArrayList<>();
    for (InputSplit split : splits) {
      WeightedSplit copy = roundTrip((WeightedSplit) split);
      assertEquals(split.getLength(), copy.getLength(), "the weight travels with the split");
      try (WeightedSplit.Reader<Text, LongWritable> reader = new WeightedSplit.Reader<>()) {
        reader.initialize(copy, new TaskAttemptContextImpl(conf, new TaskAttemptID()));
        while (reader.nextKeyValue()) {
          read.add(reader.getCurrentKey().toString());
        }
      }
    }
    assertEquals(2010, read.size());
    assertEquals(2010, read.stream().distinct().count());
  }

  /** A listing of {@code records} records weighing {@code weight(i)}, with or without marks. */
  private static Path writeListing(Configuration conf, Path listing, int records,
      java.util.function.IntToLongFunction weight, boolean marks) throws Exception {
    WeightMarks recorder = new WeightMarks();
    long length;
    try (SequenceFile.Writer w = SequenceFile.createWriter(conf, SequenceFile.Writer.file(listing),
        SequenceFile.Writer.keyClass(Text.class), SequenceFile.Writer.valueClass(LongWritable.class))) {
      for (int i = 0; i < records; i++) {
        w.sync();
        w.append(new Text("record-" + i), new LongWritable(weight.applyAsLong(i)));
        recorder.add(w.getLength(), weight.applyAsLong(i));
      }
      length = w.getLength();
    }
    if (marks) {
      try (java.io.OutputStream out = java.nio.file.Files.newOutputStream(
          java.nio.file.Paths.get(WeightMarks.of(listing).toUri()))) {
        recorder.write(out, length);
      }
    }
    return listing;
  }

  private static Configuration rawLocal() {
    Configuration conf = new Configuration(false);
    conf.set("fs.file.impl", org.apache.hadoop.fs.RawLocalFileSystem.class.getName());
    return conf;
  }

  /** Every record's key, read through the splits (each a round trip, as the framework ships it). */
  private static List<String> readAll(Configuration conf, List<InputSplit> splits) throws Exception {
    List<String> read = new ArrayList<>();
    for (InputSplit split : splits) {
      try (WeightedSplit.Reader<Text, LongWritable> reader = new WeightedSplit.Reader<>()) {
        reader.initialize(roundTrip((WeightedSplit) split), new TaskAttemptContextImpl(conf, new TaskAttemptID()));
        while (reader.nextKeyValue()) {
          read.add(reader.getCurrentKey().toString());
        }
      }
    }
    return read;
  }

  private static String describe(List<InputSplit> splits) {
    StringBuilder b = new StringBuilder();
    for (InputSplit s : splits) {
      WeightedSplit w = (WeightedSplit) s;
      b.append(w.byteRange().getStart()).append('+').append(w.byteRange().getLength()).append('/')
          .append(w.getLength()).append(' ');
    }
    return b.toString();
  }

  private static final WeightedSplits.Weigher<Text, LongWritable> NEVER = (k, v) -> {
    throw new AssertionError("the listing was read again: " + k);
  };

  /** Fewer records than marks: the marks give exactly the cuts that reading gives, unread. */
  @Test
  void theWritersMarksCutTheSameSplitsWithoutReadingTheListing() throws Exception {
    Configuration conf = rawLocal();
    java.util.function.IntToLongFunction weight = i -> i % 100 == 0 ? 5_000_000 : 1_000 + i;
    Path marked = writeListing(conf, new Path(dir.resolve("marked").toUri()), 3000, weight, true);
    Path plain = writeListing(conf, new Path(dir.resolve("plain").toUri()), 3000, weight, false);
    List<InputSplit> fromMarks = WeightedSplits.<Text, LongWritable>of(conf, marked, 20_000_000L, NEVER);
    List<InputSplit> fromReading = WeightedSplits.<Text, LongWritable>of(conf, plain, 20_000_000L, (k, v) -> v.get());
    assertEquals(describe(fromReading), describe(fromMarks));
    assertTrue(fromMarks.size() > 5, describe(fromMarks));
    List<String> read = readAll(conf, fromMarks);
    assertEquals(3000, read.size());
    assertEquals(3000, read.stream().distinct().count());
  }

  /**
   * 200,000 records, far more than the marks kept: memory stays at MAX_MARKS, every record is
   * read exactly once, and each split weighs what was asked, give or take the gap between marks.
   */
  @Test
  void aLongListingKeepsBoundedMarksAndBalancedSplits() throws Exception {
    Configuration conf = rawLocal();
    java.util.function.IntToLongFunction weight = i -> 20_480 + (i * 7919L) % 1_000_000;
    Path listing = writeListing(conf, new Path(dir.resolve("long").toUri()), 200_000, weight, true);
    long total = 0;
    for (int i = 0; i < 200_000; i++) {
      total += weight.applyAsLong(i);
    }
    long target = total / 16;
    List<InputSplit> splits = WeightedSplits.<Text, LongWritable>of(conf, listing, target, NEVER);
    assertTrue(splits.size() >= 16 && splits.size() <= 17, describe(splits));
    long maxGap = 2 * total / (WeightMarks.MAX_MARKS / 2) + 1_020_480;
    long sum = 0;
    for (InputSplit s : splits.subList(0, splits.size() - 1)) {
      assertTrue(s.getLength() >= target && s.getLength() <= target + maxGap, describe(splits));
      sum += s.getLength();
    }
    assertEquals(total, sum + splits.get(splits.size() - 1).getLength(), "the weights add up to the listing's");
    List<String> read = readAll(conf, splits);
    assertEquals(200_000, read.size());
    assertEquals(200_000, read.stream().distinct().count());
  }

  /** Marks of another listing, damaged or cut short: the listing is read, and the cuts are exact. */
  @Test
  void marksThatDoNotDescribeTheListingAreIgnored() throws Exception {
    Configuration conf = rawLocal();
    java.util.function.IntToLongFunction weight = i -> 1_000 + i;
    Path plain = writeListing(conf, new Path(dir.resolve("plain").toUri()), 500, weight, false);
    String expected = describe(WeightedSplits.<Text, LongWritable>of(conf, plain, 50_000L, (k, v) -> v.get()));
    Path listing = writeListing(conf, new Path(dir.resolve("listing").toUri()), 500, weight, true);
    java.nio.file.Path marks = java.nio.file.Paths.get(WeightMarks.of(listing).toUri());
    byte[] good = java.nio.file.Files.readAllBytes(marks);

    // Stale: the marks of a listing one record shorter.
    writeListing(conf, new Path(dir.resolve("shorter").toUri()), 499, weight, true);
    java.nio.file.Files.copy(java.nio.file.Paths.get(WeightMarks.of(new Path(dir.resolve("shorter").toUri())).toUri()),
        marks, java.nio.file.StandardCopyOption.REPLACE_EXISTING);
    assertEquals(expected, describe(WeightedSplits.<Text, LongWritable>of(conf, listing, 50_000L, (k, v) -> v.get())));

    // Cut short, and with two marks swapped (positions no longer ascending).
    java.nio.file.Files.write(marks, java.util.Arrays.copyOf(good, good.length - 5));
    assertEquals(expected, describe(WeightedSplits.<Text, LongWritable>of(conf, listing, 50_000L, (k, v) -> v.get())));
    byte[] swapped = good.clone();
    int header = 4 + 8 + 8 + 4;
    System.arraycopy(good, header, swapped, header + 16, 16);
    System.arraycopy(good, header + 16, swapped, header, 16);
    java.nio.file.Files.write(marks, swapped);
    assertEquals(expected, describe(WeightedSplits.<Text, LongWritable>of(conf, listing, 50_000L, (k, v) -> v.get())));
    // A position past the listing's end, a weight above the total, a count above the bound.
    java.nio.ByteBuffer past = java.nio.ByteBuffer.wrap(good.clone());
    past.putLong(header + 16 * 3, Long.MAX_VALUE);
    java.nio.file.Files.write(marks, past.array());
    assertEquals(expected, describe(WeightedSplits.<Text, LongWritable>of(conf, listing, 50_000L, (k, v) -> v.get())));
    java.nio.ByteBuffer heavy = java.nio.ByteBuffer.wrap(good.clone());
    heavy.putLong(header + 16 * 3 + 8, Long.MAX_VALUE);
    java.nio.file.Files.write(marks, heavy.array());
    assertEquals(expected, describe(WeightedSplits.<Text, LongWritable>of(conf, listing, 50_000L, (k, v) -> v.get())));
    java.nio.ByteBuffer many = java.nio.ByteBuffer.wrap(good.clone());
    many.putInt(header - 4, WeightMarks.MAX_MARKS + 1);
    java.nio.file.Files.write(marks, many.array());
    assertEquals(expected, describe(WeightedSplits.<Text, LongWritable>of(conf, listing, 50_000L, (k, v) -> v.get())));
    // Not a file at all.
    java.nio.file.Files.delete(marks);
    java.nio.file.Files.createDirectory(marks);
    assertEquals(expected, describe(WeightedSplits.<Text, LongWritable>of(conf, listing, 50_000L, (k, v) -> v.get())));
    assertEquals(500, readAll(conf, WeightedSplits.<Text, LongWritable>of(conf, listing, 50_000L,
        (k, v) -> v.get())).size());
  }

  private static WeightedSplit roundTrip(WeightedSplit split) throws Exception {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    split.write(new DataOutputStream(bytes));
    WeightedSplit copy = new WeightedSplit();
    copy.readFields(new DataInputStream(new ByteArrayInputStream(bytes.toByteArray())));
    return copy;
  }
}
