package dev.loft.server.core;

import dev.loft.bus.EventBus;
import dev.loft.protocol.CloseCodes;
import dev.loft.server.events.HubEvents;
import dev.loft.server.stats.Stat;
import dev.loft.server.stats.StatStore;

/**
 * The strike rule: a peer that keeps earning refusals (over its rate limit, errors it is no longer
 * told about, network changes) is disconnected with 4001 after {@code rateLimitMaxStrikes} in ten
 * seconds, and its address cools down ({@link AddressCooldowns}).
 */
final class Strikes {
  private final Evictions evictions;
  private final StatStore counters;
  private final AddressCooldowns cooldowns;
  private final EventBus bus;

  Strikes(Evictions evictions, StatStore counters, AddressCooldowns cooldowns, EventBus bus) {
    this.evictions = evictions;
    this.counters = counters;
    this.cooldowns = cooldowns;
    this.bus = bus;
  }

  /** One strike against {@code peer}; false when it was one too many (the peer is being evicted). */
  boolean strike(Peer peer) {
    if (peer.strikes().tryAcquire()) {
      return true;
    }
    if (evictions.evict(peer, CloseCodes.RATE_LIMIT_EXCEEDED, "Rate limit exceeded")) {
      counters.increment(Stat.EVICTED_RATE_LIMIT);
      cooldowns.penalize(peer.address());
      HubEvents.LimitHit.publish(bus, "rateLimitMaxStrikes", peer.id(), null);
    }
    return false;
  }
}
