package org.hbackup.common.manifest;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;

import org.apache.hadoop.fs.Path;

/**
 * Manifest paths: relative to the backed-up root, {@code /}-separated, never {@code .},
 * {@code ..} or empty components; the empty string is the root itself. This class is the guard
 * that keeps a hostile manifest from writing outside a restore target.
 */
public final class RelativePaths {
  public static final String ROOT = "";

  private RelativePaths() {
  }

  /** Returns the reason the path is unsafe, or null when it is a valid manifest path. */
  public static String problem(String path) {
    if (path == null) {
      return "path is missing";
    }
    if (path.isEmpty()) {
      return null;
    }
    if (path.indexOf('\0') >= 0) {
      return "path holds a NUL character";
    }
    if (path.startsWith("/")) {
      return "path is absolute";
    }
    // A scan rather than split("/"): this runs for every entry decoded or built.
    int start = 0;
    while (true) {
      int slash = path.indexOf('/', start);
      int end = slash < 0 ? path.length() : slash;
      if (end == start) {
        return "path has an empty component";
      }
      if (path.charAt(start) == '.' && (end - start == 1 || end - start == 2 && path.charAt(start + 1) == '.')) {
        return "path has a '" + path.substring(start, end) + "' component";
      }
      if (slash < 0) {
        return null;
      }
      start = slash + 1;
    }
  }

  /**
   * A path as a user types it (leading or trailing slashes allowed) in manifest form; the result
   * still needs {@link #problem} before use.
   */
  public static String fromUserPath(String path) {
    int start = 0;
    int end = path.length();
    while (start < end && path.charAt(start) == '/') {
      start++;
    }
    while (end > start && path.charAt(end - 1) == '/') {
      end--;
    }
    return path.substring(start, end);
  }

  /**
   * Orders paths as their UTF-8 bytes, unsigned: the order of manifests and of the shuffle.
   * Without encoding them: up to the first character that differs, both encode alike, and two
   * characters outside the surrogate range order as their code points, which is their UTF-8
   * bytes' order. Only a surrogate there or just before (a pair, or an unpaired one that UTF-8
   * encodes as '?') is compared by encoding. Encoding every time was 7% of what a backup with
   * nothing changed allocated (296 MB on 200,000 files), in looking paths up in the base.
   */
  public static int compare(String a, String b) {
    int length = Math.min(a.length(), b.length());
    int i = 0;
    while (i < length && a.charAt(i) == b.charAt(i)) {
      i++;
    }
    boolean surrogateNear = (i > 0 && Character.isSurrogate(a.charAt(i - 1)))
        || (i < a.length() && Character.isSurrogate(a.charAt(i)))
        || (i < b.length() && Character.isSurrogate(b.charAt(i)));
    if (surrogateNear) {
      return Integer.signum(Arrays.compareUnsigned(a.getBytes(StandardCharsets.UTF_8), b.getBytes(StandardCharsets.UTF_8)));
    }
    if (i == length) {
      return Integer.signum(a.length() - b.length());
    }
    return a.charAt(i) < b.charAt(i) ? -1 : 1;
  }

  /**
   * Whether a run of manifest paths from {@code first} to {@code last} may hold {@code prefix} or
   * a path under it: those sort from {@code prefix} up to {@code prefix + "0"} ('0' follows '/'
   * in byte order). The root prefix {@code ""} is under every run.
   */
  public static boolean mayHoldUnder(String first, String last, String prefix) {
    return prefix.isEmpty() || (compare(last, prefix) >= 0 && compare(first, prefix + "0") < 0);
  }

  /** Whether {@code path} is {@code prefix} or lies under it. */
  public static boolean isAtOrUnder(String path, String prefix) {
    return prefix.isEmpty() || path.equals(prefix) || (path.startsWith(prefix) && path.length() > prefix.length()
        && path.charAt(prefix.length()) == '/');
  }

  public static int depth(String path) {
    if (path.isEmpty()) {
      return 0;
    }
    int depth = 1;
    for (int i = 0; i < path.length(); i++) {
      if (path.charAt(i) == '/') {
        depth++;
      }
    }
    return depth;
  }

  /** The parent of a non-root path ({@link #ROOT} for a top-level name). */
  /** The manifest path of {@code name} inside the directory {@code parent}. */
  public static String child(String parent, String name) {
    return parent.isEmpty() ? name : parent + "/" + name;
  }

  public static String parent(String path) {
    int slash = path.lastIndexOf('/');
    return slash < 0 ? ROOT : path.substring(0, slash);
  }

  /**
   * Places a validated manifest path under a target directory. The path is appended as a plain
   * string, never parsed as a URI, so names with ':' or spaces stay names.
   */
  public static Path resolve(Path target, String path) {
    String problem = problem(path);
    if (problem != null) {
      throw new IllegalArgumentException("refusing manifest path '" + path + "': " + problem);
    }
    if (path.isEmpty()) {
      return target;
    }
    String base = target.toUri().getPath();
    String joined = base.endsWith("/") ? base + path : base + "/" + path;
    return new Path(target.toUri().getScheme(), target.toUri().getAuthority(), joined);
  }

  /** The manifest path of {@code child} under {@code root}, both fully qualified. */
  public static String relativize(Path root, Path child) {
    String rootPath = root.toUri().getPath();
    String childPath = child.toUri().getPath();
    if (childPath.equals(rootPath)) {
      return ROOT;
    }
    String prefix = rootPath.endsWith("/") ? rootPath : rootPath + "/";
    if (!childPath.startsWith(prefix)) {
      throw new IllegalArgumentException(child + " is not under " + root);
    }
    return childPath.substring(prefix.length());
  }
}
