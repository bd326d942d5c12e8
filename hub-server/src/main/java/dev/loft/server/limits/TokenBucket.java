package dev.loft.server.limits;

import java.util.function.LongSupplier;

/**
 * A token bucket on an injected monotonic clock, so tests move time instead of sleeping. Not
 * thread-safe: each bucket belongs to one thread (a peer's decoder thread) or is guarded by its
 * owner.
 */
public final class TokenBucket {
  private static final long NANOS_PER_SECOND = 1_000_000_000L;

  private final double tokensPerNano;
  private final double capacity;
  private final LongSupplier ticker;
  private double tokens;
  private long lastRefill;

  public TokenBucket(double tokensPerSecond, double capacity, LongSupplier ticker) {
    this(tokensPerSecond, capacity, capacity, ticker);
  }

  /** A bucket that starts with {@code initial} tokens instead of full (a peer on probation). */
  public TokenBucket(double tokensPerSecond, double capacity, double initial, LongSupplier ticker) {
    if (tokensPerSecond <= 0 || capacity < 1 || initial < 0 || initial > capacity) {
      throw new IllegalArgumentException("rate must be > 0, capacity >= 1, 0 <= initial <= capacity");
    }
    this.tokensPerNano = tokensPerSecond / NANOS_PER_SECOND;
    this.capacity = capacity;
    this.ticker = ticker;
    this.tokens = initial;
    this.lastRefill = ticker.getAsLong();
  }

  /** Takes one token if there is one. */
  public boolean tryAcquire() {
    refill();
    if (tokens >= 1) {
      tokens -= 1;
      return true;
    }
    return false;
  }

  /** Nanoseconds until one token is available (0 if one is available now). */
  public long nanosUntilNextToken() {
    refill();
    return tokens >= 1 ? 0 : (long) Math.ceil((1 - tokens) / tokensPerNano);
  }

  private void refill() {
    long now = ticker.getAsLong();
    long elapsed = now - lastRefill;
    if (elapsed > 0) {
      tokens = Math.min(capacity, tokens + elapsed * tokensPerNano);
      lastRefill = now;
    }
  }
}
