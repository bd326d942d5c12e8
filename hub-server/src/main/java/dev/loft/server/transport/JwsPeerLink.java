package dev.loft.server.transport;

import dev.loft.server.link.OutboundFrame;
import dev.loft.server.link.PeerLink;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.CancelledKeyException;
import java.nio.channels.SelectionKey;
import org.java_websocket.WebSocketImpl;
import org.java_websocket.server.WebSocketServer;
import dev.loft.server.budget.Account;
import java.io.IOException;
import java.util.concurrent.atomic.AtomicLongFieldUpdater;
import java.util.concurrent.atomic.AtomicReferenceFieldUpdater;

/**
 * {@link PeerLink} over a Java-WebSocket 1.6.0 connection. Frames are put straight into the
 * connection's {@code outQueue} (as the library's own {@code send} does after framing), so one
 * encoded frame serves every receiver.
 *
 * <p>Its life is one state machine, moved only by compare-and-set: {@code OPENING} (handshake
 * done, the core deciding) to {@code ATTACHED} (the core took it) to {@code CLOSED}. A close that
 * races the open (a reset right after the handshake) either finds it ATTACHED, and the core cleans
 * up, or OPENING, and the core's {@link #attach} fails and it gives back what it took: never both,
 * never neither.
 */
final class JwsPeerLink implements PeerLink {
  enum State { OPENING, ATTACHED, CLOSED }

  // Field updaters rather than AtomicLong/AtomicReference objects: an idle peer's heap counts.
  private static final AtomicReferenceFieldUpdater<JwsPeerLink, State> STATE =
      AtomicReferenceFieldUpdater.newUpdater(JwsPeerLink.class, State.class, "state");
  private static final AtomicLongFieldUpdater<JwsPeerLink> BYTES_QUEUED =
      AtomicLongFieldUpdater.newUpdater(JwsPeerLink.class, "bytesQueued");

  private final BatchingWebSocketImpl conn;
  private final WebSocketServer server;
  private final CountingChannel channel;
  private final String resource;
  private volatile State state = State.OPENING;
  /**
   * Bytes queued for this socket by anyone but the library's frame path: the handshake response
   * already in the queue when the link was made, then every frame the hub sends. With the
   * library's own frames ({@link BatchingWebSocketImpl#libraryBytesQueued}) this is everything
   * ever queued, so queued minus written is exact, never below zero.
   */
  private volatile long bytesQueued;
  private volatile Object attachment;

  JwsPeerLink(BatchingWebSocketImpl conn, WebSocketServer server, String resource) {
    this.conn = conn;
    this.server = server;
    this.channel = (CountingChannel) conn.getChannel();
    this.resource = resource;
    long base;
    synchronized (channel) { // the selector may be writing the handshake response right now
      base = channel.bytesWritten() - conn.libraryBytesQueued();
      for (ByteBuffer b : conn.outQueue) {
        base += b.remaining();
      }
    }
    this.bytesQueued = base;
    conn.account().outbound(this::pendingBytes);
  }

  @Override
  public Account budgetAccount() {
    return conn.account();
  }

  @Override
  public boolean send(OutboundFrame frame) {
    if (!conn.isOpen()) {
      return false;
    }
    BYTES_QUEUED.addAndGet(this, frame.size());
    ReadBatch batch = ReadBatch.current();
    if (batch != null) {
      batch.add(this, frame); // written when this decoder thread finishes its read
    } else {
      writeNow(frame.buffer());
    }
    return true;
  }

  /** Hands {@code buf} to the selector thread, which writes it (gathered with what follows). */
  void enqueue(ByteBuffer buf) {
    if (!conn.isOpen()) {
      return;
    }
    conn.outQueue.add(buf);
    server.onWriteDemand(conn);
  }

