package org.hbackup.prune;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Collectors;

import org.hbackup.common.id.PointId;
import org.hbackup.common.point.PointRecord;
import org.hbackup.common.point.PointType;
import org.junit.jupiter.api.Test;

/**
 * The --keep-* rules against fixed point times, with restic's meaning: its documented example,
 * each rule on calendar boundaries (UTC; ISO weeks), durations relative to the newest point, ties,
 * and the reasons a point is kept.
 */
class RetentionTest {
  private static final Instant NOW = Instant.parse("2030-01-01T00:00:00Z");

  private static PointRecord at(String time) {
    return at(time, PointId.create(Instant.parse(time)));
  }

  private static PointRecord at(String time, PointId id) {
    return PointRecord.builder(id, PointType.FULL).source("file:/data").created(Instant.parse(time))
        .completed(Instant.parse(time)).totals(0, 1, 0, 0).build();
  }

  private static KeepPolicy last(int n) {
    return new KeepPolicy(n, 0, 0, 0, 0, 0, null);
  }

  private static List<String> keptTimes(Retention.Decision d) {
    return d.kept().stream().map(k -> k.point().created().toString()).collect(Collectors.toList());
  }

  @Test
  void restic_documented_example_keepDaily4_keepsTheLastFourSundays() {
    // restic's doc/060_forget.rst: one backup every Sunday for 12 weeks, then --keep-daily 4.
    List<PointRecord> points = new ArrayList<>();
    for (String day : new String[] {"2019-09-01", "2019-09-08", "2019-09-15", "2019-09-22", "2019-09-29",
        "2019-10-06", "2019-10-13", "2019-10-20", "2019-10-27", "2019-11-03", "2019-11-10", "2019-11-17"}) {
      points.add(at(day + "T11:00:00Z"));
    }
    Retention.Decision d = Retention.apply(points, new KeepPolicy(0, 0, 4, 0, 0, 0, null), NOW);
    assertEquals(List.of("2019-11-17T11:00:00Z", "2019-11-10T11:00:00Z", "2019-11-03T11:00:00Z",
        "2019-10-27T11:00:00Z"), keptTimes(d));
    assertEquals(8, d.removed().size());
    d.kept().forEach(k -> assertEquals(List.of("daily point"), k.reasons()));
  }

  @Test
  void keepLastKeepsTheNewestWhateverTheirOrderInTheList() {
    List<PointRecord> points = List.of(at("2024-01-03T00:00:00Z"), at("2024-01-05T00:00:00Z"),
        at("2024-01-01T00:00:00Z"), at("2024-01-04T00:00:00Z"), at("2024-01-02T00:00:00Z"));
    Retention.Decision d = Retention.apply(points, last(2), NOW);
    assertEquals(List.of("2024-01-05T00:00:00Z", "2024-01-04T00:00:00Z"), keptTimes(d));
    assertEquals(List.of("2024-01-03T00:00:00Z", "2024-01-02T00:00:00Z", "2024-01-01T00:00:00Z"),
        d.removed().stream().map(p -> p.created().toString()).collect(Collectors.toList()));
  }

  @Test
  void keepHourlyKeepsTheNewestPointOfEachOfTheLastHoursThatHavePoints() {
    List<PointRecord> points = List.of(at("2024-03-01T10:05:00Z"), at("2024-03-01T10:30:00Z"),
        at("2024-03-01T10:55:00Z"), at("2024-03-01T11:10:00Z"), at("2024-03-01T14:00:00Z"));
    Retention.Decision d = Retention.apply(points, new KeepPolicy(0, 3, 0, 0, 0, 0, null), NOW);
    // 14:00, then 11:10 (hour 11), then 10:55 (the newest of hour 10); 12 and 13 have no points.
    assertEquals(List.of("2024-03-01T14:00:00Z", "2024-03-01T11:10:00Z", "2024-03-01T10:55:00Z"), keptTimes(d));
  }

  @Test
  void keepDailyCountsOnlyDaysThatHavePoints() {
    List<PointRecord> points = List.of(at("2024-05-01T08:00:00Z"), at("2024-05-05T08:00:00Z"),
        at("2024-05-09T08:00:00Z"), at("2024-05-10T08:00:00Z"), at("2024-05-10T20:00:00Z"));
    Retention.Decision d = Retention.apply(points, new KeepPolicy(0, 0, 3, 0, 0, 0, null), NOW);
    assertEquals(List.of("2024-05-10T20:00:00Z", "2024-05-09T08:00:00Z", "2024-05-05T08:00:00Z"), keptTimes(d));
  }

