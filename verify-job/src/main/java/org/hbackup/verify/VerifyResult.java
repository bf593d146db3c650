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

  /** Index files with rows that name blobs their packs do not hold: how many rows, and the first. */
  private final java.util.Map<String, String[]> dangling = new java.util.TreeMap<>();

  VerifyResult(Path repository, ReadData readData, Counters counters, FileSystem fs, Path work, List<Path> damage,
      Path danglingRows, Path affected, long durationMs) throws IOException {
    this.repository = repository;
    this.readData = readData;
    this.counters = counters;
    this.fs = fs;
    this.work = work;
    this.damage = damage;
    this.affected = affected;
    this.durationMs = durationMs;
    // One line per index file, however many of its rows dangle. Memory: one entry per index file.
    visit(danglingRows, (file, reason) -> {
      String[] seen = dangling.computeIfAbsent(file, f -> new String[] {"0", reason});
      seen[0] = Long.toString(Long.parseLong(seen[0]) + 1);
      return true;
    });
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
    for (java.util.Map.Entry<String, String[]> e : dangling.entrySet()) {
      String rows = e.getValue()[0];
      if (!visitor.visit(e.getKey(), rows + " row(s) name blobs their packs do not hold; the first: "
          + e.getValue()[1])) {
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

  /**
   * The path of an affected row that stands for a whole point (its record or manifest list is
   * damaged): "/", which no manifest path can be (FORMAT.md section 2: no leading "/"; "" is the
   * backed-up directory itself), so that no entry's name is taken for it.
   */
  public static final String WHOLE_POINT = "/";

  /** How a report shows an affected path: the whole point in words, a file by its path. */
  public static String describe(String path) {
    return path.equals(WHOLE_POINT) ? "(the whole point)" : path;
  }

  /** One file of a point that cannot be restored ({@link #WHOLE_POINT} for all of them). */
  public record Affected(String point, String path, String reason) {
  }

  /** Reads the affected files one at a time, by point then path; null after the last. */
  public interface AffectedReader extends AutoCloseable {
    Affected next() throws IOException;

    @Override
    void close() throws IOException;
  }

  /** A reader of the affected files (the report is one file: one reducer wrote it). */
  public AffectedReader affectedReader() throws IOException {
    if (affected == null || !fs.exists(new Path(affected, "part-r-00000"))) {
      return new AffectedReader() {
        @Override
        public Affected next() {
          return null;
        }

        @Override
        public void close() {
        }
      };
    }
    SequenceFile.Reader in = new SequenceFile.Reader(fs.getConf(),
        SequenceFile.Reader.file(new Path(affected, "part-r-00000")));
    Text point = new Text();
    Text pathAndReason = new Text();
    return new AffectedReader() {
      @Override
      public Affected next() throws IOException {
        if (!in.next(point, pathAndReason)) {
          return null;
        }
        String v = pathAndReason.toString();
        int nul = v.indexOf('\0');
        return new Affected(point.toString(), v.substring(0, nul), v.substring(nul + 1));
      }

      @Override
      public void close() throws IOException {
        in.close();
      }
    };
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
