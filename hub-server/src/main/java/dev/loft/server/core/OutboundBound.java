package dev.loft.server.core;

import dev.loft.bus.EventBus;
import dev.loft.protocol.CloseCodes;
import dev.loft.server.config.HubConfig;
import dev.loft.server.budget.MemoryBudget;
import dev.loft.server.events.HubEvents;
import dev.loft.server.stats.Stat;
import dev.loft.server.stats.StatStore;
import dev.loft.server.link.OutboundFrame;
import dev.loft.server.link.PeerLink;

/**
 * Decides, for every frame about to be queued to a peer, whether its backlog may take it. Past the
 * high watermark (bytes) or the frame cap the frame is dropped and the peer evicted 4000; a
 * backlogged peer is charged to the memory budget at once and evicted 4006 while the budget is
 * full. So the hub's heap for backlogs is bounded by the budget whatever the peers do.
 */
final class OutboundBound implements Peer.SendPolicy {
  /**
   * A peer's backlog is worth the budget's attention from here on: below it a frame costs one
   * counter read; above it the frame is charged to the budget's outbound estimate at once.
   */
  static final long BACKLOG_FLOOR = 64 * 1024;

  private final HubConfig config;
  private final StatStore counters;
  private final MemoryBudget budget;
  private final Evictions evictions;
  private final EventBus bus;

  OutboundBound(HubConfig config, StatStore counters, MemoryBudget budget, Evictions evictions, EventBus bus) {
    this.config = config;
    this.counters = counters;
    this.budget = budget;
    this.evictions = evictions;
    this.bus = bus;
  }

  @Override
  public boolean admit(Peer peer, OutboundFrame frame) {
    PeerLink link = peer.link();
    long pending = link.pendingBytes();
    if (pending + frame.size() >= BACKLOG_FLOOR && !admitBacklogged(peer, frame.size())) {
      return false;
    }
    if (pending + frame.size() <= config.outboundHighWatermarkBytes()
        && link.queuedFrames() < config.maxQueuedFrames()) {
      counters.increment(Stat.FRAMES_OUT);
      return true;
    }
    peer.countDropped();
    counters.increment(Stat.DROPPED);
    int queued = link.queuedFrames();
    if (evictions.evict(peer, CloseCodes.SLOW_CONSUMER, "Slow consumer: outbound backlog over the high watermark")) {
      counters.increment(Stat.EVICTED_SLOW);
      bus.publish(new HubEvents.SlowPeerEvicted(peer, pending, queued));
    }
    return false;
  }

  /**
   * A frame for a peer that already has a backlog: charged to the budget at once. While the
   * budget is full such a peer is evicted (4006, its backlog freed): it is one of the accounts that
   * fill it, and it must not grow it further while the sweeper's next tick is half a second away.
   */
  private boolean admitBacklogged(Peer peer, long size) {
    budget.outboundQueued(size);
    if (!budget.full()) {
      return true;
    }
    peer.countDropped();
    counters.increment(Stat.DROPPED);
    if (evictions.evict(peer, CloseCodes.OVER_BUDGET, "Evicted: largest memory account over the hub's budget")) {
      counters.increment(Stat.EVICTED_OVER_BUDGET);
    }
    return false;
  }
}
