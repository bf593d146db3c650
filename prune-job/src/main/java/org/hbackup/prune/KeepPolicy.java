package org.hbackup.prune;

import java.time.Instant;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Which points {@code forget} keeps, with restic's meaning of each rule (README, "Retention"):
 * the last N points; for the last N hours, days, ISO weeks, months and years that have points, the
 * newest point of each; every point within a duration of the newest point. Calendar boundaries
 * are in UTC, so that a policy means the same on every node of a cluster.
 */
public record KeepPolicy(int last, int hourly, int daily, int weekly, int monthly, int yearly, Within within) {
  /** A duration in years, months, days and hours, as restic writes it: {@code 1y2m3d4h}. */
  public record Within(int years, int months, int days, int hours) {
    private static final Pattern FORM = Pattern.compile("(?:(\\d+)y)?(?:(\\d+)m)?(?:(\\d+)d)?(?:(\\d+)h)?");

    public static Within parse(String text) {
      Matcher m = FORM.matcher(text);
      if (text.isEmpty() || !m.matches()) {
        throw new IllegalArgumentException("'" + text + "' is not a duration such as 1y2m3d4h");
      }
      return new Within(group(m, 1), group(m, 2), group(m, 3), group(m, 4));
    }

    private static int group(Matcher m, int n) {
      return m.group(n) == null ? 0 : Integer.parseInt(m.group(n));
    }

    boolean isZero() {
      return years == 0 && months == 0 && days == 0 && hours == 0;
    }

    /** The instant this duration before {@code latest}, calendar-wise as restic's AddDate does. */
    Instant before(Instant latest) {
      return latest.atZone(ZoneOffset.UTC).minusYears(years).minusMonths(months).minusDays(days)
          .minusHours(hours).toInstant();
    }

    @Override
    public String toString() {
      return (years > 0 ? years + "y" : "") + (months > 0 ? months + "m" : "") + (days > 0 ? days + "d" : "")
          + (hours > 0 || isZero() ? hours + "h" : "");
    }
  }

  public KeepPolicy {
    for (int n : new int[] {last, hourly, daily, weekly, monthly, yearly}) {
      if (n < 0) {
        throw new IllegalArgumentException("a --keep-* count must not be negative");
      }
    }
    within = within == null ? new Within(0, 0, 0, 0) : within;
  }

  /** No rule at all: forget refuses it rather than remove every point. */
  public boolean isEmpty() {
    return last == 0 && hourly == 0 && daily == 0 && weekly == 0 && monthly == 0 && yearly == 0 && within.isZero();
  }

  /** The rule's bucket of a point: points in the same bucket compete for one place. */
  enum Rule {
    LAST("last point"),
    HOURLY("hourly point"),
    DAILY("daily point"),
    WEEKLY("weekly point"),
    MONTHLY("monthly point"),
    YEARLY("yearly point");

    final String reason;

    Rule(String reason) {
      this.reason = reason;
    }

    /** The bucket of a point made at {@code time}, the {@code nr}-th newest. */
    long bucket(Instant time, int nr) {
      ZonedDateTime t = time.atZone(ZoneOffset.UTC);
      switch (this) {
        case LAST:
          return nr;
        case HOURLY:
          return t.getYear() * 1_000_000L + t.getMonthValue() * 10_000L + t.getDayOfMonth() * 100L + t.getHour();
        case DAILY:
          return t.getYear() * 10_000L + t.getMonthValue() * 100L + t.getDayOfMonth();
        case WEEKLY:
          return t.get(java.time.temporal.IsoFields.WEEK_BASED_YEAR) * 100L
              + t.get(java.time.temporal.IsoFields.WEEK_OF_WEEK_BASED_YEAR);
        case MONTHLY:
          return t.getYear() * 100L + t.getMonthValue();
        case YEARLY:
        default:
          return t.getYear();
      }
    }
  }

  int count(Rule rule) {
    switch (rule) {
      case LAST:
        return last;
      case HOURLY:
        return hourly;
      case DAILY:
        return daily;
      case WEEKLY:
        return weekly;
      case MONTHLY:
        return monthly;
      case YEARLY:
      default:
        return yearly;
    }
  }

  /** How the policy reads: "keep 2 last, 7 daily points and all within 1m of the newest". */
  public String describe() {
    List<String> parts = new ArrayList<>();
    for (Rule r : Rule.values()) {
      if (count(r) > 0) {
        parts.add(count(r) + " " + r.name().toLowerCase(java.util.Locale.ROOT));
      }
    }
    String s = parts.isEmpty() ? "" : String.join(", ", parts) + " points";
    if (!within.isZero()) {
      s += (s.isEmpty() ? "" : " and ") + "all points within " + within + " of the newest";
    }
    return "keep " + s;
  }
}
