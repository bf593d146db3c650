package org.hbackup.common.point;

import java.io.IOException;
import java.io.InputStream;
import java.time.Instant;
import java.util.Collections;
import java.util.EnumMap;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.hbackup.common.FormatException;
import org.hbackup.common.id.ContentId;
import org.hbackup.common.id.PointId;
import org.hbackup.common.repo.RepositoryLayout;
import com.google.common.io.ByteStreams;
import org.hbackup.common.io.Json;
import org.hbackup.common.io.JsonDigest;
import org.hbackup.common.manifest.ChangeKind;

/**
 * A recovery point's record, {@code points/<id>.json}. Its appearance, by one rename, is what
 * makes a point exist: everything it names was published before it.
 */
public final class PointRecord {
  public static final String FORMAT = "hbackup-point";
  /**
   * Version 2 adds {@code changes} and {@code changeList}; 3 the {@code digest} and the
   * {@code repaired} type; 4 names a content-addressed manifest list in {@code manifest}.
   */
  public static final int VERSION = 4;
  /** The first version whose records carry a digest, which readers then require. */
  static final int DIGEST_SINCE = 3;
  public static final int MIN_VERSION = 1;
  /** Records are a few hundred bytes; a reader refuses one past this before parsing it. */
  static final int MAX_BYTES = 1 << 20;

  /**
   * Oldest first: by the time in the id, then a repaired point after any other of the same time
   * (it carries its original's time, and is the one to restore and to keep: a random id suffix
   * must not make the damaged original "latest" or the one --keep-last keeps), then by id.
   */
  public static final java.util.Comparator<PointRecord> OLDEST_FIRST = java.util.Comparator
      .comparing((PointRecord p) -> p.id().created())
      .thenComparing(p -> p.type() == PointType.REPAIRED)
      .thenComparing(PointRecord::id);

  private final PointId id;
  private final PointType type;
  private final PointId base;
  private final Instant created;
  private final Instant completed;
  private final String source;
  private final String snapshot;
  private final long files;
  private final long directories;
  private final long symlinks;
  private final long bytes;
  private final Map<String, Long> counters;
  private final Map<ChangeKind, Long> changes;
  private final boolean hasChangeList;
  private final String hbackupVersion;
  /** The content-addressed manifest list; null for a record naming its point's own list (versions 1-3). */
  private final ContentId manifestList;

  private PointRecord(Builder b) {
    this.id = b.id;
    this.type = b.type;
    this.base = b.base;
    this.created = b.created;
    this.completed = b.completed;
    this.source = b.source;
    this.snapshot = b.snapshot;
    this.files = b.files;
    this.directories = b.directories;
    this.symlinks = b.symlinks;
    this.bytes = b.bytes;
    this.counters = Collections.unmodifiableMap(new LinkedHashMap<>(b.counters));
    this.changes = b.changes == null ? null : Collections.unmodifiableMap(new EnumMap<>(b.changes));
    this.hasChangeList = b.hasChangeList;
    this.hbackupVersion = b.hbackupVersion;
    this.manifestList = b.manifestList;
  }

  public static Builder builder(PointId id, PointType type) {
    return new Builder(id, type);
  }

  public PointId id() {
    return id;
  }

  public PointType type() {
    return type;
  }

  /** The point this one was compared with; null for a full point. */
  public PointId base() {
    return base;
  }

  public Instant created() {
    return created;
  }

  public Instant completed() {
    return completed;
  }

  public String source() {
    return source;
  }

  /** The source snapshot read, or null when the source was read live. */
  public String snapshot() {
    return snapshot;
  }

  public long files() {
    return files;
  }

  public long directories() {
    return directories;
  }

  public long symlinks() {
    return symlinks;
  }

  public long bytes() {
    return bytes;
  }

  /** The backup job's figures (bytesRead, bytesNew, bytesStored, chunksNew, ...). */
  public Map<String, Long> counters() {
    return counters;
  }

  /**
   * How many paths of each kind differ from the base point (unchanged ones included); null for a
   * full point, and for points written before format version 2.
   */
  public Map<ChangeKind, Long> changes() {
    return changes;
  }

  /** The hbackup version that wrote the record; null when an earlier writer did not say. */
  public String hbackupVersion() {
    return hbackupVersion;
  }

  /** Whether the point has a change list ({@link #changeListPath()}). */
  public boolean hasChangeList() {
    return hasChangeList;
  }

  /** The change list's path, relative to the repository root. */
  public String changeListPath() {
    return changeListPath(id);
  }

  private static String changeListPath(PointId id) {
    return "manifests/" + id + ".changes";
  }

  /** Writes change counts as the {@code changes} object holds them: one field per kind's report name. */
  public static void writeChanges(ObjectNode target, Map<ChangeKind, Long> changes) {
    changes.forEach((kind, n) -> target.put(kind.reportName(), n));
  }

