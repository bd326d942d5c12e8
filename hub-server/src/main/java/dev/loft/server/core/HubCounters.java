package dev.loft.server.core;

import dev.loft.protocol.ErrorCode;
import java.util.EnumMap;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.atomic.LongAdder;
import java.util.concurrent.ConcurrentHashMap;

/** Every counter the hub keeps; each is incremented where the event happens, read by stats. */
public final class HubCounters {
  public final LongAdder framesIn = new LongAdder();
  public final LongAdder framesOut = new LongAdder();
  public final LongAdder bytesIn = new LongAdder();
  public final LongAdder dropped = new LongAdder();
  public final LongAdder rateLimited = new LongAdder();
  public final LongAdder writeStallsRecovered = new LongAdder();

  public final LongAdder evictedSlow = new LongAdder();
  public final LongAdder evictedRateLimit = new LongAdder();
  public final LongAdder closedIdle = new LongAdder();
  public final LongAdder shedUnderPressure = new LongAdder();
  public final LongAdder kicked = new LongAdder();
  public final LongAdder replaced = new LongAdder();
  public final LongAdder closedTooBig = new LongAdder();
  public final LongAdder reapedSilent = new LongAdder();
  public final LongAdder handshakeTimeouts = new LongAdder();
  public final LongAdder rejectedPendingHandshakes = new LongAdder();

  public final LongAdder rejectedMaxPeers = new LongAdder();
  public final LongAdder rejectedPerAddress = new LongAdder();
  public final LongAdder rejectedBadPeerId = new LongAdder();
  public final LongAdder rejectedDuplicate = new LongAdder();
  public final LongAdder rejectedPressure = new LongAdder();

  public final LongAdder topicLimitHits = new LongAdder();
  public final LongAdder networkLimitHits = new LongAdder();
  public final LongAdder discoveryCapped = new LongAdder();
  public final LongAdder dedupeHits = new LongAdder();
  public final LongAdder presenceTruncated = new LongAdder();
  public final LongAdder adminBodyTooLarge = new LongAdder();
  public final LongAdder adminRateLimited = new LongAdder();
  // bounded by construction (issue 9): each class of abuse, counted where it is refused
  public final LongAdder controlFramesIn = new LongAdder();
  public final LongAdder binaryFramesIn = new LongAdder();
  public final LongAdder errorRepliesSuppressed = new LongAdder();
  public final LongAdder networkChangesLimited = new LongAdder();
  public final LongAdder announceTooLarge = new LongAdder();
  public final LongAdder addressLimitHits = new LongAdder();
  public final LongAdder closedDuringOpen = new LongAdder();
  public final LongAdder evictedAmplification = new LongAdder();
  public final LongAdder evictedOverBudget = new LongAdder();
  public final LongAdder admittedOnProbation = new LongAdder();
  /** Refused because the memory budget was full, by what was refused (connect, subscribe, announce). */
  private final CountsByKey refusedOverBudget = new CountsByKey();
  /** Refusals by the name of the bound (config option) that refused them. */
  private final CountsByKey limitHits = new CountsByKey();

  private final Map<ErrorCode, LongAdder> errors = new EnumMap<>(ErrorCode.class);

  public HubCounters() {
    for (ErrorCode code : ErrorCode.values()) {
      errors.put(code, new LongAdder());
    }
  }

  public void limitHit(String limit) {
    limitHits.increment(limit);
  }

  public Map<String, Long> limitHits() {
    return limitHits.snapshot();
  }

  public void refusedOverBudget(String what) {
    refusedOverBudget.increment(what);
  }

  /** Refusals while the budget was full, by what (a small fixed set of keys). */
  public Map<String, Long> refusedOverBudget() {
    return refusedOverBudget.snapshot();
  }

  /** Counts one error frame sent (or one refused input) with {@code code}. */
  public void error(ErrorCode code) {
    errors.get(code).increment();
  }

  public long errors(ErrorCode code) {
    return errors.get(code).sum();
  }

  /** Non-zero error counts by code name, sorted. */
  public Map<String, Long> errorsByCode() {
    Map<String, Long> out = new TreeMap<>();
    errors.forEach(
        (code, n) -> {
          long v = n.sum();
          if (v > 0) {
            out.put(code.name(), v);
          }
        });
    return out;
  }

  /** Counters keyed by a name from a small fixed set (written in code, never by a peer). */
  private static final class CountsByKey {
    private final ConcurrentHashMap<String, LongAdder> counts = new ConcurrentHashMap<>();

    void increment(String key) {
      counts.computeIfAbsent(key, k -> new LongAdder()).increment();
    }

    Map<String, Long> snapshot() {
      Map<String, Long> out = new TreeMap<>();
      counts.forEach((k, v) -> out.put(k, v.sum()));
      return out;
    }
  }
}
