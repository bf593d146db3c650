package org.hbackup.verify;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;

import org.apache.hadoop.fs.FileStatus;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.apache.hadoop.io.SequenceFile;
import org.apache.hadoop.io.Text;
import org.apache.hadoop.mapreduce.Counters;

/**
 * What a verify found: its figures, and the damaged repository files and affected point files,
 * which stay on disk (they may be many) and are streamed by {@link #damaged} and
 * {@link #affected}; {@link #close} removes them.
 */
public final class VerifyResult implements AutoCloseable {
  /** A visitor of report records. */
  public interface Visitor {
    /** Returns false to stop. */
    boolean visit(String first, String second) throws IOException;
  }

  private final Path repository;
  private final ReadData readData;
  private final Counters counters;
  private final FileSystem fs;
  private final Path work;
  private final List<Path> damage;
  private final Path affected;
  private final long durationMs;
  private long damagedFiles = -1;

  VerifyResult(Path repository, ReadData readData, Counters counters, FileSystem fs, Path work, List<Path> damage,
      Path affected, long durationMs) {
    this.repository = repository;
    this.readData = readData;
    this.counters = counters;
    this.fs = fs;
    this.work = work;
    this.damage = damage;
    this.affected = affected;
    this.durationMs = durationMs;
  }

  public Path repository() {
    return repository;
  }

  public ReadData readData() {
    return readData;
  }

  public long get(VerifyCounters counter) {
    return counters.findCounter(counter).getValue();
  }

  public long durationMs() {
    return durationMs;
  }

  /** Damaged or missing repository files, counted once each time a check names one. */
  public long damagedFiles() throws IOException {
    if (damagedFiles < 0) {
      long[] n = {0};
      damaged((file, reason) -> {
        n[0]++;
        return true;
      });
      damagedFiles = n[0];
    }
    return damagedFiles;
  }

  /** Whether anything is damaged or missing. */
  public boolean damageFound() throws IOException {
    return damagedFiles() > 0 || get(VerifyCounters.MISSING_CHUNKS) > 0 || get(VerifyCounters.AFFECTED_FILES) > 0;
  }

  /** Visits each damaged repository file: (file, reason). */
  public void damaged(Visitor visitor) throws IOException {
    for (Path p : damage) {
      if (!visit(p, visitor)) {
        return;
      }
    }
  }

  /** Visits each file of a point that cannot be restored, by point then path: (point, path + NUL + reason). */
  public void affected(Visitor visitor) throws IOException {
    if (affected != null) {
      visit(affected, visitor);
    }
  }

  private boolean visit(Path fileOrDir, Visitor visitor) throws IOException {
    if (!fs.exists(fileOrDir)) {
      return true;
    }
    List<Path> files = new ArrayList<>();
    if (fs.getFileStatus(fileOrDir).isDirectory()) {
      for (FileStatus s : fs.listStatus(fileOrDir, p -> p.getName().startsWith("part-"))) {
        files.add(s.getPath());
      }
      files.sort(null);
    } else {
      files.add(fileOrDir);
    }
    Text first = new Text();
    Text second = new Text();
    for (Path f : files) {
      try (SequenceFile.Reader in = new SequenceFile.Reader(fs.getConf(), SequenceFile.Reader.file(f))) {
        while (in.next(first, second)) {
          if (!visitor.visit(first.toString(), second.toString())) {
            return false;
          }
        }
      }
    }
    return true;
  }

  @Override
  public void close() throws IOException {
    fs.delete(work, true);
  }
}
