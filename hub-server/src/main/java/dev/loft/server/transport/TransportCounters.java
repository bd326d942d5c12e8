package dev.loft.server.transport;

import java.util.concurrent.atomic.LongAdder;

/** What the transport refused on its own, before the hub's core saw a frame. Read by /stats. */
public final class TransportCounters {
  /** Upgrade requests over {@code maxHandshakeBytes}: answered 431 and closed. */
  public final LongAdder handshakeTooLarge = new LongAdder();
  /** Handshakes refused because their address held its share of pending handshakes. */
  public final LongAdder rejectedPendingPerAddress = new LongAdder();
  /** Messages split into more than {@code maxFragmentsPerMessage} frames (closed 1009). */
  public final LongAdder tooManyFragments = new LongAdder();
  /** Connections closed 1013 because a partial frame they declared would not fit the memory budget. */
  public final LongAdder inboundOverBudget = new LongAdder();
}
