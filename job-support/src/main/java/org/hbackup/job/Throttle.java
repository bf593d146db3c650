package org.hbackup.job;

import com.google.common.util.concurrent.RateLimiter;

/**
 * A map task's bandwidth limit ({@code --bandwidth}, in MiB/s per map task like DistCp's
 * {@code -bandwidth}): each block of bytes read or written is paid for before the next one, at
 * Guava's {@link RateLimiter} rate. A limit of 0 or less means none.
 */
public final class Throttle {
  private static final double MIB = 1024.0 * 1024.0;
  private final RateLimiter limiter;

  private Throttle(RateLimiter limiter) {
    this.limiter = limiter;
  }

  /** A throttle of {@code mibPerSecond} MiB/s, or none when it is not positive. */
  public static Throttle of(float mibPerSecond) {
    return new Throttle(mibPerSecond > 0 ? RateLimiter.create(mibPerSecond * MIB) : null);
  }

  public boolean limits() {
    return limiter != null;
  }

  /** Pays for {@code bytes}; returns the milliseconds it waited for them. */
  public long pay(int bytes) {
    if (limiter == null || bytes <= 0) {
      return 0;
    }
    return Math.round(limiter.acquire(bytes) * 1000);
  }
}
