package dev.loft.server.core;

import dev.loft.protocol.CloseCodes;
import dev.loft.server.config.HubConfig;
import dev.loft.server.events.HubEvents;
import dev.loft.server.stats.Stat;
import dev.loft.server.stats.StatStore;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The memory monitor's listener: while the live heap is over the pressure ratio, new peers are
 * refused (1013, by admission) and the peers with the largest backlogs are evicted (4005).
 */
final class LoadShedder {
  private static final Logger LOG = LoggerFactory.getLogger(LoadShedder.class);
  /** At most this many peers are shed per pressure report. */
  static final int MAX_SHED_PER_REPORT = 16;

  private final HubConfig config;
  private final PeerRegistry registry;
  private final StatStore counters;
  private final Evictions evictions;
  private volatile boolean pressure;

  LoadShedder(HubConfig config, PeerRegistry registry, StatStore counters, Evictions evictions) {
    this.config = config;
    this.registry = registry;
    this.counters = counters;
    this.evictions = evictions;
  }

  void onMemoryPressure(HubEvents.MemoryPressure event) {
    pressure = event.active();
    if (event.active()) {
      shedWorstSlowConsumers();
    }
  }

  boolean underPressure() {
    return pressure;
  }

  /** Evicts the peers with the largest backlogs (at least a quarter of the watermark), worst first. */
  private void shedWorstSlowConsumers() {
    long floor = config.outboundHighWatermarkBytes() / 4;
    List<Peer> backlogged = new ArrayList<>();
    for (Peer p : registry.all()) {
      if (p.pendingBytes() >= floor) {
        backlogged.add(p);
      }
    }
    backlogged.sort(Comparator.comparingLong(Peer::pendingBytes).reversed());
    int shed = 0;
    for (Peer p : backlogged) {
      if (shed >= MAX_SHED_PER_REPORT) {
        break;
      }
      if (evictions.evict(p, CloseCodes.SHED_UNDER_PRESSURE, "Shed under memory pressure")) {
        counters.increment(Stat.SHED_UNDER_PRESSURE);
        shed++;
      }
    }
    if (shed > 0) {
      LOG.warn("memory pressure: evicted {} backlogged peers", shed);
    }
  }
}
