package org.hbackup.common.manifest;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import org.hbackup.common.FormatException;
import org.junit.jupiter.api.Test;

class ChangeListTest {

  private static byte[] sample(Map<ChangeKind, Long>[] counts) throws IOException {
    ByteArrayOutputStream file = new ByteArrayOutputStream();
    try (ChangeListWriter w = new ChangeListWriter(file)) {
      w.add(ChangeKind.MODIFIED, "a", null);
      w.add(ChangeKind.UNCHANGED, "b", null);
      w.add(ChangeKind.RENAMED, "c/new", "old/c");
      w.add(ChangeKind.DELETED, "d", null);
      w.add(ChangeKind.TYPE_CHANGED, "e", null);
      w.add(ChangeKind.UNCHANGED, "f", null);
      counts[0] = w.counts();
    }
    return file.toByteArray();
  }

  private static List<String> read(byte[] bytes) throws IOException {
    List<String> out = new ArrayList<>();
    try (ChangeListReader r = new ChangeListReader(new ByteArrayInputStream(bytes), "test")) {
      for (ChangeListReader.Change c = r.next(); c != null; c = r.next()) {
        out.add(c.kind().reportName() + " " + c.path() + (c.from() == null ? "" : " <- " + c.from()));
      }
      assertNull(r.next());
    }
    return out;
  }

  @Test
  @SuppressWarnings("unchecked")
  void listsEveryChangedPathInOrderAndCountsTheUnchanged() throws IOException {
    Map<ChangeKind, Long>[] counts = new Map[1];
    byte[] bytes = sample(counts);
    assertEquals(List.of("modified a", "renamed c/new <- old/c", "deleted d", "type-changed e"), read(bytes));
    assertEquals(2L, counts[0].get(ChangeKind.UNCHANGED));
    assertEquals(1L, counts[0].get(ChangeKind.RENAMED));
    assertEquals(0L, counts[0].get(ChangeKind.ADDED));
  }

  /**
   * A change list copied under another point's name has the right header and checksum; the
   * point record's counts tell it apart when they differ.
   */
  @Test
  @SuppressWarnings("unchecked")
  void aListWhoseCountsAreNotItsRecordsIsRefusedAtItsEnd() throws IOException {
    Map<ChangeKind, Long>[] counts = new Map[1];
    byte[] bytes = sample(counts);
    try (ChangeListReader r = new ChangeListReader(new ByteArrayInputStream(bytes), "test").expecting(counts[0])) {
      int n = 0;
      while (r.next() != null) {
        n++;
      }
      assertEquals(4, n);
    }
    Map<ChangeKind, Long> unchangedDiffer = new java.util.EnumMap<>(counts[0]);
    unchangedDiffer.put(ChangeKind.UNCHANGED, 99L);
    try (ChangeListReader r = new ChangeListReader(new ByteArrayInputStream(bytes), "test")
        .expecting(unchangedDiffer)) {
      while (r.next() != null) {
        continue;
      }
    }
    Map<ChangeKind, Long> other = new java.util.EnumMap<>(counts[0]);
    other.put(ChangeKind.ADDED, 1L);
    other.remove(ChangeKind.DELETED);
    try (ChangeListReader r = new ChangeListReader(new ByteArrayInputStream(bytes), "test").expecting(other)) {
      org.hbackup.common.FormatException e = assertThrows(org.hbackup.common.FormatException.class, () -> {
        while (r.next() != null) {
          continue;
        }
      });
      assertTrue(e.getMessage().contains("not that point's change list"), e.getMessage());
    }
  }

  @Test
  void refusesPathsOutOfOrderOnWrite() throws IOException {
    ChangeListWriter w = new ChangeListWriter(new ByteArrayOutputStream());
    w.add(ChangeKind.ADDED, "b", null);
    assertThrows(IllegalArgumentException.class, () -> w.add(ChangeKind.ADDED, "a", null));
  }

  @Test
  @SuppressWarnings("unchecked")
  void refusesATruncatedOrDamagedList() throws IOException {
    byte[] bytes = sample(new Map[1]);
    byte[] truncated = java.util.Arrays.copyOf(bytes, bytes.length - 6);
    assertThrows(FormatException.class, () -> read(truncated));
    byte[] damaged = bytes.clone();
    damaged[damaged.length / 2 + 4] ^= 0x10;
    assertThrows(IOException.class, () -> read(damaged));
  }
}