  @Test
  void keepWeeklyUsesIsoWeeksFromMondayAcrossTheTurnOfTheYear() {
    // Sat 2019-08-31 and Sun 2019-09-01 are ISO week 35, Mon 2019-09-02 week 36.
    Retention.Decision d = Retention.apply(List.of(at("2019-08-31T12:00:00Z"), at("2019-09-01T12:00:00Z"),
        at("2019-09-02T12:00:00Z")), new KeepPolicy(0, 0, 0, 2, 0, 0, null), NOW);
    assertEquals(List.of("2019-09-02T12:00:00Z", "2019-09-01T12:00:00Z"), keptTimes(d));
    // Thu 2020-12-31 and Fri 2021-01-01 are both ISO week 53 of 2020: one bucket.
    Retention.Decision turn = Retention.apply(List.of(at("2020-12-31T12:00:00Z"), at("2021-01-01T12:00:00Z")),
        new KeepPolicy(0, 0, 0, 1, 0, 0, null), NOW);
    assertEquals(List.of("2021-01-01T12:00:00Z"), keptTimes(turn));
  }

  @Test
  void keepMonthlyAndYearlyTakeTheNewestOfEachMonthAndYear() {
    List<PointRecord> points = List.of(at("2022-11-15T00:00:00Z"), at("2022-12-31T23:59:00Z"),
        at("2023-01-01T00:00:00Z"), at("2023-01-20T00:00:00Z"), at("2023-02-02T00:00:00Z"));
    assertEquals(List.of("2023-02-02T00:00:00Z", "2023-01-20T00:00:00Z", "2022-12-31T23:59:00Z"),
        keptTimes(Retention.apply(points, new KeepPolicy(0, 0, 0, 0, 3, 0, null), NOW)));
    assertEquals(List.of("2023-02-02T00:00:00Z", "2022-12-31T23:59:00Z"),
        keptTimes(Retention.apply(points, new KeepPolicy(0, 0, 0, 0, 0, 2, null), NOW)));
  }

  @Test
  void keepWithinIsRelativeToTheNewestPointAndExcludesTheBoundary() {
    List<PointRecord> points = List.of(at("2024-06-10T00:00:00Z"), at("2024-06-09T00:00:01Z"),
        at("2024-06-08T00:00:00Z"), at("2024-06-05T00:00:00Z"));
    Retention.Decision d = Retention.apply(points, new KeepPolicy(0, 0, 0, 0, 0, 0,
        KeepPolicy.Within.parse("2d")), NOW);
    // 2024-06-08T00:00 is exactly two days before the newest: not within (restic: strictly after).
    assertEquals(List.of("2024-06-10T00:00:00Z", "2024-06-09T00:00:01Z"), keptTimes(d));
    assertEquals(List.of("within 2d"), d.kept().get(0).reasons());
  }

  @Test
  void keepWithinIgnoresPointsDatedInTheFutureWhenFindingTheNewest() {
    Instant now = Instant.parse("2024-06-10T12:00:00Z");
    List<PointRecord> points = List.of(at("2024-06-12T00:00:00Z"), at("2024-06-10T11:00:00Z"),
        at("2024-06-08T00:00:00Z"));
    Retention.Decision d = Retention.apply(points, new KeepPolicy(0, 0, 0, 0, 0, 0,
        KeepPolicy.Within.parse("1d")), now);
    assertEquals(List.of("2024-06-12T00:00:00Z", "2024-06-10T11:00:00Z"), keptTimes(d));
  }

  @Test
  void keepWithinCountsMonthsAndYearsOnTheCalendar() {
    List<PointRecord> points = List.of(at("2024-03-31T00:00:00Z"), at("2024-02-29T12:00:00Z"),
        at("2024-02-28T12:00:00Z"));
    // One month before 2024-03-31 is 2024-02-29 (the calendar, not 30 days).
    assertEquals(List.of("2024-03-31T00:00:00Z", "2024-02-29T12:00:00Z"), keptTimes(Retention.apply(points,
        new KeepPolicy(0, 0, 0, 0, 0, 0, KeepPolicy.Within.parse("1m")), NOW)));
  }

