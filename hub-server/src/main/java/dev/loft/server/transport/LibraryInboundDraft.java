package dev.loft.server.transport;

import dev.loft.server.budget.MemoryBudget;
import dev.loft.server.stats.StatStore;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteBuffer;
import java.util.List;
import org.java_websocket.drafts.Draft;
import org.java_websocket.drafts.Draft_6455;
import org.java_websocket.exceptions.InvalidDataException;
import org.java_websocket.framing.Framedata;

/**
 * Inbound frames parsed by Java-WebSocket 1.6.0 itself ({@code --inbound-parser library}), with
 * Loft's bounds ({@link BoundedDraft}): the hub as it was before {@link FastInboundDraft}, kept to
 * compare the two. The library's partial frame lives in a private field, read through a VarHandle.
 *
 * <p>One instance per connection ({@link #copyInstance}), used by its decoder thread only.
 */
final class LibraryInboundDraft extends BoundedDraft {
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

  LibraryInboundDraft(int maxFrameBytes, int maxFragments, Gate gate, StatStore counters, MemoryBudget budget) {
    super(maxFrameBytes, maxFragments, gate, counters, budget);
  }

  @Override
  public Draft copyInstance() {
    return new LibraryInboundDraft(maxFrameBytes, maxFragments, gate, counters, budget);
  }

  /**
   * Asks the budget (see {@link #askBudget}) before the library allocates a buffer for the last
   * frame of {@code buffer} when its bytes have not all arrived.
   */
  @Override
  public List<Framedata> translateFrame(ByteBuffer buffer) throws InvalidDataException {
    if (INCOMPLETE_FRAME.get(this) == null) {
      askBudget(incompleteFrameSize(buffer, maxFrameBytes));
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
  long bufferedBytes() {
    ByteBuffer partial = (ByteBuffer) INCOMPLETE_FRAME.get(this);
    return (partial == null ? 0 : partial.capacity()) + fragmentBytes();
  }
}
