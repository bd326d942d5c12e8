package dev.loft.server.budget;

import com.google.common.base.Preconditions;
import java.util.concurrent.atomic.LongAdder;

/**
 * The heap the hub may spend on what peers make it hold, and what it holds now. Every byte held on
 * a peer's behalf is charged to that connection's {@link Account} and, through it, here: so the
 * sum is known in O(1), admission can be refused while it is full, and the largest accounts can
 * be evicted past the high mark (by the {@code BudgetSweeper}).
 *
 * <p>Outbound backlogs change on every write, on the selector thread; charging each write here
 * would put a shared counter on the hottest path. They are summed instead by the sweeper, which
 * walks the connections once per tick ({@link #outbound(long)}), so outbound lags by at most one
 * tick; each peer's own backlog is bounded at once by its watermark.
 *
 * <p>Threads: any. The per-kind sums are {@link LongAdder}s, updated under each account's lock.
 */
public final class MemoryBudget {
  /** What a charge is for; the top accounts in {@code /stats} name the largest. */
  public enum Kind {
    /** Bytes of an upgrade request buffered before the handshake completed. */
    HANDSHAKE,
    /** A partial inbound frame and the fragments of an unfinished message. */
    INBOUND,
    /** What the hub keeps for an admitted peer: its fixed cost, announce data, subscriptions. */
    RETAINED,
    /** Frames queued for the peer and not yet written to its socket. */
    OUTBOUND
  }

  private final long limitBytes;
  private final long highMarkBytes;
  private final LongAdder[] charged = new LongAdder[Kind.values().length];
  private volatile long outbound;
  /** Outbound bytes queued to backlogged peers since the last sweep: the sum's lag, estimated high. */
  private final LongAdder outboundSinceSweep = new LongAdder();

  public MemoryBudget(long limitBytes, double highMarkRatio) {
    Preconditions.checkArgument(limitBytes > 0, "limitBytes must be positive: %s", limitBytes);
    Preconditions.checkArgument(highMarkRatio > 0 && highMarkRatio <= 1, "highMarkRatio in (0,1]: %s", highMarkRatio);
    this.limitBytes = limitBytes;
    this.highMarkBytes = (long) (limitBytes * highMarkRatio);
    for (int i = 0; i < charged.length; i++) {
      charged[i] = new LongAdder();
    }
  }

  /** A new account for one connection, charged to this budget. */
  public Account open() {
    return new Account(this);
  }

  void add(Kind kind, long delta) {
    charged[kind.ordinal()].add(delta);
  }

  /**
   * Called by the sweeper before it walks the connections: what was estimated since the last
   * sweep is about to be counted for real. Frames queued during the walk may be counted twice
   * (estimate and walk): the error is on the safe side.
   */
  public void sweepStarts() {
    outboundSinceSweep.reset();
  }

  /** Called by the sweeper with the sum of every connection's outbound backlog. */
  public void outbound(long bytes) {
    this.outbound = bytes;
  }

  /**
   * A frame queued to a peer that already has a backlog: added to the outbound estimate at once,
   * so that a backlog growing at wire speed is seen before the next sweep (writes are not
   * subtracted until then: the estimate errs high).
   */
  public void outboundQueued(long bytes) {
    outboundSinceSweep.add(bytes);
  }

  public long charged(Kind kind) {
    return kind == Kind.OUTBOUND ? outbound + outboundSinceSweep.sum() : charged[kind.ordinal()].sum();
  }

  public long charged() {
    long sum = outbound + outboundSinceSweep.sum();
    for (LongAdder a : charged) {
      sum += a.sum();
    }
    return sum;
  }

  /** True while nothing new may be admitted (connections, subscriptions, announces). */
  public boolean full() {
    return charged() >= limitBytes;
  }

  /** True when {@code extra} more bytes would not fit. */
  public boolean wouldOverflow(long extra) {
    return charged() + extra > limitBytes;
  }

  public boolean aboveHighMark() {
    return charged() > highMarkBytes;
  }

  public long limitBytes() {
    return limitBytes;
  }

  public long highMarkBytes() {
    return highMarkBytes;
  }
}
