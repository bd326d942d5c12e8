package dev.loft.client;

import java.time.Duration;
import java.util.Objects;

/**
 * Exponential backoff with full jitter, bounded below and above.
 *
 * <p>Before reconnect attempt {@code n} (counting from 1) the client waits a delay drawn uniformly
 * from {@code [minDelay, ceiling(n)]}, where {@code ceiling(n) = min(maxDelay, minDelay * 2^n)}.
 * The window doubles with each failure (so a hub that is down is not hammered) and the whole
 * window is random (so a thousand clients dropped by one hub restart do not come back in step);
 * the floor keeps even the luckiest client from retrying in a tight loop.
 *
 * <p>Immutable. {@link #delay(int, double)} is a pure function, so tests check it without sleeping.
 */
public final class ReconnectPolicy {
  /** {@link #maxAttempts()} value meaning "never give up". */
  public static final int UNLIMITED = 0;

  private final Duration minDelay;
  private final Duration maxDelay;
  private final int maxAttempts;

  private ReconnectPolicy(Duration minDelay, Duration maxDelay, int maxAttempts) {
    this.minDelay = minDelay;
    this.maxDelay = maxDelay;
    this.maxAttempts = maxAttempts;
  }

  /** Backoff between {@code minDelay} and {@code maxDelay}, retrying forever. */
  public static ReconnectPolicy exponential(Duration minDelay, Duration maxDelay) {
    Objects.requireNonNull(minDelay, "minDelay");
    Objects.requireNonNull(maxDelay, "maxDelay");
    if (minDelay.isNegative() || minDelay.isZero()) {
      throw new IllegalArgumentException("minDelay must be positive, got " + minDelay);
    }
    if (maxDelay.compareTo(minDelay) < 0) {
      throw new IllegalArgumentException("maxDelay " + maxDelay + " is below minDelay " + minDelay);
    }
    return new ReconnectPolicy(minDelay, maxDelay, UNLIMITED);
  }

  /** This policy, giving up after {@code attempts} consecutive failed reconnects (0: never). */
  public ReconnectPolicy withMaxAttempts(int attempts) {
    if (attempts < 0) {
      throw new IllegalArgumentException("maxAttempts must be 0 (unlimited) or more, got " + attempts);
    }
    return new ReconnectPolicy(minDelay, maxDelay, attempts);
  }

  /** A policy that never reconnects: the first lost connection makes the client give up. */
  public static ReconnectPolicy never() {
    return new ReconnectPolicy(Duration.ofMillis(1), Duration.ofMillis(1), -1);
  }

  public Duration minDelay() {
    return minDelay;
  }

  public Duration maxDelay() {
    return maxDelay;
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
    if (attempt < 1) {
      throw new IllegalArgumentException("attempts count from 1, got " + attempt);
    }
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
    if (!(random >= 0.0 && random < 1.0)) {
      throw new IllegalArgumentException("random must be in [0, 1), got " + random);
    }
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
        + "]";
  }
}
