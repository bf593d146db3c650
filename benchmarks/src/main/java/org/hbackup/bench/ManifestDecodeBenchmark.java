package org.hbackup.bench;

import java.util.Locale;

import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.Path;
import org.hbackup.common.manifest.ManifestEntry;
import org.hbackup.common.manifest.ManifestList;
import org.hbackup.common.manifest.SegmentReader;
import org.hbackup.common.manifest.SegmentRef;
import org.hbackup.common.repo.Repository;

/**
 * Decodes every segment of a repository's latest point, several passes in one fresh JVM, and
 * prints each pass's time. The first pass is what a backup's driver, map tasks and reducer pay
 * in a short-lived process (code not yet compiled); the later ones the decoding itself. JMH
 * measures only the second kind, which is why this is a plain program.
 *
 * <p>Usage: {@code ManifestDecodeBenchmark REPOSITORY [PASSES]}.
 */
public final class ManifestDecodeBenchmark {
  private ManifestDecodeBenchmark() {
  }

  public static void main(String[] args) throws Exception {
    Repository repository = Repository.open(new Path(args[0]), new Configuration());
    int passes = args.length > 1 ? Integer.parseInt(args[1]) : 6;
    ManifestList list = repository.readManifest(repository.scanPoints().latest().id());
    for (int pass = 1; pass <= passes; pass++) {
      long started = System.nanoTime();
      long entries = 0;
      for (SegmentRef ref : list.segments()) {
        try (SegmentReader reader = repository.openSegment(ref.id())) {
          for (ManifestEntry e = reader.next(); e != null; e = reader.next()) {
            entries++;
          }
        }
      }
      System.out.printf(Locale.ROOT, "pass %d: %,d entries in %d segments, %.1f ms%n", pass, entries,
          list.segments().size(), (System.nanoTime() - started) / 1e6);
    }
  }
}
