package org.hbackup.common.point;

import java.util.Locale;

/** How a point relates to its base. */
public enum PointType {
  /** Every file re-read and re-hashed; no base. */
  FULL,
  /** Compared with the latest point of the same source. */
  INCREMENTAL,
  /** Compared with the latest full point of the same source. */
  DIFFERENTIAL,
  /**
   * Made by {@code repair points} from its base, a point that names data the repository lost:
   * the base's entries without the files that cannot be restored (its change list names them).
   * Since format version 3 of point records.
   */
  REPAIRED;

  public String configName() {
    return name().toLowerCase(Locale.ROOT);
  }

  public static PointType parse(String name) {
    for (PointType t : values()) {
      if (t.configName().equals(name)) {
        return t;
      }
    }
    throw new IllegalArgumentException("unknown backup type '" + name + "'");
  }
}
