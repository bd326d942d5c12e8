package dev.loft.server.monitor;

import com.sun.management.UnixOperatingSystemMXBean;
import java.lang.management.ManagementFactory;

/** The process's open-file limit and use, where the JVM can tell (Unix); -1 elsewhere. */
public final class FileDescriptors {
  /** Descriptors kept free of peers: jars, logs, epoll, the admin server, and handshakes in flight. */
  public static final int RESERVE_MIN = 256;

  private FileDescriptors() {}

  public static long max() {
    return ManagementFactory.getOperatingSystemMXBean() instanceof UnixOperatingSystemMXBean unix
        ? unix.getMaxFileDescriptorCount() : -1;
  }

  public static long open() {
    return ManagementFactory.getOperatingSystemMXBean() instanceof UnixOperatingSystemMXBean unix
        ? unix.getOpenFileDescriptorCount() : -1;
  }

  /**
   * The peers this process can hold without running out of descriptors: the limit minus a reserve
   * (256 plus the handshakes that may be pending at once). Running out is not graceful in
   * Java-WebSocket 1.6.0: a failed accept closes the listener for good.
   */
  public static int peerCapacity(long limit, int maxPendingHandshakes) {
    if (limit <= 0) {
      return Integer.MAX_VALUE;
    }
    return (int) Math.max(1, Math.min(Integer.MAX_VALUE, limit - RESERVE_MIN - maxPendingHandshakes));
  }
}
