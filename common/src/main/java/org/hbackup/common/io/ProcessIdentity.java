package org.hbackup.common.io;

import java.io.IOException;
import java.net.InetAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.time.Instant;
import java.util.Optional;

/**
 * Who a process is, well enough to tell later whether it still runs: host name, process id and
 * start time, and on Linux the boot id and the PID namespace. Two containers can share a host name
 * (host networking) but not their process ids; a process id is only compared when host, boot and
 * PID namespace are the same as this process's, and otherwise nothing is concluded.
 */
public record ProcessIdentity(String host, long pid, long start, String boot, String pidNamespace, long startTicks) {
  private static final ProcessIdentity CURRENT = current();
  /**
   * How far two readings of one process's start time (ms since the epoch) may differ: the JDK
   * derives it from the boot time in whole seconds, which each JVM reads once and which moves when
   * the wall clock is stepped. Used only when the start in clock ticks since boot is not known.
   */
  private static final long START_TOLERANCE_MS = 2000;

  /** An identity without the start in clock ticks (recorded by an earlier version). */
  public ProcessIdentity(String host, long pid, long start, String boot, String pidNamespace) {
    this(host, pid, start, boot, pidNamespace, 0);
  }

  /** This process. */
  public static ProcessIdentity self() {
    return CURRENT;
  }

  /**
   * Puts this identity's fields into a JSON object, as locks, work directories' owner files and
   * restore staging markers record their process (FORMAT.md, section 12a): {@code host}, {@code
   * pid}, {@code processStart}, {@code boot}, {@code pidNamespace}, {@code processStartTicks}.
   */
  public void writeTo(com.fasterxml.jackson.databind.node.ObjectNode root) {
    root.put("host", host);
    root.put("pid", pid);
    root.put("processStart", start);
    root.put("boot", boot);
    root.put("pidNamespace", pidNamespace);
    root.put("processStartTicks", startTicks);
  }

  /**
   * The identity {@link #writeTo} recorded in {@code root} of {@code file}; host, pid and start
   * are required, the fields later versions added read as unknown when absent.
   */
  public static ProcessIdentity readFrom(com.fasterxml.jackson.databind.JsonNode root, String file)
      throws IOException {
    return new ProcessIdentity(Json.requireText(root, "host", file), Json.requireLong(root, "pid", file),
        Json.requireLong(root, "processStart", file), root.path("boot").asText(""),
        root.path("pidNamespace").asText(""), root.path("processStartTicks").asLong(0));
  }

  private static ProcessIdentity current() {
    ProcessHandle self = ProcessHandle.current();
    return new ProcessIdentity(hostName(), self.pid(), startOf(self),
        read(Paths.get("/proc/sys/kernel/random/boot_id")), link(Paths.get("/proc/self/ns/pid")),
        startTicksOf(self.pid()));
  }

  /**
   * Whether this process is known to be gone: it ran on this host, in this boot and PID namespace,
   * and no process with its id and start time runs now. False when that cannot be told.
   */
  public boolean knownGone() {
    ProcessIdentity here = CURRENT;
    if (pid <= 0 || !host.equals(here.host) || boot.isEmpty() || !boot.equals(here.boot)
        || pidNamespace.isEmpty() || !pidNamespace.equals(here.pidNamespace)) {
      return false;
    }
    Optional<ProcessHandle> process = ProcessHandle.of(pid);
    if (process.isEmpty() || !process.get().isAlive()) {
      return true;
    }
    if (startTicks > 0) {
      // Clock ticks since boot: the wall clock does not move them, so equal means the same process.
      long now = startTicksOf(pid);
      if (now > 0) {
        // A zombie (killed, not yet reaped by its parent) never runs again: gone, though listed.
        return now != startTicks || isZombie(pid);
      }
    }
    long now = startOf(process.get());
    return start != 0 && now != 0 && Math.abs(now - start) > START_TOLERANCE_MS;
  }

  /**
   * A process's start in clock ticks since boot (field 22 of {@code /proc/<pid>/stat}), or 0 where
   * there is no such file. The fields after the command name, which may hold spaces and
   * parentheses, start after its last ')'.
   */
  static long startTicksOf(long pid) {
    try {
      String stat = Files.readString(Paths.get("/proc/" + pid + "/stat"));
      String[] fields = stat.substring(stat.lastIndexOf(')') + 2).trim().split(" ");
      return Long.parseLong(fields[19]);
    } catch (IOException | RuntimeException e) {
      return 0;
    }
  }

  /** Whether a process has ended and waits to be reaped (state Z or X in {@code /proc/<pid>/stat}). */
  static boolean isZombie(long pid) {
    try {
      String stat = Files.readString(Paths.get("/proc/" + pid + "/stat"));
      char state = stat.charAt(stat.lastIndexOf(')') + 2);
      return state == 'Z' || state == 'X';
    } catch (IOException | RuntimeException e) {
      return false;
    }
  }

  private static long startOf(ProcessHandle process) {
    return process.info().startInstant().map(Instant::toEpochMilli).orElse(0L);
  }

  private static String hostName() {
    try {
      return InetAddress.getLocalHost().getHostName();
    } catch (IOException e) {
      return "unknown";
    }
  }

  private static String read(Path file) {
    try {
      return Files.readString(file).trim();
    } catch (IOException | RuntimeException e) {
      return "";
    }
  }

  private static String link(Path file) {
    try {
      return Files.readSymbolicLink(file).toString();
    } catch (IOException | RuntimeException e) {
      return "";
    }
  }
}
