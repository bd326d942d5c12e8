package dev.loft.server.monitor;

import dev.loft.bus.EventBus;
import dev.loft.server.events.HubEvents;
import java.util.function.LongSupplier;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs on the housekeeper every monitor interval: logs one line of memory and load figures, and
 * publishes {@link HubEvents.MemoryPressure} when live heap crosses the pressure ratio (and again,
 * inactive, once it falls below the recovery ratio: the gap keeps it from flapping).
 */
public final class MemoryMonitor implements Runnable {
  private static final Logger LOG = LoggerFactory.getLogger(MemoryMonitor.class);

  private final EventBus bus;
  private final double pressureRatio;
  private final double recoveryRatio;
  private final LongSupplier liveHeap;
  private final Supplier<String> loadSummary;
  private volatile boolean underPressure;

  public MemoryMonitor(
      EventBus bus,
      double pressureRatio,
      double recoveryRatio,
      LongSupplier liveHeap,
      Supplier<String> loadSummary) {
    this.bus = bus;
    this.pressureRatio = pressureRatio;
    this.recoveryRatio = recoveryRatio;
    this.liveHeap = liveHeap;
    this.loadSummary = loadSummary;
  }

  @Override
  public void run() {
    long used = liveHeap.getAsLong();
    long max = ProcessMemory.heapMax();
    double ratio = max > 0 ? used / (double) max : 0;
    LOG.info(
        "memory heapLive={}MB heapUsed={}MB heapMax={}MB rss={}MB direct={}KB threads={} {}",
        used >> 20, ProcessMemory.heapUsed() >> 20, max >> 20, ProcessMemory.rss() >> 20,
        ProcessMemory.directBuffers() >> 10, ProcessMemory.threads(), loadSummary.get());
    if (!underPressure && ratio >= pressureRatio) {
      underPressure = true;
      LOG.warn("memory pressure: live heap at {}% of max; refusing new peers and shedding slow ones",
          Math.round(ratio * 100));
      bus.publish(new HubEvents.MemoryPressure(true, used, max));
    } else if (underPressure && ratio < recoveryRatio) {
      underPressure = false;
      LOG.info("memory pressure over: live heap at {}% of max", Math.round(ratio * 100));
      bus.publish(new HubEvents.MemoryPressure(false, used, max));
    } else if (underPressure) {
      bus.publish(new HubEvents.MemoryPressure(true, used, max)); // still high: shed again
    }
  }

}
