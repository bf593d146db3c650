package org.hbackup.common.manifest;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import org.hbackup.common.FormatException;
import org.junit.jupiter.api.Test;

class ManifestTreeCheckTest {
  /** Paths in manifest order with their types; returns the refused ones. */
  private static List<String> refused(Map<String, EntryType> entries) throws FormatException {
    ManifestTreeCheck check = new ManifestTreeCheck();
    List<String> refused = new ArrayList<>();
    for (Map.Entry<String, EntryType> e : entries.entrySet()) {
      if (check.next(e.getKey(), e.getValue(), "test") != null) {
        refused.add(e.getKey());
      }
    }
    return refused;
  }

  private static Map<String, EntryType> hostileTree() {
    Map<String, EntryType> entries = new LinkedHashMap<>();
    entries.put("", EntryType.DIRECTORY);
    entries.put("a", EntryType.DIRECTORY);
    entries.put("a-b", EntryType.FILE);
    entries.put("a/x", EntryType.FILE);
    entries.put("link", EntryType.SYMLINK);
    entries.put("link-2", EntryType.FILE);
    entries.put("link.txt", EntryType.FILE);
    entries.put("link/pwned", EntryType.FILE);
    entries.put("link/sub", EntryType.DIRECTORY);
    entries.put("link/sub/deeper", EntryType.FILE);
    entries.put("linkz", EntryType.DIRECTORY);
    entries.put("linkz/ok", EntryType.FILE);
    entries.put("plain.txt", EntryType.FILE);
    entries.put("plain.txt/inside", EntryType.FILE);
    entries.put("z", EntryType.DIRECTORY);
    entries.put("z/y", EntryType.FILE);
    return entries;
  }

  @Test
  void refusesEveryEntryBelowASymlinkOrAFileAndNothingElse() throws FormatException {
    assertEquals(List.of("link/pwned", "link/sub", "link/sub/deeper", "plain.txt/inside"), refused(hostileTree()));
  }

  @Test
  void namesTheNonDirectoryAboveARefusedEntry() throws FormatException {
    ManifestTreeCheck check = new ManifestTreeCheck();
    check.next("", EntryType.DIRECTORY, "test");
    check.next("link", EntryType.SYMLINK, "test");
    check.next("link/sub", EntryType.DIRECTORY, "test");
    String reason = check.next("link/sub/deeper", EntryType.FILE, "test");
    assertNotNull(reason);
    assertTrue(reason.startsWith("'link' is not a directory"), reason);
  }

  @Test
  void aRootThatIsNotADirectoryRefusesEverything() throws FormatException {
    Map<String, EntryType> entries = new LinkedHashMap<>();
    entries.put("", EntryType.SYMLINK);
    entries.put("a", EntryType.DIRECTORY);
    entries.put("a/b", EntryType.FILE);
    assertEquals(List.of("a", "a/b"), refused(entries));
  }

  @Test
  void acceptsAManifestWithoutEntriesForSomeParents() throws FormatException {
    // A damaged segment left out by a restore takes parents with it; their children stay fine.
    Map<String, EntryType> entries = new LinkedHashMap<>();
    entries.put("", EntryType.DIRECTORY);
    entries.put("a/b/c", EntryType.FILE);
    entries.put("d/e", EntryType.DIRECTORY);
    assertEquals(List.of(), refused(entries));
  }

  @Test
  void refusesDuplicatedAndMisorderedPaths() throws FormatException {
    ManifestTreeCheck check = new ManifestTreeCheck();
    check.next("", EntryType.DIRECTORY, "test");
    check.next("b", EntryType.FILE, "test");
    assertThrows(FormatException.class, () -> check.next("b", EntryType.FILE, "test"));
    ManifestTreeCheck other = new ManifestTreeCheck();
    other.next("b", EntryType.FILE, "test");
    FormatException e = assertThrows(FormatException.class, () -> other.next("a", EntryType.FILE, "m"));
    assertTrue(e.getMessage().contains("does not follow"), e.getMessage());
  }

  @Test
  void aStateWrittenMidwayContinuesExactlyAsTheWholeCheck() throws IOException {
    Map<String, EntryType> tree = hostileTree();
    List<String> paths = new ArrayList<>(tree.keySet());
    for (int cut = 0; cut <= paths.size(); cut++) {
      ManifestTreeCheck first = new ManifestTreeCheck();
      List<String> refused = new ArrayList<>();
      for (int i = 0; i < cut; i++) {
        if (first.next(paths.get(i), tree.get(paths.get(i)), "test") != null) {
          refused.add(paths.get(i));
        }
      }
      ByteArrayOutputStream bytes = new ByteArrayOutputStream();
      first.write(new DataOutputStream(bytes));
      ManifestTreeCheck second = ManifestTreeCheck.read(new DataInputStream(new ByteArrayInputStream(bytes.toByteArray())));
      for (int i = cut; i < paths.size(); i++) {
        if (second.next(paths.get(i), tree.get(paths.get(i)), "test") != null) {
          refused.add(paths.get(i));
        }
      }
      assertEquals(refused(tree), refused, "cut at " + cut);
    }
  }

  @Test
  void aCopyIsIndependentOfItsOriginal() throws FormatException {
    ManifestTreeCheck check = new ManifestTreeCheck();
    check.next("", EntryType.DIRECTORY, "test");
    check.next("link", EntryType.SYMLINK, "test");
    ManifestTreeCheck copy = check.copy();
    check.next("m", EntryType.DIRECTORY, "test");
    assertNotNull(copy.next("link/x", EntryType.FILE, "test"));
    assertNull(check.next("m/x", EntryType.FILE, "test"));
  }
}
