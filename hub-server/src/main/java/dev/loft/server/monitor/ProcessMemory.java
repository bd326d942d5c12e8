package dev.loft.server.monitor;

import java.io.IOException;
import java.lang.management.BufferPoolMXBean;
import java.lang.management.GarbageCollectorMXBean;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryPoolMXBean;
import java.lang.management.MemoryType;
import java.lang.management.MemoryUsage;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.lang.management.OperatingSystemMXBean;

/** Reads the process's memory and CPU figures from the JVM and, where it exists, /proc. */
public final class ProcessMemory {
  private static final Path PROC_STATUS = Path.of("/proc/self/status");

  private ProcessMemory() {}

  /** Heap in use now, garbage included. */
  public static long heapUsed() {
    return ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed();
  }

  public static long heapMax() {
    long max = ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getMax();
    return max > 0 ? max : Runtime.getRuntime().maxMemory();
  }

  /**
   * Heap that survived the last collection of each pool (old generation mostly): the figure that
   * says whether memory is really held, not just not yet collected. Falls back to heap used.
   */
  public static long heapLiveAfterLastGc() {
    long sum = 0;
    for (MemoryPoolMXBean pool : ManagementFactory.getMemoryPoolMXBeans()) {
      if (pool.getType() == MemoryType.HEAP) {
        MemoryUsage after = pool.getCollectionUsage();
        if (after != null) {
          sum += after.getUsed();
        }
      }
    }
    // Before the first collection every pool reports 0: then all we know is what is in use.
    return sum > 0 ? sum : heapUsed();
  }

  /** Resident set size in bytes from /proc/self/status, or -1 where there is no /proc. */
  public static long rss() {
    try {
      List<String> lines = Files.readAllLines(PROC_STATUS);
      for (String line : lines) {
        if (line.startsWith("VmRSS:")) {
          String kb = line.substring(6).trim().split("\\s+")[0];
          return Long.parseLong(kb) * 1024;
        }
      }
    } catch (IOException | RuntimeException e) {
      // not Linux, or /proc hidden: report unknown
    }
    return -1;
  }

  public static long directBuffers() {
    for (BufferPoolMXBean pool : ManagementFactory.getPlatformMXBeans(BufferPoolMXBean.class)) {
      if ("direct".equals(pool.getName())) {
        return pool.getMemoryUsed();
      }
    }
    return -1;
  }

  public static int threads() {
    return ManagementFactory.getThreadMXBean().getThreadCount();
  }

  /** CPU time of the whole process in nanoseconds, or -1 if the JVM cannot tell. */
  public static long processCpuNanos() {
    OperatingSystemMXBean os = ManagementFactory.getOperatingSystemMXBean();
    if (os instanceof com.sun.management.OperatingSystemMXBean sun) {
      return sun.getProcessCpuTime();
    }
    return -1;
  }

  public static long gcCount() {
    long n = 0;
    for (GarbageCollectorMXBean gc : ManagementFactory.getGarbageCollectorMXBeans()) {
      n += Math.max(0, gc.getCollectionCount());
    }
    return n;
  }
}
