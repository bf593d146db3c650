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
 * A point's manifest: the ordered list of segments that hold its entries, with totals
 * ({@code manifests/<point>.json}). Holds one row per segment, about one per thousand entries.
 */
public final class ManifestList {
  public static final String FORMAT = "hbackup-manifest";
  /** Version 2 adds the {@code digest}. */
  public static final int VERSION = 2;
  public static final int MIN_VERSION = 1;
  /** One row per segment, about one per thousand entries: a reader refuses a list past this. */
  static final int MAX_BYTES = 256 << 20;

  private final PointId point;
  private final List<SegmentRef> segments;
  private final ManifestTotals totals;

  public ManifestList(PointId point, List<SegmentRef> segments, ManifestTotals totals) {
    this.point = point;
    this.segments = Collections.unmodifiableList(new ArrayList<>(segments));
    this.totals = totals;
  }

  public PointId point() {
    return point;
  }

  public List<SegmentRef> segments() {
    return segments;
  }

  public ManifestTotals totals() {
    return totals;
  }

  public byte[] toJson() throws IOException {
    ObjectNode root = Json.object();
    root.put("format", FORMAT);
    root.put("version", VERSION);
    root.put("point", point.toString());
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
    ObjectNode root = Json.parse(new java.io.ByteArrayInputStream(bytes), file);
    int version = Json.checkFormat(root, FORMAT, file, MIN_VERSION, VERSION);
    if (version >= 2) {
      JsonDigest.check(bytes, root, file);
    }
    PointId point;
    try {
      point = PointId.parse(Json.requireText(root, "point", file));
    } catch (IllegalArgumentException e) {
      throw new FormatException(file, e.getMessage(), e);
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
      previousLast = last;
      segments.add(new SegmentRef(id, first, last, Json.requireLong(row, "entries", file),
          Json.requireLong(row, "files", file), Json.requireLong(row, "bytes", file)));
    }
    ManifestTotals totals = new ManifestTotals(Json.requireLong(root, "files", file),
        Json.requireLong(root, "directories", file), Json.requireLong(root, "symlinks", file),
        Json.requireLong(root, "bytes", file));
    return new ManifestList(point, segments, totals);
  }
}