  @Test
  void aPointKeptBySeveralRulesNamesEachAndUsesAPlaceOfEach() {
    List<PointRecord> points = List.of(at("2024-01-02T10:00:00Z"), at("2024-01-02T09:00:00Z"),
        at("2024-01-01T10:00:00Z"));
    Retention.Decision d = Retention.apply(points, new KeepPolicy(1, 0, 2, 0, 0, 0, null), NOW);
    assertEquals(List.of("2024-01-02T10:00:00Z", "2024-01-01T10:00:00Z"), keptTimes(d));
    assertEquals(List.of("last point", "daily point"), d.kept().get(0).reasons());
    assertEquals(List.of("daily point"), d.kept().get(1).reasons());
  }

  @Test
  void pointsOfTheSameTimeAreOrderedByIdTheLargerFirst() {
    PointId small = PointId.parse("20240101T000000000Z-00000001");
    PointId large = PointId.parse("20240101T000000000Z-ffffffff");
    Retention.Decision d = Retention.apply(List.of(at("2024-01-01T00:00:00Z", small),
        at("2024-01-01T00:00:00Z", large)), last(1), NOW);
    assertEquals(large, d.kept().get(0).point().id());
    assertEquals(small, d.removed().get(0).id());
  }

  @Test
  void durationsAndEmptyPoliciesAreChecked() {
    assertEquals(new KeepPolicy.Within(1, 2, 3, 4), KeepPolicy.Within.parse("1y2m3d4h"));
    assertEquals(new KeepPolicy.Within(0, 0, 7, 0), KeepPolicy.Within.parse("7d"));
    assertThrows(IllegalArgumentException.class, () -> KeepPolicy.Within.parse("1w"));
    assertThrows(IllegalArgumentException.class, () -> KeepPolicy.Within.parse(""));
    assertThrows(IllegalArgumentException.class, () -> new KeepPolicy(-1, 0, 0, 0, 0, 0, null));
    assertTrue(new KeepPolicy(0, 0, 0, 0, 0, 0, null).isEmpty());
    assertTrue(new KeepPolicy(0, 0, 0, 0, 0, 0, KeepPolicy.Within.parse("0d")).isEmpty());
    assertEquals("keep 2 last, 7 daily points and all points within 1y of the newest",
        new KeepPolicy(2, 0, 7, 0, 0, 0, KeepPolicy.Within.parse("1y")).describe());
    // forget refuses a policy without a rule rather than remove every point.
    assertThrows(IllegalArgumentException.class, () -> new ForgetJob(new org.apache.hadoop.conf.Configuration(),
        new org.apache.hadoop.fs.Path("/r"), null, List.of(), new KeepPolicy(0, 0, 0, 0, 0, 0, null), null, false));
  }

  /**
   * A repaired point carries its original's time; of the two, --keep-last 1 keeps the repaired
   * one, whatever their random id suffixes say (before, it was a coin toss).
   */
  @Test
  void ofARepairedPointAndItsOriginalTheRepairedOneIsNewer() {
    String time = "2024-03-01T00:00:00Z";
    for (String[] suffixes : new String[][] {{"00000001", "ffffffff"}, {"ffffffff", "00000001"}}) {
      PointRecord original = at(time, PointId.parse("20240301T000000000Z-" + suffixes[0]));
      PointRecord repaired = PointRecord.builder(PointId.parse("20240301T000000000Z-" + suffixes[1]),
          PointType.REPAIRED).base(original.id()).source("file:/data").created(Instant.parse(time))
          .completed(Instant.parse(time)).totals(0, 1, 0, 0).build();
      Retention.Decision d = Retention.apply(List.of(original, repaired), last(1), NOW);
      assertEquals(repaired.id(), d.kept().get(0).point().id(), suffixes[1]);
      assertEquals(List.of(original), d.removed());
      List<PointRecord> scanned = new ArrayList<>(List.of(repaired, original));
      scanned.sort(PointRecord.OLDEST_FIRST);
      assertEquals(repaired, scanned.get(1), "the repaired point is the latest");
    }
  }
}
