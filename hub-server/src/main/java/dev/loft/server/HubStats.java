package dev.loft.server;

import java.util.Map;
import dev.loft.server.core.BudgetSweeper;
import java.util.List;

/**
 * One consistent-enough snapshot of the hub's counters and gauges; served as JSON by the admin
 * {@code GET /stats} with these field names. Counters only ever grow; gauges are current values.
 */
public record HubStats(
    long uptimeMillis,
    // gauges: what the hub holds now
    int peers,
    int announcedPeers,
    int networks,
    int topics,
    int subscriptions,
    long queuedOutboundBytes,
    int busListeners,
    Map<String, Integer> busListenersByType,
    boolean memoryPressure,
    // counters: traffic
    long framesIn,
    long framesOut,
    long bytesIn,
    long dropped,
    long rateLimited,
    Map<String, Long> errorsByCode,
    long listenerErrors,
    long writeStallsRecovered,
    // counters: connections closed by the hub, by reason
    long evictedSlow,
    long evictedRateLimit,
    long closedIdle,
    long shedUnderPressure,
    long kicked,
    long replaced,
    long closedTooBig,
    long reapedSilent,
    long handshakeTimeouts,
    // counters: connections refused at the handshake, by reason
    long rejectedMaxPeers,
    long rejectedPerAddress,
    long rejectedBadPeerId,
    long rejectedDuplicate,
    long rejectedPressure,
    long rejectedPendingHandshakes,
    // counters: bounds hit that refuse a request but keep the peer
    long topicLimitHits,
    long networkLimitHits,
    long discoveryCapped,
    long dedupeHits,
    long presenceTruncated,
    long adminBodyTooLarge,
    long adminRateLimited,
    // process
    // the WebSocket listener answers connections (false: it died, e.g. out of file descriptors)
    boolean listening,
    int maxPeersEffective,
    long heapUsedBytes,
    long heapMaxBytes,
    long rssBytes,
    long directBufferBytes,
    int threads,
    long processCpuNanos,
    long gcCount,
    // refusals by the bound (config option name) that refused them
    Map<String, Long> limitHits,
    // the memory budget and the abuse it refused (issue 9)
    Budget budget,
    Abuse abuse) {

  /**
   * The memory budget: what the hub may spend on peers, what it holds now by kind, the largest
   * accounts (as of the last sweep), and what the budget refused or evicted.
   */
  public record Budget(
      long limitBytes,
      long highMarkBytes,
      long chargedBytes,
      Map<String, Long> chargedByKind,
      List<BudgetSweeper.AccountView> topAccounts,
      Map<String, Long> refusedByReason,
      long evictedOverBudget) {}

  /** Counters of the abuse classes bounded at their source. */
  public record Abuse(
      long handshakeTooLarge,
      long rejectedPendingPerAddress,
      int pendingHandshakes,
      long tooManyFragments,
      long inboundOverBudget,
      long controlFramesIn,
      long binaryFramesIn,
      long errorRepliesSuppressed,
      long networkChangesLimited,
      long announceTooLarge,
      long addressLimitHits,
      long closedDuringOpen,
      long evictedAmplification,
      int addresses,
      // peers admitted on probation: their address cools down after a flooding eviction
      long admittedOnProbation,
      // one-off and periodic housekeeper tasks that threw (each one logged)
      long housekeeperTaskFailures) {}
}
