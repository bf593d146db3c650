package org.hbackup.common;

import java.io.IOException;
import java.io.InputStream;
import java.util.Properties;

/**
 * The version of hbackup that is running, as the build recorded it: shown by {@code hbackup
 * --version}, in every {@code --json} report, and in each point record it writes.
 */
public final class HbackupVersion {
  private static final String RESOURCE = "hbackup-version.properties";
  private static final String VERSION = load();

  private HbackupVersion() {
  }

  /** The project version, e.g. {@code 0.1.0}; "unknown" when the classes were not built by Maven. */
  public static String get() {
    return VERSION;
  }

  private static String load() {
    try (InputStream in = HbackupVersion.class.getResourceAsStream(RESOURCE)) {
      if (in == null) {
        return "unknown";
      }
      Properties p = new Properties();
      p.load(in);
      String v = p.getProperty("version", "unknown");
      return v.startsWith("${") ? "unknown" : v;
    } catch (IOException e) {
      return "unknown";
    }
  }
}
