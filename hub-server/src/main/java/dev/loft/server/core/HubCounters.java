package dev.loft.server.core;

import dev.loft.protocol.ErrorCode;
import java.util.EnumMap;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.atomic.LongAdder;

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

  private final Map<ErrorCode, LongAdder> errors = new EnumMap<>(ErrorCode.class);

  public HubCounters() {
    for (ErrorCode code : ErrorCode.values()) {
      errors.put(code, new LongAdder());
    }
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
}
