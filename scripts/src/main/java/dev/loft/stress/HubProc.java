package dev.loft.stress;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * The hub's process seen from /proc (Linux), when its pid is known: CPU time even when the hub no
 * longer answers /stats, the bytes it moved through read/write system calls (its sockets, mostly;
 * /stats has no outbound byte counter), and whether it is still alive.
 */
final class HubProc {
  /** Clock ticks per second of /proc/<pid>/stat; 100 on every Linux this runs on (CONFIG_HZ aside). */
  private static final double TICKS = 100.0;

  final long pid;

  HubProc(long pid) {
    this.pid = pid;
  }

  boolean known() {
    return pid > 0;
  }

  boolean alive() {
    return pid > 0 && ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false);
  }

  /** utime + stime of the process in nanoseconds, -1 if unknown. */
  long cpuNanos() {
    if (pid <= 0) {
      return -1;
    }
    try {
      String s = Files.readString(Path.of("/proc/" + pid + "/stat"));
      String[] f = s.substring(s.lastIndexOf(')') + 2).split(" ");
      // after "pid (comm) ": f[0] is field 3 (state); utime is field 14, stime field 15
      long ticks = Long.parseLong(f[11]) + Long.parseLong(f[12]);
      return (long) (ticks / TICKS * 1e9);
    } catch (IOException | RuntimeException e) {
      return -1;
    }
  }

  /** {rchar, wchar}: bytes through read- and write-like system calls (sockets included), or null. */
  long[] io() {
    if (pid <= 0) {
      return null;
    }
    try {
      long r = -1;
      long w = -1;
      for (String line : Files.readAllLines(Path.of("/proc/" + pid + "/io"))) {
        if (line.startsWith("rchar:")) {
          r = Long.parseLong(line.substring(6).trim());
        } else if (line.startsWith("wchar:")) {
          w = Long.parseLong(line.substring(6).trim());
        }
      }
      return r < 0 || w < 0 ? null : new long[] {r, w};
    } catch (IOException | RuntimeException e) {
      return null;
    }
  }

  /** Resident set size in bytes from /proc/<pid>/status (VmRSS), -1 if unknown. */
  long rssBytes() {
    if (pid <= 0) {
      return -1;
    }
    try {
      for (String line : Files.readAllLines(Path.of("/proc/" + pid + "/status"))) {
        if (line.startsWith("VmRSS:")) {
          return Long.parseLong(line.substring(6).trim().split("\\s+")[0]) * 1024;
        }
      }
    } catch (IOException | RuntimeException e) {
      // unknown
    }
    return -1;
  }
}
