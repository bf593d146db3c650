package org.hbackup.backup;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.GlobPattern;
import org.apache.hadoop.fs.Path;

/**
 * The entries a backup leaves out ({@code --exclude}, {@code --exclude-file}), as restic's
 * patterns: a pattern without {@code /} matches an entry's name at any depth ({@code *.tmp},
 * {@code .cache}); one with {@code /} matches its path under the source, component by component
 * ({@code logs/*.gz}, {@code /tmp}; a leading {@code /} is the source itself), where {@code **}
 * stands for any number of components. Within a component Hadoop's {@link GlobPattern} syntax
 * applies ({@code * ? [a-z] {a,b}}). An excluded directory is not listed, so nothing under it is
 * either. Matching is per component because Hadoop's globs let {@code *} cross {@code /}.
 */
public final class ExcludeRules {
  /** No entry is excluded. */
  public static final ExcludeRules NONE = new ExcludeRules(List.of());

  private final List<String> patterns;
  private final List<GlobPattern> namePatterns = new ArrayList<>();
  /** Each path pattern as its components; null stands for {@code **}. */
  private final List<GlobPattern[]> pathPatterns = new ArrayList<>();

  public ExcludeRules(List<String> patterns) {
    this.patterns = List.copyOf(patterns);
    for (String p : patterns) {
      String pattern = p.strip();
      if (pattern.isEmpty()) {
        throw new IllegalArgumentException("an empty exclude pattern");
      }
      if (pattern.indexOf('\n') >= 0 || pattern.indexOf('\r') >= 0 || pattern.indexOf('\0') >= 0) {
        throw new IllegalArgumentException("exclude pattern '" + pattern.replace("\n", "\\n")
            + "' holds a line break or NUL; give each pattern on its own");
      }
      if (pattern.startsWith("./")) {
        // The source itself, as a leading '/' says.
        pattern = pattern.substring(1);
      }
      if (!pattern.contains("/")) {
        namePatterns.add(compile(pattern));
        continue;
      }
      String anchored = pattern.startsWith("/") ? pattern.substring(1) : pattern;
      if (anchored.endsWith("/")) {
        anchored = anchored.substring(0, anchored.length() - 1);
      }
      String[] parts = anchored.split("/", -1);
      GlobPattern[] compiled = new GlobPattern[parts.length];
      for (int i = 0; i < parts.length; i++) {
        if (parts[i].isEmpty()) {
          throw new IllegalArgumentException("exclude pattern '" + pattern + "' has an empty component");
        }
        compiled[i] = parts[i].equals("**") ? null : compile(parts[i]);
      }
      pathPatterns.add(compiled);
    }
  }

  private static GlobPattern compile(String glob) {
    try {
      return new GlobPattern(glob);
    } catch (RuntimeException e) {
      // GlobPattern's own IllegalArgumentException, or re2j's PatternSyntaxException.
      throw new IllegalArgumentException("exclude pattern '" + glob + "': " + e.getMessage(), e);
    }
  }

  /** The patterns as given. */
  public List<String> patterns() {
    return patterns;
  }

  public boolean isEmpty() {
    return patterns.isEmpty();
  }

  /** Whether the entry at {@code relative} (a manifest path, never the root) is left out. */
  public boolean excludes(String relative) {
    if (relative.isEmpty() || patterns.isEmpty()) {
      return false;
    }
    String name = relative.substring(relative.lastIndexOf('/') + 1);
    for (GlobPattern p : namePatterns) {
      if (p.matches(name)) {
        return true;
      }
    }
    if (pathPatterns.isEmpty()) {
      return false;
    }
    String[] components = relative.split("/");
    for (GlobPattern[] p : pathPatterns) {
      if (matches(p, 0, components, 0)) {
        return true;
      }
    }
    return false;
  }

  private static boolean matches(GlobPattern[] pattern, int pi, String[] path, int ci) {
    if (pi == pattern.length) {
      return ci == path.length;
    }
    if (pattern[pi] == null) {
      // "**": zero or more components.
      for (int skip = ci; skip <= path.length; skip++) {
        if (matches(pattern, pi + 1, path, skip)) {
          return true;
        }
      }
      return false;
    }
    return ci < path.length && pattern[pi].matches(path[ci]) && matches(pattern, pi + 1, path, ci + 1);
  }

  /** Writes the patterns into a job configuration, one per line (a glob may hold commas). */
  void writeTo(Configuration conf) {
    conf.set(BackupConfigKeys.EXCLUDE, String.join("\n", patterns));
  }

  /** The rules a job configuration holds. */
  public static ExcludeRules readFrom(Configuration conf) {
    String joined = conf.get(BackupConfigKeys.EXCLUDE, "");
    List<String> list = new ArrayList<>();
    for (String line : joined.split("\n")) {
      if (!line.isBlank()) {
        list.add(line);
      }
    }
    return list.isEmpty() ? NONE : new ExcludeRules(list);
  }

  /**
   * The patterns of an exclude file, one per line; blank lines and lines starting with {@code #}
   * are ignored. Read through Hadoop's file systems, so an Oozie workflow can keep it on HDFS.
   */
  public static List<String> readFile(Path file, Configuration conf) throws IOException {
    List<String> list = new ArrayList<>();
    FileSystem fs = file.getFileSystem(conf);
    try (BufferedReader in = new BufferedReader(new InputStreamReader(fs.open(file), StandardCharsets.UTF_8))) {
      String line;
      boolean first = true;
      while ((line = in.readLine()) != null) {
        if (first && line.startsWith("\uFEFF")) {
          // A byte order mark some editors write.
          line = line.substring(1);
        }
        first = false;
        String p = line.strip();
        if (!p.isEmpty() && !p.startsWith("#")) {
          list.add(p);
        }
      }
    }
    return list;
  }
}
