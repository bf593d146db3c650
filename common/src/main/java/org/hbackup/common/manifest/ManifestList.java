package org.hbackup.common.manifest;

import java.io.IOException;
import java.io.InputStream;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.hbackup.common.FormatException;
import org.hbackup.common.id.ContentId;
import org.hbackup.common.id.PointId;
import com.google.common.io.ByteStreams;
import org.hbackup.common.io.Json;
import org.hbackup.common.io.JsonDigest;

/**
 * A point's manifest: the ordered list of segments that hold its entries, with totals. Since
 * version 3 a list names no point and is stored under the SHA-256 of its bytes
 * ({@code manifests/lists/<sha256>.json}), so points whose entries are the same share one list;
 * versions 1 and 2 were one per point ({@code manifests/<point>.json}) and name it. Holds one row
 * per segment, about one per thousand entries.
 */
public final class ManifestList {
  public static final String FORMAT = "hbackup-manifest";
  /** Version 2 adds the {@code digest}; 3 drops {@code point}: the list is named by its content. */
  public static final int VERSION = 3;
  public static final int MIN_VERSION = 1;
  /** The first version without {@code point}, stored under its content's name. */
  public static final int CONTENT_ADDRESSED_SINCE = 3;
  /** One row per segment, about one per thousand entries: a reader refuses a list past this. */
  public static final int MAX_BYTES = 256 << 20;
  /** A segment's entry count is a u32 in its header (FORMAT.md section 9). */
  static final long MAX_SEGMENT_ENTRIES = 0xffffffffL;

  /** The point a version 1 or 2 list names; null for a content-addressed one. */
  private final PointId point;
  private final List<SegmentRef> segments;
  private final ManifestTotals totals;
  /** The SHA-256 of the bytes it was read from, or of {@link #toJson()} once asked. */
  private ContentId contentId;

  /** A list as writers make it: named by its content, no point. */
  public ManifestList(List<SegmentRef> segments, ManifestTotals totals) {
    this(null, segments, totals, null);
  }

  private ManifestList(PointId point, List<SegmentRef> segments, ManifestTotals totals, ContentId contentId) {
    this.point = point;
    this.segments = Collections.unmodifiableList(new ArrayList<>(segments));
    this.totals = totals;
    this.contentId = contentId;
  }

  /** The point a version 1 or 2 list was written for; null for a content-addressed (version 3) list. */
  public PointId point() {
    return point;
  }

  public List<SegmentRef> segments() {
    return segments;
  }

  public ManifestTotals totals() {
    return totals;
  }

  /** The list's name: the SHA-256 of its bytes (as read, or as {@link #toJson()} writes them). */
  public ContentId contentId() throws IOException {
    if (contentId == null) {
      contentId = ContentId.of(toJson());
    }
    return contentId;
  }

  /** The list in the current version; the same list always gives the same bytes. */
  public byte[] toJson() throws IOException {
    ObjectNode root = Json.object();
    root.put("format", FORMAT);
    root.put("version", VERSION);
    root.put("files", totals.files());
    root.put("directories", totals.directories());
    root.put("symlinks", totals.symlinks());
    root.put("bytes", totals.bytes());
    ArrayNode rows = root.putArray("segments");
    for (SegmentRef s : segments) {
      ObjectNode row = rows.addObject();
      row.put("id", s.id().toHex());
      row.put("first", s.firstPath());
      row.put("last", s.lastPath());
      row.put("entries", s.entries());
      row.put("files", s.files());
      row.put("bytes", s.bytes());
    }
    return JsonDigest.write(root);
  }

  public static ManifestList fromJson(InputStream in, String file) throws IOException {
    byte[] bytes = ByteStreams.toByteArray(ByteStreams.limit(in, MAX_BYTES + 1L));
    if (bytes.length > MAX_BYTES) {
      throw new FormatException(file, "a manifest list larger than " + MAX_BYTES + " bytes");
    }
    return fromJson(bytes, file);
  }

  /** Parses a list's bytes (at most {@link #MAX_BYTES}). */
  public static ManifestList fromJson(byte[] bytes, String file) throws IOException {
    ObjectNode root = Json.parse(bytes, file);
    int version = Json.checkFormat(root, FORMAT, file, MIN_VERSION, VERSION);
    if (version >= 2) {
      JsonDigest.check(bytes, root, file);
    }
    PointId point = null;
    if (version < CONTENT_ADDRESSED_SINCE) {
      try {
        point = PointId.parse(Json.requireText(root, "point", file));
      } catch (IllegalArgumentException e) {
        throw new FormatException(file, e.getMessage(), e);
      }
    } else if (root.has("point")) {
      throw new FormatException(file, "a version " + version + " manifest list names no point");
    }
    JsonNode rows = root.get("segments");
    if (rows == null || !rows.isArray()) {
      throw new FormatException(file, "field 'segments' is missing");
    }
    List<SegmentRef> segments = new ArrayList<>(rows.size());
    String previousLast = null;
    for (JsonNode row : rows) {
      ContentId id;
      try {
        id = ContentId.parse(Json.requireText(row, "id", file));
      } catch (IllegalArgumentException e) {
        throw new FormatException(file, e.getMessage(), e);
      }
      String first = Json.requireText(row, "first", file);
      String last = Json.requireText(row, "last", file);
      if (previousLast != null && RelativePaths.compare(previousLast, first) >= 0) {
        throw new FormatException(file, "segments overlap or are out of order at '" + first + "'");
      }
      if (RelativePaths.compare(first, last) > 0) {
        throw new FormatException(file, "segment " + id + " ends at '" + last + "', before its first path");
      }
      previousLast = last;
      long entries = Json.requireLong(row, "entries", file);
      long files = Json.requireLong(row, "files", file);
      long fileBytes = Json.requireLong(row, "bytes", file);
      if (entries < 0 || entries > MAX_SEGMENT_ENTRIES || files < 0 || files > entries || fileBytes < 0) {
        throw new FormatException(file, "segment " + id + " has impossible counts (" + entries + " entries, " + files
            + " files, " + fileBytes + " bytes)");
      }
      segments.add(new SegmentRef(id, first, last, entries, files, fileBytes));
    }
    for (String count : new String[] {"files", "directories", "symlinks", "bytes"}) {
      if (Json.requireLong(root, count, file) < 0) {
        throw new FormatException(file, "field '" + count + "' is negative");
      }
    }
    ManifestTotals totals = new ManifestTotals(Json.requireLong(root, "files", file),
        Json.requireLong(root, "directories", file), Json.requireLong(root, "symlinks", file),
        Json.requireLong(root, "bytes", file));
    return new ManifestList(point, segments, totals, ContentId.of(bytes));
  }
}
