package org.hbackup.backup;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;

import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FSDataOutputStream;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.apache.hadoop.io.SequenceFile;
import org.apache.hadoop.io.Text;
import org.hbackup.common.io.FileSystems;

/**
 * The source entries a backup could not take as they are, as the reducer met them in path order:
 * unreadable files and directories, and special files. A SequenceFile of (path, reason) at
 * {@link BackupConfigKeys#SKIPPED_REPORT} (paths may hold tabs and newlines), written only when
 * there is something to say; the driver reads it for the report and deletes it. Memory: none.
 */
public final class SkippedReport implements AutoCloseable {
  private final Configuration conf;
  private final Path file;
  private FSDataOutputStream stream;
  private SequenceFile.Writer writer;
  private final Text path = new Text();
  private final Text reason = new Text();
  /** How a special file's reason starts; an unreadable entry's starts with {@link #UNREADABLE_PREFIX}. */
  static final String SPECIAL_PREFIX = "special file: ";
  static final String UNREADABLE_PREFIX = "unreadable: ";
  /** How the reason of a file open for write starts, whether it was left out or taken. */
  static final String OPEN_PREFIX = "open for write: ";
  /** How the reason of a file that changed while it was read starts (it is in the point as read). */
  static final String CHANGING_PREFIX = "changed while read: ";

  SkippedReport(Configuration conf, BackupSettings settings) {
    this.conf = conf;
    this.file = settings.skippedReport();
  }

  void report(String entryPath, ShuffleRecord record) throws IOException {
    if (file == null) {
      return;
    }
    if (writer == null) {
      FileSystem fs = FileSystems.raw(file, conf);
      stream = FileSystems.createOwnerOnly(fs, file, true);
      writer = SequenceFile.createWriter(conf, SequenceFile.Writer.stream(stream),
          SequenceFile.Writer.keyClass(Text.class), SequenceFile.Writer.valueClass(Text.class),
          SequenceFile.Writer.compression(SequenceFile.CompressionType.NONE));
    }
    path.set(entryPath);
    reason.set(prefix(record.skippedBecause()) + record.skipReason());
    writer.append(path, reason);
  }

  private static String prefix(byte why) {
    switch (why) {
      case ShuffleRecord.SPECIAL:
        return SPECIAL_PREFIX;
      case ShuffleRecord.OPEN_FOR_WRITE:
        return OPEN_PREFIX;
      case ShuffleRecord.CHANGING:
        return CHANGING_PREFIX;
      default:
        return UNREADABLE_PREFIX;
    }
  }

  @Override
  public void close() throws IOException {
    if (writer != null) {
      writer.close();
      // The writer does not close a stream it was given.
      FileSystems.sync(stream);
      stream.close();
      writer = null;
    }
  }

  /** One entry of the report. */
  public record Skipped(String path, String reason) {
    /** Whether this is a file open for write (taken or left out), not an unreadable or special one. */
    public boolean openForWrite() {
      return reason.startsWith(OPEN_PREFIX);
    }

    /** Whether this is a file that changed while it was read (in the point as read). */
    public boolean changing() {
      return reason.startsWith(CHANGING_PREFIX);
    }

    /** Whether the entry is not in the point (an open file that was taken, or a changing one, is). */
    public boolean leftOut() {
      return !reason.startsWith(OPEN_PREFIX + OPEN_TAKEN) && !changing();
    }
  }

  /** The reason of an open file that the point holds as of its visible length. */
  static final String OPEN_TAKEN = "taken as of its visible length";

  /** Reads up to {@code limit} entries of a report, deleting it; none when it was not written. */
  static List<Skipped> readAndDelete(Path file, Configuration conf, int limit) throws IOException {
    List<Skipped> entries = new ArrayList<>();
    FileSystem fs = FileSystems.raw(file, conf);
    if (!fs.exists(file)) {
      return entries;
    }
    Text p = new Text();
    Text r = new Text();
    try (SequenceFile.Reader in = new SequenceFile.Reader(conf, SequenceFile.Reader.file(fs.makeQualified(file)))) {
      while (entries.size() < limit && in.next(p, r)) {
        entries.add(new Skipped(p.toString(), r.toString()));
      }
    } finally {
      fs.delete(file, false);
    }
    return entries;
  }
}
