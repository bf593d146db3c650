package org.hbackup.common.manifest;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;

import org.hbackup.common.FormatException;
import org.junit.jupiter.api.Test;

class CrossSegmentTreeCheckTest {
  private record Entry(String path, EntryType type) {
  }

  /** Summaries of each segment (through their serialized form), folded in order. */
  private static List<List<String>> fold(List<List<Entry>> segments) throws IOException {
    CrossSegmentTreeCheck check = new CrossSegmentTreeCheck();
    List<List<String>> found = new ArrayList<>();
    for (List<Entry> segment : segments) {
      SegmentTreeSummary.Builder builder = new SegmentTreeSummary.Builder();
      segment.forEach(e -> builder.add(e.path(), e.type()));
      found.add(check.next(roundTrip(builder.build())));
    }
    return found;
  }

  private static SegmentTreeSummary roundTrip(SegmentTreeSummary summary) throws IOException {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    summary.write(new DataOutputStream(bytes));
    return SegmentTreeSummary.read(new DataInputStream(new ByteArrayInputStream(bytes.toByteArray())));
  }

  private static boolean below(String path, String ancestor) {
    return ancestor.isEmpty() ? !path.isEmpty() : path.startsWith(ancestor + "/");
  }

  /** The earlier segments' non-directories that some entry of segment {@code i} lies below, by brute force. */
  private static List<String> expected(List<List<Entry>> segments, int i) {
    List<String> blockers = new ArrayList<>();
    for (int j = 0; j < i; j++) {
      for (Entry q : segments.get(j)) {
        if (q.type() != EntryType.DIRECTORY && segments.get(i).stream().anyMatch(p -> below(p.path(), q.path()))) {
          blockers.add(q.path());
        }
      }
    }
    blockers.sort((a, b) -> Integer.compare(a.length(), b.length()));
    return blockers;
  }

  @Test
  void findsAFileOfAnEarlierSegmentAboveEntriesOfALaterOne() throws IOException {
    List<List<Entry>> segments = List.of(
        List.of(new Entry("", EntryType.DIRECTORY), new Entry("a", EntryType.FILE)),
        List.of(new Entry("a-b", EntryType.FILE)),
        List.of(new Entry("a-c", EntryType.DIRECTORY), new Entry("a/x", EntryType.FILE), new Entry("b", EntryType.FILE)),
        List.of(new Entry("link", EntryType.SYMLINK)),
        List.of(new Entry("link/x", EntryType.DIRECTORY), new Entry("link/x/y", EntryType.FILE)),
        List.of(new Entry("z", EntryType.DIRECTORY), new Entry("z/y", EntryType.FILE)));
    assertEquals(List.of(List.of(), List.of(), List.of("a"), List.of(), List.of("link"), List.of()), fold(segments));
  }

  @Test
  void aRootThatIsNotADirectoryBlocksEveryLaterSegment() throws IOException {
    List<List<Entry>> segments = List.of(List.of(new Entry("", EntryType.FILE)), List.of(new Entry("a", EntryType.FILE)),
        List.of(new Entry("b", EntryType.FILE)));
    assertEquals(List.of(List.of(), List.of(""), List.of("")), fold(segments));
  }

  @Test
  void anHonestTreeCutAnywhereGivesNothing() throws IOException {
    List<Entry> entries = new ArrayList<>();
    entries.add(new Entry("", EntryType.DIRECTORY));
    for (String d : new String[] {"a", "a-b", "a/b", "a/b/c", "b"}) {
      entries.add(new Entry(d, EntryType.DIRECTORY));
    }
    entries.sort((x, y) -> RelativePaths.compare(x.path(), y.path()));
    List<Entry> files = new ArrayList<>(entries);
    for (Entry d : entries) {
      files.add(new Entry(d.path().isEmpty() ? "f" : d.path() + "/f", EntryType.FILE));
    }
    files.sort((x, y) -> RelativePaths.compare(x.path(), y.path()));
    for (int cut = 1; cut < files.size(); cut++) {
      List<List<String>> found = fold(List.of(files.subList(0, cut), files.subList(cut, files.size())));
      assertEquals(List.of(List.of(), List.of()), found, "cut at " + cut);
    }
  }

