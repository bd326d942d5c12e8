package dev.loft.server.transport;

import dev.loft.server.stats.Stat;
import dev.loft.server.stats.StatStore;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteBuffer;
import dev.loft.server.budget.MemoryBudget;
import java.util.Collections;
import java.util.List;
import org.java_websocket.framing.CloseFrame;
import org.java_websocket.WebSocketImpl;
import org.java_websocket.drafts.Draft;
import org.java_websocket.drafts.Draft_6455;
import org.java_websocket.enums.Opcode;
import org.java_websocket.exceptions.InvalidDataException;
import org.java_websocket.exceptions.LimitExceededException;
import org.java_websocket.framing.Framedata;

/**
 * RFC 6455 as Java-WebSocket 1.6.0 implements it, with what it leaves unbounded bounded:
 *
 * <ul>
 *   <li>Every inbound frame, control frames and continuations included, passes the {@link Gate}
 *       first (the hub's rate limit): a peer cannot make the hub do work per frame for free.
 *   <li>A fragmented message may have at most {@code maxFragments} frames and {@code maxFrameBytes}
 *       in all. The library checks the total only on the first and the last fragment, so endless
 *       non-final continuation frames would grow its buffer list without limit
 *       (java-websocket-1.6.0.md); here they close the connection with 1009.
 *   <li>{@link #bufferedBytes} tells how much a partial frame and an unfinished message hold, so
 *       the connection's account can be charged for it.
 * </ul>
 *
 * <p>One instance per connection ({@link #copyInstance}), used by its decoder thread only.
 */
final class BoundedDraft extends Draft_6455 {
  /** Decides per inbound frame whether it is processed or dropped (rate limit). */
  interface Gate {
    boolean admit(WebSocketImpl conn, Opcode opcode, int payloadBytes);
  }

  /** The library's buffer for a frame whose bytes have not all arrived (private in 1.6.0). */
  private static final VarHandle INCOMPLETE_FRAME;

  static {
    try {
      INCOMPLETE_FRAME = MethodHandles.privateLookupIn(Draft_6455.class, MethodHandles.lookup())
          .findVarHandle(Draft_6455.class, "incompleteframe", ByteBuffer.class);
    } catch (ReflectiveOperationException e) {
      // Pinned to 1.6.0 (parent pom); a different version must fail here, not leak quietly.
      throw new ExceptionInInitializerError("Java-WebSocket's Draft_6455 changed: " + e);
    }
  }

  private final int maxFrameBytes;
  private final int maxFragments;
  private final Gate gate;
  private final StatStore counters;
  private final MemoryBudget budget;
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

  @Override
  public Draft copyInstance() {
    return new BoundedDraft(maxFrameBytes, maxFragments, gate, counters, budget);
  }

  /**
   * Before the library allocates a buffer for a frame whose bytes have not all arrived (of the
   * size the frame's header declares, up to {@code maxFrameBytes}), asks the budget whether it
   * fits: a thousand sockets each declaring a 256 KiB frame and sending one byte of it would
   * otherwise make the hub allocate 256 MiB it never agreed to hold. Refused: closed 1013.
   */
  @Override
  public List<Framedata> translateFrame(ByteBuffer buffer) throws InvalidDataException {
    if (INCOMPLETE_FRAME.get(this) == null) {
      long declared = incompleteFrameSize(buffer, maxFrameBytes);
      if (declared > 0 && budget.wouldOverflow(declared)) {
        counters.increment(Stat.INBOUND_OVER_BUDGET);
        counters.increment(Stat.BUDGET_REFUSED_BY_REASON, "inbound");
        throw new InvalidDataException(CloseFrame.TRY_AGAIN_LATER, "Hub memory budget full, try again later");
      }
    }
    return super.translateFrame(buffer);
  }

  /**
   * The size of the last frame in {@code buffer} if its bytes are not all there (what the library
   * will allocate for it), else 0. Only reads headers; a frame over {@code maxFrameBytes} is the
   * library's to refuse (1009), so it counts as 0 here.
   */
  static long incompleteFrameSize(ByteBuffer buffer, int maxFrameBytes) {
    int pos = buffer.position();
    int limit = buffer.limit();
    while (pos < limit) {
      if (limit - pos < 2) {
        return 0; // a partial header: the library buffers a few bytes
      }
      int b1 = buffer.get(pos + 1) & 0xFF;
      int header = 2 + ((b1 & 0x80) != 0 ? 4 : 0);
      int len7 = b1 & 0x7F;
      long payload;
      if (len7 == 126) {
        if (limit - pos < 4) {
          return 0;
        }
        payload = buffer.getShort(pos + 2) & 0xFFFF;
        header += 2;
      } else if (len7 == 127) {
        if (limit - pos < 10) {
          return 0;
        }
        payload = buffer.getLong(pos + 2);
        header += 8;
      } else {
        payload = len7;
      }
      if (payload < 0 || payload > maxFrameBytes) {
        return 0;
      }
      long total = header + payload;
      if (pos + total > limit) {
        return total;
      }
      pos += (int) total;
    }
    return 0;
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
    if (fragment && frame.isFin() && admitted) { // a dropped last fragment leaves the library's list held
      fragments = 0;
      fragmentBytes = 0;
    }
    if (admitted) {
      super.processFrame(conn, frame);
    }
  }

  @Override
  public void reset() {
    super.reset();
    fragments = 0;
    fragmentBytes = 0;
  }

  /** Bytes held for a partial frame and an unfinished fragmented message. Decoder thread. */
  long bufferedBytes() {
    ByteBuffer partial = (ByteBuffer) INCOMPLETE_FRAME.get(this);
    return (partial == null ? 0 : partial.capacity()) + fragmentBytes;
  }
}
