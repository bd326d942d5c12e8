package dev.loft.client;

import static com.google.common.base.Preconditions.checkArgument;
import static com.google.common.base.Preconditions.checkNotNull;

import dev.loft.protocol.CloseCodes;
import java.time.Duration;

/**
 * Exponential backoff with full jitter, bounded below and above.
 *
 * <p>Before reconnect attempt {@code n} (counting from 1) the client waits a delay drawn uniformly
 * from {@code [minDelay, ceiling(n)]}, where {@code ceiling(n) = min(maxDelay, minDelay * 2^n)}.
 * The window doubles with each failure (so a hub that is down is not hammered) and the whole
 * window is random (so a thousand clients dropped by one hub restart do not come back in step);
 * the floor keeps even the luckiest client from retrying in a tight loop.
 *
 * <p>The attempt count goes back to 0 only after a connection that proved itself: one that stayed
 * connected for {@link #stableAfter()}, or that the hub closed cleanly (1000, 1001). A connection
 * the hub evicts right after admitting it (slow consumer 4000, rate limit 4001, memory pressure
 * 4005, try again later 1013, or any other early close) counts as one more failure; otherwise a hub
 * that admits-then-evicts would be hammered at {@code minDelay} for ever.
 *
 * <p>Immutable. {@link #delay(int, double)} and {@link #resetsBackoff(Duration, int)} are pure
 * functions, so tests check them without sleeping.
 */
public final class ReconnectPolicy {
  /** {@link #maxAttempts()} value meaning "never give up". */
  public static final int UNLIMITED = 0;
  /**
   * How long a connection must stay up before it resets the backoff. Longer than the hub takes to
   * evict a fresh peer for cause (its rate-limit strikes are counted over 10 s; slow-consumer and
   * pressure evictions of a new peer come within seconds), short enough that a connection which
   * ran for a while and then dropped reconnects from {@code minDelay}.
   */
  public static final Duration DEFAULT_STABLE_AFTER = Duration.ofSeconds(10);

  private final Duration minDelay;
  private final Duration maxDelay;
  private final int maxAttempts;
  private final Duration stableAfter;

  private ReconnectPolicy(Duration minDelay, Duration maxDelay, int maxAttempts, Duration stableAfter) {
    this.minDelay = minDelay;
    this.maxDelay = maxDelay;
    this.maxAttempts = maxAttempts;
    this.stableAfter = stableAfter;
  }

  /** Backoff between {@code minDelay} and {@code maxDelay}, retrying forever. */
  public static ReconnectPolicy exponential(Duration minDelay, Duration maxDelay) {
    checkNotNull(minDelay, "minDelay");
    checkNotNull(maxDelay, "maxDelay");
    checkArgument(!minDelay.isNegative() && !minDelay.isZero(), "minDelay must be positive, got %s", minDelay);
    checkArgument(maxDelay.compareTo(minDelay) >= 0, "maxDelay must not be below minDelay %s, got %s", minDelay, maxDelay);
    return new ReconnectPolicy(minDelay, maxDelay, UNLIMITED, DEFAULT_STABLE_AFTER);
  }

  /** This policy, giving up after {@code attempts} consecutive failed reconnects (0: never). */
  public ReconnectPolicy withMaxAttempts(int attempts) {
    checkArgument(attempts >= 0, "maxAttempts must be 0 (unlimited) or more, got %s", attempts);
    return new ReconnectPolicy(minDelay, maxDelay, attempts, stableAfter);
  }

  /** This policy, with connections counted as stable (resetting the backoff) after {@code period}. */
  public ReconnectPolicy withStableAfter(Duration period) {
    checkNotNull(period, "stableAfter");
    checkArgument(!period.isNegative(), "stableAfter must not be negative, got %s", period);
    return new ReconnectPolicy(minDelay, maxDelay, maxAttempts, period);
  }

  /** A policy that never reconnects: the first lost connection makes the client give up. */
  public static ReconnectPolicy never() {
    return new ReconnectPolicy(Duration.ofMillis(1), Duration.ofMillis(1), -1, DEFAULT_STABLE_AFTER);
  }

  public Duration minDelay() {
    return minDelay;
  }

  public Duration maxDelay() {
    return maxDelay;
  }

  /** How long a connection must stay up for its loss to reset the backoff. */
  public Duration stableAfter() {
    return stableAfter;
  }

  /**
   * True when losing a connection that was established (announced) for {@code connectedFor} and
   * closed with {@code closeCode} starts the backoff again from attempt 1; false when it counts as
   * one more failed attempt.
   */
  public boolean resetsBackoff(Duration connectedFor, int closeCode) {
    return closeCode == CloseCodes.NORMAL
        || closeCode == CloseCodes.GOING_AWAY
        || connectedFor.compareTo(stableAfter) >= 0;
  }

  /** Consecutive failed attempts allowed; {@link #UNLIMITED} for no limit, -1 for {@link #never()}. */
  public int maxAttempts() {
    return maxAttempts;
  }

  /** True when attempt number {@code attempt} (from 1) may still be made. */
  public boolean allows(int attempt) {
    return maxAttempts == UNLIMITED || (maxAttempts > 0 && attempt <= maxAttempts);
  }

  /** The upper end of the jitter window for attempt {@code attempt} (from 1). */
  public Duration ceiling(int attempt) {
    checkArgument(attempt >= 1, "attempt counts from 1, got %s", attempt);
    long min = minDelay.toNanos();
    long max = maxDelay.toNanos();
    // min * 2^attempt without overflow: stop doubling once past max.
    long ceiling = min;
    for (int i = 0; i < attempt && ceiling < max; i++) {
      ceiling = ceiling > max / 2 ? max : ceiling * 2;
    }
    return Duration.ofNanos(Math.min(ceiling, max));
  }

  /**
   * The delay before attempt {@code attempt} (from 1), for a {@code random} value in [0, 1).
   * Always within {@code [minDelay, min(maxDelay, minDelay * 2^attempt)]}.
   */
  public Duration delay(int attempt, double random) {
    checkArgument(random >= 0.0 && random < 1.0, "random must be in [0, 1), got %s", random);
    long min = minDelay.toNanos();
    long span = ceiling(attempt).toNanos() - min;
    return Duration.ofNanos(min + (long) (random * span));
  }

  @Override
  public String toString() {
    return "ReconnectPolicy[min="
        + minDelay
        + ", max="
        + maxDelay
        + ", maxAttempts="
        + (maxAttempts == UNLIMITED ? "unlimited" : maxAttempts < 0 ? "none" : maxAttempts)
        + ", stableAfter="
        + stableAfter
        + "]";
  }
}
