package org.hbackup.cli;

import java.io.IOException;
import java.io.PrintStream;
import java.time.Instant;

import com.fasterxml.jackson.core.JsonEncoding;
import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import org.hbackup.common.Printable;
import org.hbackup.common.manifest.ChangeKind;
import org.hbackup.common.manifest.ManifestEntry;

/**
 * Prints manifest entries as they stream by, as text lines or as one JSON document written
 * incrementally, so that listing a point of millions of files never holds them in memory.
 */
final class EntryPrinter implements AutoCloseable {
  private final PrintStream out;
  private final JsonGenerator json;
  private boolean finished;

  private EntryPrinter(PrintStream out, JsonGenerator json) {
    this.out = out;
    this.json = json;
  }

  static EntryPrinter text(PrintStream out) {
    return new EntryPrinter(out, null);
  }

  /**
   * Opens {@code {"<field>": value, ..., "<arrayName>": [} ; {@link #close} ends both once
   * {@link #finish} has been called.
   */
  static EntryPrinter json(PrintStream out, String[][] fields, String arrayName) throws IOException {
    JsonGenerator g = new JsonFactory().createGenerator(out, JsonEncoding.UTF8);
    g.useDefaultPrettyPrinter();
    g.writeStartObject();
    for (String[] field : fields) {
      g.writeStringField(field[0], field[1]);
    }
    g.writeArrayFieldStart(arrayName);
    return new EntryPrinter(out, g);
  }

  void print(ManifestEntry e, ChangeKind change) throws IOException {
    String type = e.type().name().toLowerCase(java.util.Locale.ROOT);
    String path = e.path().isEmpty() ? "." : e.path();
    if (json == null) {
      String prefix = change == null ? "" : String.format("%-12s ", change.reportName());
      out.printf("%s%-9s %s %-10s %-10s %14d %s %s%n", prefix, type, modeString(e.permission()),
          Printable.escape(e.owner()), Printable.escape(e.group()), e.length(),
          Instant.ofEpochMilli(e.modificationTime()), Printable.escape(path));
      return;
    }
    json.writeStartObject();
    json.writeStringField("path", path);
    if (change != null) {
      json.writeStringField("change", change.reportName());
    }
    json.writeStringField("type", type);
    json.writeNumberField("size", e.length());
    json.writeNumberField("mtime", e.modificationTime());
    json.writeStringField("permission", String.format("%04o", e.permission()));
    json.writeStringField("owner", e.owner());
    json.writeStringField("group", e.group());
    json.writeEndObject();
  }

  /** The mode as ls prints it: rwx for each class, with s/S for setuid and setgid and t/T for sticky. */
  static String modeString(short mode) {
    char[] c = new char[9];
    String rwx = "rwx";
    for (int i = 0; i < 9; i++) {
      c[i] = (mode & (1 << (8 - i))) != 0 ? rwx.charAt(i % 3) : '-';
    }
    c[2] = special(c[2], (mode & 04000) != 0, 's');
    c[5] = special(c[5], (mode & 02000) != 0, 's');
    c[8] = special(c[8], (mode & 01000) != 0, 't');
    return new String(c);
  }

  private static char special(char execute, boolean set, char letter) {
    if (!set) {
      return execute;
    }
    return execute == 'x' ? letter : Character.toUpperCase(letter);
  }

  /**
   * Ends the entries and opens a list of paths under {@code arrayName} (text: a comment line
   * {@code # title}), for {@link #path}.
   */
  void startPaths(String arrayName, String title) throws IOException {
    if (json == null) {
      out.println("# " + title);
      return;
    }
    json.writeEndArray();
    json.writeArrayFieldStart(arrayName);
  }

  /** One path of the list opened by {@link #startPaths}. */
  void path(String label, String path) throws IOException {
    if (json == null) {
      out.printf("%-12s %s%n", label, Printable.escape(path));
    } else {
      json.writeString(path);
    }
  }

  /** Says that every entry was printed: only then does {@link #close} end the JSON document. */
  void finish() {
    finished = true;
  }

  /**
   * Ends the output. A JSON document that damage cut short is left unterminated, so that no
   * parser takes its shorter list for the whole point (the command exits 3 and names the file).
   */
  @Override
  public void close() throws IOException {
    if (json != null && !finished) {
      json.flush();
      out.println();
    } else if (json != null) {
      json.writeEndArray();
      json.writeStringField("version", org.hbackup.common.HbackupVersion.get());
      json.writeEndObject();
      json.flush();
      out.println();
    }
    out.flush();
  }
}
