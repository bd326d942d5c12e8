package dev.loft.server.budget;

import dev.loft.server.budget.MemoryBudget.Kind;
import java.util.function.LongSupplier;

/**
 * What one connection makes the hub hold, by {@link Kind}, charged to the {@link MemoryBudget} as
 * it changes. {@link #close} gives everything back exactly once; a charge that arrives after it
 * (a decoder thread finishing a read while the selector closes the socket) is ignored, so the
 * budget cannot drift.
 *
 * <p>Threads: any; every change holds this account's lock (uncontended: one connection's charges
 * come from its own decoder thread, the close from whichever thread closes it).
 */
public final class Account {
  private static final LongSupplier NO_OUTBOUND = () -> 0;

  private final MemoryBudget budget;
  // guarded by this
  private final long[] held = new long[Kind.values().length];
  // guarded by this
  private boolean closed;
  private volatile LongSupplier outbound = NO_OUTBOUND;

  Account(MemoryBudget budget) {
    this.budget = budget;
  }

  /** Sets what this account holds of {@code kind} (not OUTBOUND, which is read, not charged). */
  public synchronized void set(Kind kind, long bytes) {
    assert kind != Kind.OUTBOUND;
    if (closed) {
      return;
    }
    long delta = bytes - held[kind.ordinal()];
    if (delta != 0) {
      held[kind.ordinal()] = bytes;
      budget.add(kind, delta);
    }
  }

  /** Adds {@code delta} (may be negative) to what this account holds of {@code kind}. */
  public synchronized void add(Kind kind, long delta) {
    assert kind != Kind.OUTBOUND;
    if (closed || delta == 0) {
      return;
    }
    held[kind.ordinal()] += delta;
    budget.add(kind, delta);
  }

  /** Where this connection's outbound backlog is read from, once it has one. */
  public void outbound(LongSupplier pendingBytes) {
    this.outbound = pendingBytes;
  }

  /** Everything this account holds, outbound included. */
  public long total() {
    long sum = outbound.getAsLong();
    synchronized (this) {
      if (closed) {
        return 0;
      }
      for (long h : held) {
        sum += h;
      }
    }
    return sum;
  }

  /** The kind this account holds most of (for the top accounts in {@code /stats}). */
  public Kind largest() {
    Kind best = Kind.OUTBOUND;
    long bestBytes = outbound.getAsLong();
    synchronized (this) {
      for (Kind k : Kind.values()) {
        if (k != Kind.OUTBOUND && held[k.ordinal()] > bestBytes) {
          best = k;
          bestBytes = held[k.ordinal()];
        }
      }
    }
    return best;
  }

  /** Gives back everything; idempotent. */
  public synchronized void close() {
    if (closed) {
      return;
    }
    closed = true;
    for (Kind k : Kind.values()) {
      if (k != Kind.OUTBOUND && held[k.ordinal()] != 0) {
        budget.add(k, -held[k.ordinal()]);
        held[k.ordinal()] = 0;
      }
    }
    outbound = NO_OUTBOUND;
  }
}
