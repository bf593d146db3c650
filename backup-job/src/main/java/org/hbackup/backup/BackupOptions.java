package org.hbackup.backup;

import java.util.Objects;

import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.Path;
import org.hbackup.common.point.PointType;

/** What one backup run is asked to do. Immutable; built and validated by {@link Builder}. */
public final class BackupOptions {
  public static final String AUTO = "auto";

  /** What a backup does with an HDFS file that is open for write when it reads it. */
  public enum OpenFiles {
    /** Take it as of its visible length (from a snapshot: the length the snapshot captured), flagged. */
    INCLUDE,
    /** Leave it out of the point, reported. */
    SKIP,
    /** Fail the backup, naming it; nothing is published. */
    FAIL;

    public static OpenFiles parse(String name) {
      try {
        return valueOf(name.trim().toUpperCase(java.util.Locale.ROOT));
      } catch (IllegalArgumentException e) {
        throw new IllegalArgumentException("--open-files is include, skip or fail, not '" + name + "'");
      }
    }

    public String configName() {
      return name().toLowerCase(java.util.Locale.ROOT);
    }
  }

  private final Path source;
  private final Path repository;
  private final PointType type;
  private final boolean snapshot;
  private final boolean accessTimes;
  private final ExcludeRules excludes;
  private final OpenFiles openFiles;

  private BackupOptions(Builder b) {
    this.source = b.source;
    this.repository = b.repository;
    this.type = b.type;
    this.snapshot = b.snapshot;
    this.accessTimes = b.accessTimes;
    this.excludes = b.excludes;
    this.openFiles = b.openFiles;
  }

  public static Builder builder() {
    return new Builder();
  }

  /** A builder holding every option of this one, to change some. */
  public Builder toBuilder() {
    return builder().source(source).repository(repository).type(type).snapshot(snapshot).accessTimes(accessTimes)
        .excludes(excludes).openFiles(openFiles);
  }

  public Path source() {
    return source;
  }

  public Path repository() {
    return repository;
  }

  /** The requested type; null for "auto" (full when the source has no point yet, else incremental). */
  public PointType type() {
    return type;
  }

  /** Whether to make an HDFS source snapshottable when it is not (HDFS superuser only). */
  public boolean snapshot() {
    return snapshot;
  }

  /**
   * Whether an entry records its access time as the source has it now. By default an entry
   * whose type and modification time are those of its base entry keeps the base's access time:
   * reading the source (the previous backup did) moves access times, and a point whose files
   * were only read must not store new metadata for them (FORMAT.md, "Access times").
   */
  public boolean accessTimes() {
    return accessTimes;
  }

  /** The entries left out of the point (--exclude, --exclude-file). */
  public ExcludeRules excludes() {
    return excludes;
  }

  /** What to do with HDFS files open for write (--open-files). */
  public OpenFiles openFiles() {
    return openFiles;
  }

  /** Writes the options into a job configuration (the one place that does). */
  public void writeTo(Configuration conf) {
    conf.set(BackupConfigKeys.SOURCE, source.toString());
    conf.set(BackupConfigKeys.REPOSITORY, repository.toString());
    conf.set(BackupConfigKeys.TYPE, type == null ? AUTO : type.configName());
    conf.setBoolean(BackupConfigKeys.ACCESS_TIMES, accessTimes);
    excludes.writeTo(conf);
    conf.set(BackupConfigKeys.OPEN_FILES, openFiles.configName());
  }

  /** Reads options back from a job configuration. */
  public static BackupOptions readFrom(Configuration conf) {
    return builder().source(new Path(conf.get(BackupConfigKeys.SOURCE)))
        .repository(new Path(conf.get(BackupConfigKeys.REPOSITORY)))
        .type(parseType(conf.get(BackupConfigKeys.TYPE, AUTO)))
        .accessTimes(conf.getBoolean(BackupConfigKeys.ACCESS_TIMES, false))
        .excludes(ExcludeRules.readFrom(conf))
        .openFiles(OpenFiles.parse(conf.get(BackupConfigKeys.OPEN_FILES, OpenFiles.INCLUDE.configName()))).build();
  }

  /** Parses full, incremental, differential, or auto (null). */
  public static PointType parseType(String name) {
    if (AUTO.equals(name)) {
      return null;
    }
    PointType type = PointType.parse(name);
    if (type == PointType.REPAIRED) {
      throw new IllegalArgumentException("a backup is full, incremental, differential or auto; 'repaired' points"
          + " are made by 'hbackup repair points'");
    }
    return type;
  }

  /** Builds options; {@link #build()} rejects incomplete or unsupported combinations. */
  public static final class Builder {
    private Path source;
    private Path repository;
    private PointType type;
    private boolean snapshot;
    private boolean accessTimes;
    private ExcludeRules excludes = ExcludeRules.NONE;
    private OpenFiles openFiles = OpenFiles.INCLUDE;

    public Builder source(Path v) {
      this.source = v;
      return this;
    }

    public Builder repository(Path v) {
      this.repository = v;
      return this;
    }

    public Builder type(PointType v) {
      this.type = v;
      return this;
    }

    public Builder snapshot(boolean v) {
      this.snapshot = v;
      return this;
    }

    public Builder accessTimes(boolean v) {
      this.accessTimes = v;
      return this;
    }

    public Builder excludes(ExcludeRules v) {
      this.excludes = v == null ? ExcludeRules.NONE : v;
      return this;
    }

    public Builder openFiles(OpenFiles v) {
      this.openFiles = v == null ? OpenFiles.INCLUDE : v;
      return this;
    }

    public BackupOptions build() {
      Objects.requireNonNull(source, "a source is required");
      Objects.requireNonNull(repository, "a repository is required");
      return new BackupOptions(this);
    }
  }
}
