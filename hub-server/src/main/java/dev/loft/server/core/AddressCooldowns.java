package dev.loft.server.core;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import java.net.InetAddress;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.function.LongSupplier;

/**
 * Addresses whose peers were evicted for flooding, and until when their new peers are on
 * probation. A flooder that reconnects at once would otherwise get a fresh rate-limit burst with
 * every socket: thousands of connections a minute, each answered 400 times. Each eviction of a
 * peer of the address doubles its cooldown, from {@code --address-cooldown} up to {@link
 * #MAX_FACTOR} times that; while it lasts the address's new peers are admitted on probation: a
 * small first burst ({@link HubCore#PROBATION_BURST}) and a single strike, so a flooder is evicted after
 * a few dozen frames instead of hundreds. Legitimate peers behind the same address (a NAT) still
 * connect and work at the normal rate; they only lose the initial burst while it lasts.
 *
 * <p>Bounded: at most {@link #MAX_ADDRESSES} addresses are remembered (least recently penalised
 * forgotten first), each for at most ten minutes after its last eviction. Threads: any.
 */
final class AddressCooldowns {
  /** Addresses remembered at most. */
  public static final int MAX_ADDRESSES = 10_000;
  /** The longest cooldown, as a multiple of the first (1 s doubling: 64 s). */
  public static final int MAX_FACTOR = 64;

  private record Penalty(int evictions, long untilNanos) {}

  private final long baseNanos;
  private final LongSupplier ticker;
  private final Cache<InetAddress, Penalty> penalties;

  public AddressCooldowns(Duration base, LongSupplier ticker) {
    this.baseNanos = base.toNanos();
    this.ticker = ticker;
    this.penalties = Caffeine.newBuilder()
        .maximumSize(MAX_ADDRESSES)
        .expireAfterWrite(10, TimeUnit.MINUTES)
        .ticker(ticker::getAsLong)
        .executor(Runnable::run) // maintenance inline: no ForkJoinPool work outliving the hub
        .build();
  }

  /** A peer of {@code address} was evicted for flooding: its cooldown starts, or doubles. */
  void penalize(InetAddress address) {
    long now = ticker.getAsLong();
    penalties.asMap().compute(address, (a, p) -> {
      int evictions = p == null ? 1 : p.evictions() + 1;
      long factor = Math.min(MAX_FACTOR, 1L << Math.min(30, evictions - 1));
      return new Penalty(evictions, now + baseNanos * factor);
    });
  }

  /** True while {@code address}'s new peers are on probation. */
  public boolean coolingDown(InetAddress address) {
    Penalty p = penalties.getIfPresent(address);
    return p != null && ticker.getAsLong() - p.untilNanos() < 0;
  }

  /** Addresses remembered now (bounded by {@link #MAX_ADDRESSES}). */
  public long size() {
    return penalties.estimatedSize();
  }
}