  /**
   * Random small trees of hostile shapes ('-' and '.' sort before '/'), random types, cut into
   * random segments: the fold finds exactly the blockers a brute-force search finds, and every
   * entry the whole-point check refuses is refused inside its segment or lies in a segment the
   * fold names.
   */
  @Test
  void agreesWithABruteForceSearchAndWithTheWholePointCheck() throws IOException, FormatException {
    Random random = new Random(20261206);
    String[] names = {"a", "b", "a-b", "a.b", "ab"};
    EntryType[] types = {EntryType.DIRECTORY, EntryType.DIRECTORY, EntryType.FILE, EntryType.SYMLINK};
    int blocked = 0;
    for (int round = 0; round < 3000; round++) {
      Map<String, EntryType> tree = new TreeMap<>(RelativePaths::compare);
      tree.put("", random.nextInt(40) == 0 ? EntryType.FILE : EntryType.DIRECTORY);
      int size = 2 + random.nextInt(14);
      while (tree.size() < size) {
        StringBuilder path = new StringBuilder(names[random.nextInt(names.length)]);
        for (int depth = random.nextInt(3); depth > 0; depth--) {
          path.append('/').append(names[random.nextInt(names.length)]);
        }
        tree.put(path.toString(), types[random.nextInt(types.length)]);
      }
      List<Entry> entries = new ArrayList<>();
      tree.forEach((p, t) -> entries.add(new Entry(p, t)));
      List<List<Entry>> segments = new ArrayList<>();
      int from = 0;
      while (from < entries.size()) {
        int to = Math.min(entries.size(), from + 1 + random.nextInt(4));
        segments.add(entries.subList(from, to));
        from = to;
      }
      List<List<String>> found = fold(segments);
      ManifestTreeCheck whole = new ManifestTreeCheck();
      for (int i = 0; i < segments.size(); i++) {
        assertEquals(expected(segments, i), found.get(i), "round " + round + ", segment " + i + " of " + segments);
        ManifestTreeCheck alone = new ManifestTreeCheck();
        for (Entry e : segments.get(i)) {
          boolean refusedWhole = whole.next(e.path(), e.type(), "t") != null;
          boolean refusedAlone = alone.next(e.path(), e.type(), "t") != null;
          assertTrue(!refusedWhole || refusedAlone || !found.get(i).isEmpty(), "round " + round + ": " + e);
        }
        blocked += found.get(i).isEmpty() ? 0 : 1;
      }
    }
    assertTrue(blocked > 100, "the random trees cross the rule at segment boundaries often enough: " + blocked);
  }

  @Test
  void aSegmentThatCouldNotBeReadKeepsOnlyWhatItCannotHaveEnded() throws IOException {
    CrossSegmentTreeCheck check = new CrossSegmentTreeCheck();
    SegmentTreeSummary.Builder first = new SegmentTreeSummary.Builder();
    first.add("", EntryType.DIRECTORY);
    first.add("a", EntryType.FILE);
    check.next(first.build());
    check.skip("a-b", "a-c");
    SegmentTreeSummary.Builder third = new SegmentTreeSummary.Builder();
    third.add("a/x", EntryType.FILE);
    assertEquals(List.of("a"), check.next(third.build()), "'a' spans the unread segment: still above");
  }

  @Test
  void aSummaryThatIsNotConsistentIsRefused() {
    byte[] bytes = {1, 'a', 1, 'b', 2, 1, 0, 0};
    assertThrowsIo(bytes);
  }

  private static void assertThrowsIo(byte[] bytes) {
    try {
      SegmentTreeSummary.read(new DataInputStream(new ByteArrayInputStream(bytes)));
    } catch (IOException expected) {
      return;
    }
    throw new AssertionError("read a summary that is not valid");
  }
}
