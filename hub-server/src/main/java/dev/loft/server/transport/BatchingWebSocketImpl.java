package dev.loft.server.transport;

import dev.loft.server.link.OutboundFrame;
import dev.loft.server.budget.Account;
import dev.loft.server.stats.Stat;
import dev.loft.server.budget.MemoryBudget.Kind;
import java.lang.reflect.Field;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Collection;
import java.util.List;
import java.util.concurrent.atomic.AtomicLongFieldUpdater;
import org.java_websocket.WebSocketListener;
import org.java_websocket.drafts.Draft;
import org.java_websocket.enums.ReadyState;
import org.java_websocket.framing.CloseFrame;
import org.java_websocket.framing.Framedata;
import java.io.IOException;
import org.java_websocket.WebSocketImpl;

/**
 * A connection as the hub runs it:
 *
 * <ul>
 *   <li>{@link #decode} (one inbound read, on its decoder thread, possibly many frames) is wrapped
 *       in a {@link ReadBatch}: everything the hub sends while handling that read is written when
 *       it is done, coalesced per receiver.
 *   <li>The upgrade request may be at most {@code maxHandshakeBytes}: the library would buffer an
 *       endless header line until the handshake timeout (java-websocket-1.6.0.md); past the cap
 *       the peer gets {@code 431} and the socket is closed.
 *   <li>What the connection holds (handshake bytes, partial frames) is charged to its {@link
 *       Account}, given back on close.
 *   <li>Frames the library queues by itself (pings, close frames) are counted, so the link's
 *       pending byte count includes them and can never go below zero.
 * </ul>
 */
final class BatchingWebSocketImpl extends WebSocketImpl {
  private static final byte[] HEADERS_TOO_LARGE = (
      "HTTP/1.1 431 Request Header Fields Too Large\r\n"
          + "Connection: close\r\nContent-Type: text/plain\r\nContent-Length: 33\r\n\r\n"
          + "upgrade request headers too large").getBytes(StandardCharsets.US_ASCII);

  private final TransportLimits limits;
  private final Account account;
  /** Wire bytes of frames the library queued itself (see {@link #sendFrame}). */
  private volatile long libraryBytesQueued; // through LIBRARY_BYTES_QUEUED (an idle peer's heap counts)
  private static final AtomicLongFieldUpdater<BatchingWebSocketImpl> LIBRARY_BYTES_QUEUED =
      AtomicLongFieldUpdater.newUpdater(BatchingWebSocketImpl.class, "libraryBytesQueued");
  // decoder thread
  private long handshakeBytes;
  private boolean refused;
  /**
   * The open and the close meet here, each on its own thread: the opener publishes {@link #link}
   * then reads {@link #closed}; the closer publishes {@link #closed} then reads {@link #link}.
   * Both volatile, so at least one of them sees the other, and the link's compare-and-set makes
   * sure the core hears of the close exactly once (see {@link JwsPeerLink}).
   */
  private volatile JwsPeerLink link;
  private volatile boolean closed;

  BatchingWebSocketImpl(WebSocketListener listener, List<Draft> drafts, TransportLimits limits) {
    super(listener, drafts);
    replaceOutQueue();
    this.limits = limits;
    this.account = limits.budget().open();
  }

  /**
   * The library's {@code outQueue} is a public final {@code LinkedBlockingQueue} made by its
   * constructor, with no way to pass another: swapped here, before anything is queued or the
   * channel is wrapped, for the lock-free {@link OutQueue} (docs/java-websocket-1.6.0.md).
   */
  private void replaceOutQueue() {
    try {
      OUT_QUEUE.set(this, new OutQueue());
    } catch (IllegalAccessException e) {
      throw new IllegalStateException("Java-WebSocket's outQueue is not replaceable", e);
    }
  }

  /** The queue {@link #replaceOutQueue} put in place of the library's. */
  OutQueue outQueue() {
    return (OutQueue) outQueue;
  }

  private static final Field OUT_QUEUE;

  static {
    try {
      OUT_QUEUE = WebSocketImpl.class.getField("outQueue");
      OUT_QUEUE.setAccessible(true);
    } catch (NoSuchFieldException e) {
      throw new ExceptionInInitializerError(e);
    }
  }

  @Override
  public void decode(ByteBuffer socketBuffer) {
    if (refused) {
      socketBuffer.position(socketBuffer.limit()); // closing: whatever else it sends is ignored
      return;
    }
    if (getReadyState() == ReadyState.NOT_YET_CONNECTED) {
      handshakeBytes += socketBuffer.remaining();
      if (handshakeBytes > limits.maxHandshakeBytes()) {
        refuseHandshake(socketBuffer);
        return;
      }
      account.set(Kind.HANDSHAKE, handshakeBytes);
    }
    ReadBatch batch = ReadBatch.open();
    try {
      super.decode(socketBuffer);
    } finally {
      if (batch != null) {
        batch.flush();
      }
      if (getReadyState() != ReadyState.NOT_YET_CONNECTED) {
        account.set(Kind.HANDSHAKE, 0);
      }
      if (getDraft() instanceof BoundedDraft draft) {
        account.set(Kind.INBOUND, draft.bufferedBytes());
      }
    }
  }

  private void refuseHandshake(ByteBuffer socketBuffer) {
    refused = true;
    socketBuffer.position(socketBuffer.limit());
    limits.counters().increment(Stat.HANDSHAKE_TOO_LARGE);
    account.set(Kind.HANDSHAKE, 0);
    // Nothing else was ever written to this socket, so its send buffer takes the short answer at
    // once; the library's flushAndClose would not close a connection without a draft (no match yet).
    if (getChannel() instanceof CountingChannel channel) {
      synchronized (channel) {
        try {
          channel.writeDirect(ByteBuffer.wrap(HEADERS_TOO_LARGE));
        } catch (IOException gone) {
          // closed by the peer already: nothing to answer
        }
      }
    }
    closeConnection(CloseFrame.NEVER_CONNECTED, "upgrade request larger than " + limits.maxHandshakeBytes() + " bytes", false);
  }

  @Override
  public void sendFrame(Framedata frame) {
    LIBRARY_BYTES_QUEUED.addAndGet(this, wireSize(frame));
    super.sendFrame(frame);
  }

  @Override
  public void sendFrame(Collection<Framedata> frames) {
    for (Framedata f : frames) {
      LIBRARY_BYTES_QUEUED.addAndGet(this, wireSize(f));
    }
    super.sendFrame(frames);
  }

  /** Size of the unmasked server frame carrying this payload: header plus payload. */
  static long wireSize(Framedata frame) {
    int payload = frame.getPayloadData().remaining();
    return OutboundFrame.headerSize(payload) + payload;
  }

  long libraryBytesQueued() {
    return libraryBytesQueued;
  }

  Account account() {
    return account;
  }

  /** Set by the transport right after the handshake, before the core is told of it. */
  void publishLink(JwsPeerLink opened) {
    this.link = opened;
  }

  boolean isClosedForGood() {
    return closed;
  }

  /**
   * Every close of this connection ends here, whatever its state: the library tells the server
   * only about connections it had added (not one reset while it was opening), so this is where a
   * close that raced the open is caught, the pending handshake forgotten and the account emptied.
   */
  @Override
  public synchronized void closeConnection(int code, String message, boolean remote) {
    try {
      super.closeConnection(code, message, remote);
    } finally {
      closed = true;
      limits.guard().forget(this);
      account.close();
      JwsPeerLink opened = link;
      if (opened != null && opened.markClosed()) {
        limits.handler().onClose(opened, code, message, remote, WebSocketTransport.causeOf(code, message, remote));
      }
    }
  }
}
