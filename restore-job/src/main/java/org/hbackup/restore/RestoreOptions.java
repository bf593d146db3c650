package org.hbackup.restore;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Objects;

import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.Path;
import org.hbackup.common.id.PointId;
import org.hbackup.common.manifest.RelativePaths;

/** What one restore is asked to do. Immutable; built and validated by {@link Builder}. */
public final class RestoreOptions {
  private final Path repository;
  private final PointId point;
  private final Path target;
  private final List<String> paths;
  private final boolean overwrite;

  private RestoreOptions(Builder b) {
    this.repository = b.repository;
    this.point = b.point;
    this.target = b.target;
    this.paths = b.wholePoint ? List.of() : Collections.unmodifiableList(new ArrayList<>(b.paths));
    this.overwrite = b.overwrite;
  }

  public static Builder builder() {
    return new Builder();
  }

  public Path repository() {
    return repository;
  }

  public PointId point() {
    return point;
  }

  public Path target() {
    return target;
  }

  /** Selected manifest paths; empty means the whole point. */
  public List<String> paths() {
    return paths;
  }

  public boolean overwrite() {
    return overwrite;
  }

  public Builder toBuilder() {
    Builder b = builder().repository(repository).point(point).target(target).overwrite(overwrite);
    paths.forEach(b::path);
    return b;
  }

  public void writeTo(Configuration conf) {
    conf.set(RestoreConfigKeys.REPOSITORY, repository.toString());
    conf.set(RestoreConfigKeys.POINT, point.toString());
    conf.set(RestoreConfigKeys.TARGET, target.toString());
    conf.setInt(RestoreConfigKeys.PATH_COUNT, paths.size());
    for (int i = 0; i < paths.size(); i++) {
      conf.set(RestoreConfigKeys.PATH_PREFIX + i, paths.get(i));
    }
    conf.setBoolean(RestoreConfigKeys.OVERWRITE, overwrite);
  }

  public static RestoreOptions readFrom(Configuration conf) {
    Builder b = builder().repository(new Path(conf.get(RestoreConfigKeys.REPOSITORY)))
        .point(PointId.parse(conf.get(RestoreConfigKeys.POINT)))
        .target(new Path(conf.get(RestoreConfigKeys.TARGET)))
        .overwrite(conf.getBoolean(RestoreConfigKeys.OVERWRITE, false));
    int count = conf.getInt(RestoreConfigKeys.PATH_COUNT, 0);
    for (int i = 0; i < count; i++) {
      b.path(conf.get(RestoreConfigKeys.PATH_PREFIX + i));
    }
    return b.build();
  }

  /** Builds options; {@link #build()} rejects incomplete ones and unsafe paths. */
  public static final class Builder {
    private Path repository;
    private PointId point;
    private Path target;
    private final List<String> paths = new ArrayList<>();
    /** Whether {@code /} was selected: then every path is. */
    private boolean wholePoint;
    private boolean overwrite;

    public Builder repository(Path v) {
      this.repository = v;
      return this;
    }

    public Builder point(PointId v) {
      this.point = v;
      return this;
    }

    public Builder target(Path v) {
      this.target = v;
      return this;
    }

    /**
     * Adds a selected path; leading and trailing slashes are dropped. Refuses an unsafe one, and
     * an empty one (an unset shell variable, more likely than a wish for everything); {@code /}
     * selects the whole point, whatever else is selected.
     */
    public Builder path(String v) {
      if (v == null || v.isEmpty()) {
        throw new IllegalArgumentException("--path '': an empty path selects nothing (--path / is the whole point)");
      }
      String trimmed = RelativePaths.fromUserPath(v);
      String problem = RelativePaths.problem(trimmed);
      if (problem != null) {
        throw new IllegalArgumentException("--path '" + v + "': " + problem);
      }
      if (trimmed.isEmpty()) {
        wholePoint = true;
      } else {
        paths.add(trimmed);
      }
      return this;
    }

    public Builder overwrite(boolean v) {
      this.overwrite = v;
      return this;
    }

    public RestoreOptions build() {
      Objects.requireNonNull(repository, "a repository is required");
      Objects.requireNonNull(point, "a point is required");
      Objects.requireNonNull(target, "a target is required");
      return new RestoreOptions(this);
    }
  }
}
