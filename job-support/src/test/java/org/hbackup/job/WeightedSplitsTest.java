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

  private static WeightedSplit roundTrip(WeightedSplit split) throws Exception {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    split.write(new DataOutputStream(bytes));
    WeightedSplit copy = new WeightedSplit();
    copy.readFields(new DataInputStream(new ByteArrayInputStream(bytes.toByteArray())));
    return copy;
  }
}
