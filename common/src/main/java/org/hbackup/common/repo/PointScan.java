package org.hbackup.common.repo;

import java.util.List;

import org.hbackup.common.point.PointRecord;

/**
 * The points of a repository, oldest first, and the point records that could not be read
 * (damaged, or of a newer format): those are reported, and every command goes on with the rest.
 */
public record PointScan(List<PointRecord> points, List<Unreadable> unreadable) {
  /** A point record that could not be read, and why. */
  public record Unreadable(String file, String reason) {
  }

  public PointScan {
    points = List.copyOf(points);
    unreadable = List.copyOf(unreadable);
  }

  /** The newest readable point, or null. */
  public PointRecord latest() {
    return points.isEmpty() ? null : points.get(points.size() - 1);
  }
}
