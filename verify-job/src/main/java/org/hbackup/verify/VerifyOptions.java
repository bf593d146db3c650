package org.hbackup.verify;

import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

import org.apache.hadoop.fs.Path;
import org.hbackup.common.id.PointId;

/** What one verify is asked to do. Immutable; built and validated by {@link Builder}. */
public final class VerifyOptions {
  private final Path repository;
  private final List<PointId> points;
  private final ReadData readData;

  private VerifyOptions(Builder b) {
    this.repository = b.repository;
    this.points = List.copyOf(b.points);
    this.readData = b.readData;
  }

  public static Builder builder() {
    return new Builder();
  }

  public Path repository() {
    return repository;
  }

  /** The points to check; empty means every point. */
  public List<PointId> points() {
    return points;
  }

  public ReadData readData() {
    return readData;
  }

  /** Builds options; {@link #build()} rejects incomplete ones. */
  public static final class Builder {
    private Path repository;
    private final List<PointId> points = new ArrayList<>();
    private ReadData readData = ReadData.NONE;

    public Builder repository(Path v) {
      this.repository = v;
      return this;
    }

    public Builder point(PointId v) {
      if (!points.contains(v)) {
        points.add(v);
      }
      return this;
    }

    public Builder readData(ReadData v) {
      this.readData = v;
      return this;
    }

    public VerifyOptions build() {
      Objects.requireNonNull(repository, "a repository is required");
      Objects.requireNonNull(readData, "a read-data mode is required");
      return new VerifyOptions(this);
    }
  }
}
