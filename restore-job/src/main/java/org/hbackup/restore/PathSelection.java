package org.hbackup.restore;

import java.util.List;

import org.hbackup.common.manifest.RelativePaths;

/** Which manifest entries a restore writes: all of them, or those at or under selected paths. */
final class PathSelection {
  private final List<String> paths;

  PathSelection(List<String> paths) {
    this.paths = paths;
  }

  List<String> paths() {
    return paths;
  }

  /** Whether a run of paths from {@code first} to {@code last} (manifest order) may hold a selected path. */
  boolean mayHoldAnyIn(String first, String last) {
    if (paths.isEmpty()) {
      return true;
    }
    for (String p : paths) {
      if (RelativePaths.mayHoldUnder(first, last, p)) {
        return true;
      }
    }
    return false;
  }

  /**
   * {@link #selects}, and marks in {@code matched} (one flag per selected path) every selected
   * path that {@code path} is at or under.
   */
  boolean selects(String path, boolean[] matched) {
    if (paths.isEmpty()) {
      return true;
    }
    boolean any = false;
    for (int i = 0; i < paths.size(); i++) {
      if (RelativePaths.isAtOrUnder(path, paths.get(i))) {
        matched[i] = true;
        any = true;
      }
    }
    return any;
  }

  /** Whether {@code path} is selected, or lies under a selected path. */
  boolean selects(String path) {
    if (paths.isEmpty()) {
      return true;
    }
    for (String p : paths) {
      if (RelativePaths.isAtOrUnder(path, p)) {
        return true;
      }
    }
    return false;
  }
}