  /**
   * Writes {@code buf} from this thread if nothing is queued before it (no selector wake-up, no
   * extra system call); whatever the socket does not take now, and everything when a backlog
   * exists, goes to the queue for the selector.
   */
  void writeNow(ByteBuffer buf) {
    synchronized (channel) {
      if (conn.outQueue.isEmpty() && !channel.hasHeadLocked()) {
        if (!conn.isOpen()) {
          return;
        }
        try {
          channel.writeDirect(buf);
        } catch (IOException closed) {
          return; // the socket is gone; the selector will see it and close the connection
        }
        if (!buf.hasRemaining()) {
          return;
        }
        // Another thread may queue a pong or a close frame behind our back the moment we let go
        // of the lock: the remainder goes first whatever the queue holds. It also goes into the
        // queue, so that the library's write loop has something left to write.
        channel.headLocked(buf);
      }
      conn.outQueue.add(buf);
    }
    server.onWriteDemand(conn); // sets OP_WRITE and wakes the selector; tolerates a cancelled key
  }

  /**
   * Everything queued minus everything written (see {@link #bytesQueued}): exact, library frames
   * included. Read without a lock, so a write completing between the two reads can make it
   * momentarily low by that write, never below zero.
   */
  @Override
  public long pendingBytes() {
    long written = channel.bytesWritten(); // first: queued only grows, so this errs high, not low
    return Math.max(0, bytesQueued + conn.libraryBytesQueued() - written);
  }

  @Override
  public int queuedFrames() {
    return conn.outQueue.size();
  }

  @Override
  public boolean isOpen() {
    return conn.isOpen();
  }

  @Override
  public void close(int code, String reason) {
    conn.close(code, reason);
  }

  @Override
  public void afterPendingWrites(Runnable action) {
    ReadBatch batch = ReadBatch.current();
    if (batch != null) {
      batch.afterFlush(action);
    } else {
      action.run();
    }
  }

  @Override
  public void evict(int code, String reason, boolean dropBacklog) {
    if (dropBacklog) {
      dropBacklogBehindHead();
    }
    conn.close(code, reason); // sets CLOSING: the library's own senders stop queueing
  }

  @Override
  public void forceClose(int code, String reason) {
    conn.closeConnection(code, reason);
    conn.outQueue.clear(); // the library does not clear it on close: free the backlog now
    channel.clearHead();
  }

  /**
   * Removes every queued frame but the head. The selector may be writing the head right now; if it
   * finishes and polls it meanwhile, one whole unstarted frame survives instead, which is harmless.
   */
  private void dropBacklogBehindHead() {
    conn.outQueue().dropAllButHead();
  }

  @Override
  public InetSocketAddress remoteAddress() {
    return conn.getRemoteSocketAddress();
  }

  @Override
  public String resourceDescriptor() {
    return resource;
  }

  @Override
  public long bytesRead() {
    return channel.bytesRead();
  }

  @Override
  public long bytesWritten() {
    return channel.bytesWritten();
  }

  /**
   * The library's lost write wake-up (docs/java-websocket-1.6.0.md, defect 2): frames queued but
   * the socket not registered for writing. Asks for a write again; true when it had to.
   */
  boolean recoverStalledWrite() {
    SelectionKey key = conn.getSelectionKey();
    if (key == null || conn.outQueue.isEmpty() || !conn.isOpen()) {
      return false;
    }
    try {
      if (!key.isValid() || (key.interestOps() & SelectionKey.OP_WRITE) != 0) {
        return false;
      }
    } catch (CancelledKeyException e) {
      return false;
    }
    server.onWriteDemand(conn);
    return true;
  }

  @Override
  @SuppressWarnings("unchecked")
  public <T> T attachment() {
    return (T) attachment;
  }

  @Override
  public boolean attach(Object attachment) {
    this.attachment = attachment;
    return STATE.compareAndSet(this, State.OPENING, State.ATTACHED);
  }

  /** Moves to CLOSED; true only for the one call that found the link ATTACHED (the core must clean up). */
  boolean markClosed() {
    return STATE.getAndSet(this, State.CLOSED) == State.ATTACHED;
  }


  @Override
  public String toString() {
    return "PeerLink[" + remoteAddress() + "]";
  }
}
