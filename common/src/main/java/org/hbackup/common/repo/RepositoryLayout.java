package org.hbackup.common.repo;

import org.apache.hadoop.fs.Path;
import org.hbackup.common.id.ContentId;
import org.hbackup.common.id.PackId;
import org.hbackup.common.id.PointId;

/** Where each repository file lives (docs/FORMAT.md, "Layout"). Pure path arithmetic. */
public final class RepositoryLayout {
  public static final String CONFIG = "config.json";
  public static final String PACKS = "packs";
  public static final String INDEX = "index";
  public static final String MANIFESTS = "manifests";
  public static final String SEGMENTS = "segments";
  public static final String LISTS = "lists";
  public static final String POINTS = "points";
  public static final String TMP = "tmp";
  public static final String PACK_SUFFIX = ".pack";
  public static final String INDEX_SUFFIX = ".idx";
  public static final String SEGMENT_SUFFIX = ".seg";
  public static final String JSON_SUFFIX = ".json";
  public static final String CHANGES_SUFFIX = ".changes";

  private final Path root;

  public RepositoryLayout(Path root) {
    this.root = root;
  }

  public Path root() {
    return root;
  }

  public Path config() {
    return new Path(root, CONFIG);
  }

  public Path packsDir() {
    return new Path(root, PACKS);
  }

  /** Packs fan out over 256 directories by their first byte, to keep directories small. */
  public Path pack(PackId id) {
    String hex = id.toHex();
    return new Path(new Path(packsDir(), hex.substring(0, 2)), hex + PACK_SUFFIX);
  }

  /**
   * The pack a listed file is, or null when its name and fan-out directory are not exactly those
   * of {@link #pack}: readers open a pack only there, so a file anywhere else (another fan-out
   * directory, upper-case digits) is not that pack, and no job may vouch for or delete it as one.
   */
  public static PackId packAt(Path file) {
    return fannedOut(file, PACK_SUFFIX, PackId::parse, PackId::toHex);
  }

  /** The segment a listed file is, or null when it is not exactly at {@link #segment}'s place. */
  public static ContentId segmentAt(Path file) {
    return fannedOut(file, SEGMENT_SUFFIX, ContentId::parse, ContentId::toHex);
  }

  /** The id a file in a fan-out directory names, when its name and directory are exactly the id's. */
  private static <T> T fannedOut(Path file, String suffix, java.util.function.Function<String, T> parse,
      java.util.function.Function<T, String> hexOf) {
    String stem = stem(file, suffix);
    if (stem == null) {
      return null;
    }
    try {
      T id = parse.apply(stem);
      return isFannedOutAs(file, hexOf.apply(id), suffix) ? id : null;
    } catch (IllegalArgumentException e) {
      return null;
    }
  }

  private static String stem(Path file, String suffix) {
    String name = file.getName();
    return name.endsWith(suffix) ? name.substring(0, name.length() - suffix.length()) : null;
  }

  private static boolean isFannedOutAs(Path file, String hex, String suffix) {
    Path parent = file.getParent();
    return file.getName().equals(hex + suffix) && parent != null && parent.getName().equals(hex.substring(0, 2));
  }

  public Path indexDir() {
    return new Path(root, INDEX);
  }

  /**
   * Whether a name under {@code index/} is an index file's: 64 lower-case hex digits and
   * {@code .idx} (FORMAT.md section 3: readers ignore any other). Every reader of the index uses
   * this one rule: verify ignored a misnamed or stray file that backup and restore opened, so it
   * called files lost that restored (index files renamed to upper case) and passed a point whose
   * restore failed (an unreadable {@code notes.idx}; found by a probe).
   */
  public static boolean isIndexFileName(String name) {
    return name.endsWith(INDEX_SUFFIX) && ContentId.isName(name.substring(0, name.length() - INDEX_SUFFIX.length()));
  }

  public Path index(ContentId id) {
    return new Path(indexDir(), id.toHex() + INDEX_SUFFIX);
  }

  public Path manifestsDir() {
    return new Path(root, MANIFESTS);
  }

  public Path segmentsDir() {
    return new Path(manifestsDir(), SEGMENTS);
  }

  public Path segment(ContentId id) {
    String hex = id.toHex();
    return new Path(new Path(segmentsDir(), hex.substring(0, 2)), hex + SEGMENT_SUFFIX);
  }

  /** A version 1 or 2 manifest list, one per point (written by hbackup before format version 6). */
  public Path manifest(PointId point) {
    return new Path(manifestsDir(), point + JSON_SUFFIX);
  }

  public Path manifestListsDir() {
    return new Path(manifestsDir(), LISTS);
  }

  /** A manifest list named by its content, shared by every point whose entries are the same. */
  public Path manifestList(ContentId id) {
    return new Path(manifestListsDir(), id.toHex() + JSON_SUFFIX);
  }

  /** The manifest list a point record names. */
  public Path manifestOf(org.hbackup.common.point.PointRecord record) {
    return record.manifestList() == null ? manifest(record.id()) : manifestList(record.manifestList());
  }

  /** A point's change list: the paths that differ from its base. */
  public Path changeList(PointId point) {
    return new Path(manifestsDir(), point + CHANGES_SUFFIX);
  }

  public Path pointsDir() {
    return new Path(root, POINTS);
  }

  public Path point(PointId point) {
    return new Path(pointsDir(), point + JSON_SUFFIX);
  }

  public Path tmpDir() {
    return new Path(root, TMP);
  }
}
