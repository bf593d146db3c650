package org.hbackup.common.repo;

import org.apache.hadoop.fs.Path;

/**
 * What a backup job leaves in its staging directory for {@link PointPublisher}: the same kinds of
 * files as the repository, flat, under the names they will be published with.
 */
public final class StagingLayout {
  public static final String PACKS = "packs";
  public static final String INDEX = "index";
  public static final String SEGMENTS = "segments";
  public static final String MANIFEST = "manifest.json";
  public static final String CHANGES = "manifest.changes";

  private final Path root;

  public StagingLayout(Path root) {
    this.root = root;
  }

  public Path root() {
    return root;
  }

  public Path packsDir() {
    return new Path(root, PACKS);
  }

  public Path indexDir() {
    return new Path(root, INDEX);
  }

  public Path segmentsDir() {
    return new Path(root, SEGMENTS);
  }

  /** The change list, staged when the point has a base. */
  public Path changes() {
    return new Path(root, CHANGES);
  }

  public Path manifest() {
    return new Path(root, MANIFEST);
  }
}
