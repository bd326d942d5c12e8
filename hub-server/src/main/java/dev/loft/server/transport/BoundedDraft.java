package dev.loft.server.transport;

import dev.loft.server.budget.MemoryBudget;
import dev.loft.server.stats.Stat;
import dev.loft.server.stats.StatStore;
import java.util.Collections;
import org.java_websocket.WebSocketImpl;
import org.java_websocket.drafts.Draft;
import org.java_websocket.drafts.Draft_6455;
import org.java_websocket.enums.Opcode;
import org.java_websocket.exceptions.InvalidDataException;
import org.java_websocket.exceptions.LimitExceededException;
import org.java_websocket.framing.CloseFrame;
import org.java_websocket.framing.Framedata;

/**
 * RFC 6455 as Java-WebSocket 1.6.0 implements it, with what it leaves unbounded bounded, whoever
 * parses the frames ({@code --inbound-parser}: {@link FastInboundDraft}, Loft's own, or {@link
 * LibraryInboundDraft}, the library's):
 *
 * <ul>
 *   <li>Every inbound frame, control frames and continuations included, passes the {@link Gate}
 *       first (the hub's rate limit): a peer cannot make the hub do work per frame for free.
 *   <li>A fragmented message may have at most {@code maxFragments} frames and {@code maxFrameBytes}
 *       in all. The library checks the total only on the first and the last fragment, so endless
 *       non-final continuation frames would grow its buffer list without limit
 *       (java-websocket-1.6.0.md); here they close the connection with 1009.
 *   <li>A frame whose bytes have not all arrived is buffered only if the memory budget has room
 *       for its declared size ({@link #askBudget}; refused: 1013).
 *   <li>{@link #bufferedBytes} tells how much a partial frame and an unfinished message hold, so
 *       the connection's account can be charged for it.
 * </ul>
 *
 * <p>One instance per connection ({@link #copyInstance}), used by its decoder thread only.
 */
abstract class BoundedDraft extends Draft_6455 {
  /** Decides per inbound frame whether it is processed or dropped (rate limit). */
  interface Gate {
    boolean admit(WebSocketImpl conn, Opcode opcode, int payloadBytes);
  }

  final int maxFrameBytes;
  final int maxFragments;
  final Gate gate;
  final StatStore counters;
  final MemoryBudget budget;
  // decoder thread
  private int fragments;
  private long fragmentBytes;

  BoundedDraft(int maxFrameBytes, int maxFragments, Gate gate, StatStore counters, MemoryBudget budget) {
    super(Collections.emptyList(), maxFrameBytes);
    this.budget = budget;
    this.maxFrameBytes = maxFrameBytes;
    this.maxFragments = maxFragments;
    this.gate = gate;
    this.counters = counters;
  }

  /** A draft with the same bounds and parser, for a new connection. */
  @Override
  public abstract Draft copyInstance();

  /** Bytes held for a partial frame and an unfinished fragmented message. Decoder thread. */
  abstract long bufferedBytes();

  /**
   * Before a buffer is allocated for a frame whose bytes have not all arrived (of the size its
   * header declares, up to {@code maxFrameBytes}), asks the budget whether it fits: a thousand
   * sockets each declaring a 256 KiB frame and sending one byte of it would otherwise make the hub
   * allocate 256 MiB it never agreed to hold. Refused: closed 1013, counted.
   */
  final void askBudget(long declaredBytes) throws InvalidDataException {
    if (declaredBytes > 0 && budget.wouldOverflow(declaredBytes)) {
      counters.increment(Stat.INBOUND_OVER_BUDGET);
      counters.increment(Stat.BUDGET_REFUSED_BY_REASON, "inbound");
      throw new InvalidDataException(CloseFrame.TRY_AGAIN_LATER, "Hub memory budget full, try again later");
    }
  }

  @Override
  public void processFrame(WebSocketImpl conn, Framedata frame) throws InvalidDataException {
    Opcode opcode = frame.getOpcode();
    int size = frame.getPayloadData().remaining();
    boolean fragment = opcode == Opcode.CONTINUOUS
        || (!frame.isFin() && (opcode == Opcode.TEXT || opcode == Opcode.BINARY));
    if (fragment) {
      fragments++;
      fragmentBytes += size;
      if (fragments > maxFragments) {
        counters.increment(Stat.TOO_MANY_FRAGMENTS);
        throw new LimitExceededException("a message may have at most " + maxFragments + " fragments", maxFrameBytes);
      }
      if (fragmentBytes > maxFrameBytes) {
        throw new LimitExceededException("message larger than " + maxFrameBytes + " bytes", maxFrameBytes);
      }
    }
    boolean admitted = opcode == Opcode.CLOSING || gate.admit(conn, opcode, size);
    if (fragment && frame.isFin() && admitted) { // a dropped last fragment leaves the message unfinished
      fragments = 0;
      fragmentBytes = 0;
    }
    if (admitted) {
      deliver(conn, frame);
    }
  }

  /** Processes a frame the gate admitted: here, as the library does. */
  void deliver(WebSocketImpl conn, Framedata frame) throws InvalidDataException {
    super.processFrame(conn, frame);
  }

  @Override
  public void reset() {
    super.reset();
    fragments = 0;
    fragmentBytes = 0;
  }

  /** Payload bytes of the unfinished fragmented message's frames, dropped ones included. */
  final long fragmentBytes() {
    return fragmentBytes;
  }
}
