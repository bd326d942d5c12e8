package dev.loft.server.core;

import dev.loft.protocol.CloseCodes;
import dev.loft.server.link.PeerLink;
import java.time.Duration;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * How the hub closes a peer it no longer wants: the close frame first (after the error frame
 * that explains it), the socket {@link #LINGER} later whether or not the peer answered. The one
 * place every eviction goes through, whoever decided it (rate limit, watermark, budget, operator).
 */
final class Evictions {
  /** How long an evicted peer has to complete the close handshake before its socket is dropped. */
  static final Duration LINGER = Duration.ofSeconds(1);

  private final ScheduledExecutorService housekeeper;

  Evictions(ScheduledExecutorService housekeeper) {
    this.housekeeper = housekeeper;
  }

  /**
   * Evicts {@code peer} with {@code code}: for a peer that is not reading or holds too much, its
   * backlog is dropped at once so the close goes out next. Runs the close on the housekeeper: the
   * caller may be sending to this peer from inside another peer's close callback, and the
   * library's close takes the connection's lock. True for the one call that started it.
   */
  boolean evict(Peer peer, int code, String reason) {
    if (!peer.markClosing()) {
      return false;
    }
    PeerLink link = peer.link();
    // After what this thread already sent (e.g. the error frame that explains the eviction).
    link.afterPendingWrites(() -> {
      try {
        housekeeper.execute(() -> link.evict(code, reason, dropsBacklog(code)));
        housekeeper.schedule(() -> link.forceClose(code, reason), LINGER.toMillis(), TimeUnit.MILLISECONDS);
      } catch (RejectedExecutionException stopping) {
        link.forceClose(code, reason);
      }
    });
    return true;
  }

  /**
   * Only a peer that is not reading, or that holds too much, loses what is queued for it (freed at
   * once); others get it before the close.
   */
  private static boolean dropsBacklog(int code) {
    return code == CloseCodes.SLOW_CONSUMER || code == CloseCodes.SHED_UNDER_PRESSURE || code == CloseCodes.OVER_BUDGET;
  }
}
