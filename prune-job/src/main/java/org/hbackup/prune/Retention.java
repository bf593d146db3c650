package org.hbackup.prune;

import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

import org.hbackup.common.point.PointRecord;
import org.hbackup.common.point.PointType;

/**
 * Applies a {@link KeepPolicy} to one source's points, as restic's {@code ApplyPolicy} does:
 * points newest first (by the time the backup began; equal times a repaired point first, then by
 * point id, the larger first),
 * and for each point every rule that still has places left keeps it when the point opens a new
 * bucket of that rule, using up one place. A point is kept when any rule keeps it, and carries
 * every rule that did as its reasons; a point that only repeats a bucket another point already
 * took is removed. {@code --keep-within} keeps every point newer than the newest point minus the
 * duration (points dated in the future are not "newest").
 */
public final class Retention {
  /** A point that stays, and why. */
  public record Kept(PointRecord point, List<String> reasons) {
  }

  /** What the policy keeps and removes, newest first. */
  public record Decision(List<Kept> kept, List<PointRecord> removed) {
  }

  private Retention() {
  }

  public static Decision apply(List<PointRecord> points, KeepPolicy policy, Instant now) {
    List<PointRecord> sorted = new ArrayList<>(points);
    // Equal times: a repaired point first, the one to keep rather than its damaged original.
    sorted.sort(Comparator.comparing(PointRecord::created)
        .thenComparing(p -> p.type() == PointType.REPAIRED).thenComparing(p -> p.id().toString()).reversed());
    List<Kept> kept = new ArrayList<>();
    List<PointRecord> removed = new ArrayList<>();
    if (sorted.isEmpty()) {
      return new Decision(kept, removed);
    }
    KeepPolicy.Rule[] rules = KeepPolicy.Rule.values();
    int[] left = new int[rules.length];
    long[] lastBucket = new long[rules.length];
    for (int i = 0; i < rules.length; i++) {
      left[i] = policy.count(rules[i]);
      lastBucket[i] = Long.MIN_VALUE;
    }
    Instant withinFrom = policy.within().isZero() ? null : policy.within().before(latest(sorted, now));
    for (int nr = 0; nr < sorted.size(); nr++) {
      PointRecord p = sorted.get(nr);
      List<String> reasons = new ArrayList<>();
      if (withinFrom != null && p.created().isAfter(withinFrom)) {
        reasons.add("within " + policy.within());
      }
      for (int i = 0; i < rules.length; i++) {
        if (left[i] > 0) {
          long bucket = rules[i].bucket(p.created(), nr);
          if (bucket != lastBucket[i]) {
            lastBucket[i] = bucket;
            left[i]--;
            reasons.add(rules[i].reason);
          }
        }
      }
      if (reasons.isEmpty()) {
        removed.add(p);
      } else {
        kept.add(new Kept(p, List.copyOf(reasons)));
      }
    }
    return new Decision(kept, removed);
  }

  /** The newest point's time that is not in the future, as restic's findLatestTimestamp. */
  private static Instant latest(List<PointRecord> points, Instant now) {
    Instant latest = Instant.EPOCH;
    for (PointRecord p : points) {
      if (p.created().isAfter(latest) && p.created().isBefore(now)) {
        latest = p.created();
      }
    }
    return latest;
  }
}
