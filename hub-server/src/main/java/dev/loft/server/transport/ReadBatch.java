package dev.loft.server.transport;

import dev.loft.server.link.OutboundFrame;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;

/**
 * The frames a decoder thread produces while it handles one inbound read, grouped by receiver,
 * so that each receiver gets them in one {@code write} when the read is done: a publisher's read
 * of ten publishes becomes one write per subscriber, not ten.
 *
 * <p>One per decoder thread (thread-local), open only while {@link BatchingWebSocketImpl#decode}
 * runs; sends from any other thread go out at once.
 */
final class ReadBatch {
  private static final ThreadLocal<ReadBatch> CURRENT = ThreadLocal.withInitial(ReadBatch::new);

  /**
   * A read whose frames go to at most this many receivers (a relayed signal and its ack, a direct,
   * an announce's discoveries in a small network) is written from the decoder thread at once:
   * lowest latency, no selector round trip, and the receivers' keys stay out of the selector's
   * write set (where Java-WebSocket 1.6.0 leaves them stale, defect 1: with discovery going through
   * the selector, hub CPU per new connection grew from 1.0 to 3.2 ms between 500 and 17,000 idle
   * peers; written directly it stayed at 0.3-0.4 ms). A larger fan-out is handed to the selector
   * thread instead, which writes while this thread decodes the next read (two cores, two
   * pipelines) and gathers the frames that pile up per subscriber into one system call: 1 -> 1000
   * fan-out measured 1.24M deliveries/s at 0.82 CPU-s per 1M this way, against 250k/s at 3.5 when
   * the decoder thread wrote every delivery itself.
   */
  static final int MAX_DIRECT_RECEIVERS = 16;

  /** Per receiver: one frame, or a List of them once a second frame arrives. */
  private final Map<JwsPeerLink, Object> pending = new IdentityHashMap<>();
  /**
   * The last concatenation {@link #flush} made, and of which frames: a fan-out gives every
   * subscriber the same frames in the same order, so one copy serves them all (each receiver gets
   * its own view of it) instead of one copy per subscriber.
   */
  private List<OutboundFrame> lastConcatenated;
  private ByteBuffer lastConcatenation;
  /** Run after the writes, in order (evictions decided while handling this read). */
  private final List<Runnable> afterFlush = new ArrayList<>(2);
  private boolean open;

  /** The open batch of this thread, or null when the thread is not handling a read. */
  static ReadBatch current() {
    ReadBatch b = CURRENT.get();
    return b.open ? b : null;
  }

  /** Opens this thread's batch; returns null if one is already open (nested decode). */
  static ReadBatch open() {
    ReadBatch b = CURRENT.get();
    if (b.open) {
      return null;
    }
    b.open = true;
    return b;
  }

  @SuppressWarnings("unchecked")
  void add(JwsPeerLink link, OutboundFrame frame) {
    Object held = pending.get(link);
    if (held == null) {
      pending.put(link, frame);
    } else if (held instanceof OutboundFrame first) {
      List<OutboundFrame> list = new ArrayList<>(4);
      list.add(first);
      list.add(frame);
      pending.put(link, list);
    } else {
      ((List<OutboundFrame>) held).add(frame);
    }
  }

  void afterFlush(Runnable action) {
    afterFlush.add(action);
  }

  /** Writes every receiver's frames, one buffer per receiver, runs the deferred actions, and closes the batch. */
  @SuppressWarnings("unchecked")
  void flush() {
    try {
      boolean direct = pending.size() <= MAX_DIRECT_RECEIVERS;
      for (Map.Entry<JwsPeerLink, Object> e : pending.entrySet()) {
        Object held = e.getValue();
        ByteBuffer out = held instanceof OutboundFrame single
            ? single.buffer()
            : concatenation((List<OutboundFrame>) held);
        if (direct) {
          e.getKey().writeNow(out);
        } else {
          e.getKey().enqueue(out);
        }
      }
    } finally {
      pending.clear();
      lastConcatenated = null;
      lastConcatenation = null;
      open = false;
      runAfterFlush();
    }
  }

  private void runAfterFlush() {
    if (afterFlush.isEmpty()) {
      return;
    }
    List<Runnable> actions = new ArrayList<>(afterFlush);
    afterFlush.clear();
    for (Runnable r : actions) {
      r.run();
    }
  }

  /** {@code frames} as one buffer of this receiver's own: the previous receiver's copy when it got the same frames. */
  private ByteBuffer concatenation(List<OutboundFrame> frames) {
    if (!sameFrames(frames, lastConcatenated)) {
      int size = 0;
      for (OutboundFrame f : frames) {
        size += f.size();
      }
      ByteBuffer out = ByteBuffer.allocate(size);
      for (OutboundFrame f : frames) {
        out.put(f.buffer());
      }
      lastConcatenated = frames;
      lastConcatenation = out.flip().asReadOnlyBuffer();
    }
    return lastConcatenation.duplicate();
  }

  /** The same frames (by identity: one encoding each) in the same order. */
  private static boolean sameFrames(List<OutboundFrame> a, List<OutboundFrame> b) {
    if (b == null || a.size() != b.size()) {
      return false;
    }
    for (int i = 0; i < a.size(); i++) {
      if (a.get(i) != b.get(i)) {
        return false;
      }
    }
    return true;
  }
}