  /** Reads change counts written by {@link #writeChanges}; null when {@code node} is absent or not an object. */
  public static Map<ChangeKind, Long> readChanges(JsonNode node) {
    if (node == null || !node.isObject()) {
      return null;
    }
    Map<ChangeKind, Long> counts = new EnumMap<>(ChangeKind.class);
    for (ChangeKind k : ChangeKind.values()) {
      counts.put(k, node.path(k.reportName()).asLong());
    }
    return counts;
  }

  /**
   * The SHA-256 naming the point's manifest list ({@code manifests/lists/<sha256>.json}); null
   * when the record names a list of its own ({@code manifests/<id>.json}, written before version 4).
   */
  public ContentId manifestList() {
    return manifestList;
  }

  /** The manifest list's path, relative to the repository root. */
  public String manifestPath() {
    return manifestList == null ? ownManifestPath(id) : contentManifestPath(manifestList);
  }

  private static String ownManifestPath(PointId id) {
    return "manifests/" + id + ".json";
  }

  /** Where content-addressed lists live, relative to the repository root. */
  private static final String LISTS = RepositoryLayout.MANIFESTS + "/" + RepositoryLayout.LISTS + "/";

  private static String contentManifestPath(ContentId list) {
    return LISTS + list.toHex() + RepositoryLayout.JSON_SUFFIX;
  }

  /**
   * The list a record's {@code manifest} field names: a record of version 4 or later names a list
   * by its content ({@code manifests/lists/<sha256>.json}); one of an earlier version names the
   * point's own ({@code manifests/<point id>.json}, returned as null). Anything else is refused.
   */
  private static ContentId readManifestField(JsonNode manifest, PointId id, int version, String file)
      throws FormatException {
    boolean byContent = version >= 4;
    if (manifest == null || manifest.isNull()) {
      if (byContent) {
        throw new FormatException(file, "field 'manifest' is missing");
      }
      return null;
    }
    String named = manifest.asText();
    if (!byContent) {
      if (!named.equals(ownManifestPath(id))) {
        throw new FormatException(file, "manifest names " + named + ", not this point's manifest list "
            + ownManifestPath(id) + " (as a version " + version + " record must)");
      }
      return null;
    }
    String hex = named.startsWith(LISTS) && named.endsWith(RepositoryLayout.JSON_SUFFIX)
        ? named.substring(LISTS.length(), named.length() - RepositoryLayout.JSON_SUFFIX.length()) : "";
    if (!ContentId.isName(hex)) {
      throw new FormatException(file, "manifest names " + named + ", not manifests/lists/<sha256>.json"
          + " (as a version " + version + " record must)");
    }
    return ContentId.parse(hex);
  }

  public byte[] toJson() throws IOException {
    if (manifestList == null) {
      // Only records read from an earlier version lack one; this writes version VERSION.
      throw new IllegalStateException("point " + id + ": a version " + VERSION
          + " record names its manifest list by content, and none was given");
    }
    ObjectNode root = Json.object();
    root.put("format", FORMAT);
    root.put("version", VERSION);
    root.put("id", id.toString());
    root.put("type", type.configName());
    if (base == null) {
      root.putNull("base");
    } else {
      root.put("base", base.toString());
    }
    root.put("created", created.toString());
    root.put("completed", completed.toString());
    root.put("source", source);
    if (snapshot == null) {
      root.putNull("snapshot");
    } else {
      root.put("snapshot", snapshot);
    }
    root.put("readLive", snapshot == null);
    root.put("manifest", manifestPath());
    root.put("files", files);
    root.put("directories", directories);
    root.put("symlinks", symlinks);
    root.put("bytes", bytes);
    ObjectNode c = root.putObject("counters");
    counters.forEach(c::put);
    if (changes == null) {
      root.putNull("changes");
    } else {
      writeChanges(root.putObject("changes"), changes);
    }
    if (hasChangeList) {
      root.put("changeList", changeListPath());
    } else {
      root.putNull("changeList");
    }
    if (hbackupVersion != null) {
      root.put("hbackupVersion", hbackupVersion);
    }
    return JsonDigest.write(root);
  }

