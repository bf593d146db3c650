package org.hbackup.restore;

import java.util.List;

/** Which manifest entries a restore writes: all of them, or those at or under selected paths. */
final class PathSelection {
  private final List<String> paths;

  PathSelection(List<String> paths) {
    this.paths = paths;
  }

  List<String> paths() {
    return paths;
  }

  /** Whether {@code path} is selected, or lies under a selected path. */
  boolean selects(String path) {
    if (paths.isEmpty()) {
      return true;
    }
    for (String p : paths) {
      if (p.isEmpty() || path.equals(p) || path.startsWith(p + "/")) {
        return true;
      }
    }
    return false;
  }
}
