package org.hbackup.it;

import java.lang.management.GarbageCollectorMXBean;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryPoolMXBean;
import java.lang.management.MemoryType;
import java.lang.management.MemoryUsage;
import java.util.concurrent.atomic.AtomicLong;

import com.sun.management.GcInfo;
import org.hbackup.cli.Hbackup;

/**
 * Runs hbackup with a thread that, every 100 ms ({@code -Dhbackup.test.heap.sample.ms}), collects
 * the heap in full and takes what the collector left live, as the collector itself measured it
 * when it ended (what the heap holds a moment later includes what running tasks allocated since).
 * The peak of those samples is the most memory the command's driver and, on the local runner, its
 * tasks held at once. Printed to stderr at exit as {@code hbackup-test: peak live heap N}.
 */
public final class HeapSampling {
  static final String MARK = "hbackup-test: peak live heap ";

  private HeapSampling() {
  }

  public static void main(String[] args) throws Exception {
    AtomicLong peak = new AtomicLong();
    long every = Long.getLong("hbackup.test.heap.sample.ms", 100);
    Thread sampler = new Thread(() -> {
      while (true) {
        System.gc();
        peak.accumulateAndGet(liveAfterLastFullGc(), Math::max);
        try {
          Thread.sleep(every);
        } catch (InterruptedException e) {
          return;
        }
      }
    }, "heap-sampler");
    sampler.setDaemon(true);
    sampler.start();
    Runtime.getRuntime().addShutdownHook(new Thread(() -> System.err.println(MARK + peak.get())));
    Hbackup.main(args);
  }

  /** The heap in use when the most recent full collection ended: the old generation's collector's own figure. */
  private static long liveAfterLastFullGc() {
    GcInfo last = null;
    for (GarbageCollectorMXBean gc : ManagementFactory.getGarbageCollectorMXBeans()) {
      GcInfo info = ((com.sun.management.GarbageCollectorMXBean) gc).getLastGcInfo();
      boolean full = gc.getName().equals("MarkSweepCompact") || gc.getName().equals("G1 Old Generation")
          || gc.getName().equals("PS MarkSweep");
      if (full && info != null && (last == null || info.getEndTime() > last.getEndTime())) {
        last = info;
      }
    }
    if (last == null) {
      return 0;
    }
    long used = 0;
    for (MemoryPoolMXBean pool : ManagementFactory.getMemoryPoolMXBeans()) {
      MemoryUsage u = pool.getType() == MemoryType.HEAP ? last.getMemoryUsageAfterGc().get(pool.getName()) : null;
      used += u == null ? 0 : u.getUsed();
    }
    return used;
  }

  /** The peak a child run printed. */
  static long peak(Cli.Result r) {
    int at = r.stderr.lastIndexOf(MARK);
    if (at < 0) {
      throw new AssertionError("no heap sample in " + r);
    }
    return Long.parseLong(r.stderr.substring(at + MARK.length()).trim().split("\\s+")[0]);
  }
}