  public static PointRecord fromJson(InputStream in, String file) throws IOException {
    byte[] bytes = ByteStreams.toByteArray(ByteStreams.limit(in, MAX_BYTES + 1));
    if (bytes.length > MAX_BYTES) {
      throw new FormatException(file, "a point record larger than " + MAX_BYTES + " bytes");
    }
    ObjectNode root = Json.parse(bytes, file);
    int version = Json.checkFormat(root, FORMAT, file, MIN_VERSION, VERSION);
    if (version >= DIGEST_SINCE) {
      JsonDigest.check(bytes, root, file);
    }
    try {
      Builder b = builder(PointId.parse(Json.requireText(root, "id", file)),
          PointType.parse(Json.requireText(root, "type", file)));
      JsonNode base = root.get("base");
      if (base != null && !base.isNull()) {
        b.base(PointId.parse(base.asText()));
      }
      JsonNode snapshot = root.get("snapshot");
      b.created(time(root, "created", file))
          .completed(time(root, "completed", file))
          .source(Json.requireText(root, "source", file))
          .snapshot(snapshot == null || snapshot.isNull() ? null : snapshot.asText())
          .totals(Json.requireLong(root, "files", file), Json.requireLong(root, "directories", file),
              Json.requireLong(root, "symlinks", file), Json.requireLong(root, "bytes", file));
      JsonNode counters = root.get("counters");
      if (counters != null && counters.isObject()) {
        for (Iterator<Map.Entry<String, JsonNode>> it = counters.fields(); it.hasNext();) {
          Map.Entry<String, JsonNode> e = it.next();
          b.counter(e.getKey(), e.getValue().asLong());
        }
      }
      b.manifestList(readManifestField(root.get("manifest"), b.id, version, file));
      b.changes(readChanges(root.get("changes")));
      JsonNode changeList = root.get("changeList");
      if (changeList != null && !changeList.isNull()) {
        if (!changeList.asText().equals(changeListPath(b.id))) {
          throw new FormatException(file, "changeList names " + changeList.asText() + ", not this point's change list");
        }
        b.changeList(true);
      }
      JsonNode writer = root.get("hbackupVersion");
      b.hbackupVersion(writer == null || writer.isNull() ? null : writer.asText());
      return b.build();
    } catch (IllegalArgumentException | java.time.format.DateTimeParseException e) {
      throw new FormatException(file, e.getMessage(), e);
    }
  }

  /** The earliest and latest times a record may hold: what a date has, and a point id can say. */
  private static final Instant EARLIEST = Instant.parse("0000-01-01T00:00:00Z");
  private static final Instant LATEST = Instant.parse("9999-12-31T23:59:59.999999999Z");

  /**
   * A time field. An Instant reaches a billion years either way, further than a date does: a
   * record created in year -1,000,000,000 read fine and then failed every retention rule.
   */
  private static Instant time(ObjectNode root, String field, String file) throws FormatException {
    Instant time = Instant.parse(Json.requireText(root, field, file));
    if (time.isBefore(EARLIEST) || time.isAfter(LATEST)) {
      throw new FormatException(file, field + " " + time + " is outside years 0000 to 9999");
    }
    return time;
  }

  /** Builds point records. */
  public static final class Builder {
    private final PointId id;
    private final PointType type;
    private PointId base;
    private Instant created;
    private Instant completed;
    private String source;
    private String snapshot;
    private long files;
    private long directories;
    private long symlinks;
    private long bytes;
    private final Map<String, Long> counters = new LinkedHashMap<>();
    private Map<ChangeKind, Long> changes;
    private boolean hasChangeList;
    private String hbackupVersion = org.hbackup.common.HbackupVersion.get();
    private ContentId manifestList;

    private Builder(PointId id, PointType type) {
      this.id = id;
      this.type = type;
      this.created = id.created();
    }

    /** The content-addressed manifest list (its {@link org.hbackup.common.manifest.ManifestList#contentId()}). */
    public Builder manifestList(ContentId v) {
      this.manifestList = v;
      return this;
    }

    /** The hbackup version that writes the record (the running one unless told). */
    public Builder hbackupVersion(String v) {
      this.hbackupVersion = v;
      return this;
    }

    public Builder base(PointId v) {
      this.base = v;
      return this;
    }

    public Builder created(Instant v) {
      this.created = v;
      return this;
    }

    public Builder completed(Instant v) {
      this.completed = v;
      return this;
    }

    public Builder source(String v) {
      this.source = v;
      return this;
    }

    public Builder snapshot(String v) {
      this.snapshot = v;
      return this;
    }

    public Builder totals(long files, long directories, long symlinks, long bytes) {
      this.files = files;
      this.directories = directories;
      this.symlinks = symlinks;
      this.bytes = bytes;
      return this;
    }

    public Builder counter(String name, long value) {
      counters.put(name, value);
      return this;
    }

    /** Paths of each kind that differ from the base point. */
    public Builder changes(Map<ChangeKind, Long> v) {
      this.changes = v;
      return this;
    }

    /** Whether the point publishes a change list. */
    public Builder changeList(boolean v) {
      this.hasChangeList = v;
      return this;
    }

    public PointRecord build() {
      if (source == null || completed == null) {
        throw new IllegalStateException("a point record needs its source and completion time");
      }
      if ((type == PointType.FULL) != (base == null)) {
        throw new IllegalStateException("a full point has no base; other points have one");
      }
      return new PointRecord(this);
    }
  }
}
