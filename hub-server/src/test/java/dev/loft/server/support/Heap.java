package dev.loft.server.support;

import java.lang.management.ManagementFactory;

/** Used heap after a full collection: the figure that says what is really retained. */
public final class Heap {
  private Heap() {}

  public static long usedAfterGc() {
    for (int i = 0; i < 3; i++) {
      System.gc();
    }
    return ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed();
  }

  public static String mb(long bytes) {
    return String.format("%.1f MB", bytes / (1024.0 * 1024.0));
  }
}
