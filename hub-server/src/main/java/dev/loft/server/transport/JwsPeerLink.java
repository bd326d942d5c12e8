package dev.loft.server.transport;

import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.CancelledKeyException;
import java.nio.channels.SelectionKey;
import org.java_websocket.WebSocketImpl;
import org.java_websocket.server.WebSocketServer;

/**
 * {@link PeerLink} over a Java-WebSocket 1.6.0 connection. Frames are put straight into the
 * connection's {@code outQueue} (as the library's own {@code send} does after framing), so one
 * encoded frame serves every receiver.
 */
final class JwsPeerLink implements PeerLink {
  private final WebSocketImpl conn;
  private final WebSocketServer server;
  private final CountingChannel channel;
  private final String resource;
  // Bytes this hub put into outQueue. Written by any sending thread.
  private final java.util.concurrent.atomic.AtomicLong bytesQueued =
      new java.util.concurrent.atomic.AtomicLong();
  private volatile Object attachment;

  JwsPeerLink(WebSocketImpl conn, WebSocketServer server, String resource) {
    this.conn = conn;
    this.server = server;
    this.channel = (CountingChannel) conn.getChannel();
    this.resource = resource;
  }

  @Override
  public boolean send(OutboundFrame frame) {
    if (!conn.isOpen()) {
      return false;
    }
    bytesQueued.addAndGet(frame.size());
    ReadBatch batch = ReadBatch.current();
    if (batch != null) {
      batch.add(this, frame.buffer()); // written when this decoder thread finishes its read
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
      if (conn.outQueue.isEmpty()) {
        if (!conn.isOpen()) {
          return;
        }
        try {
          channel.writeDirect(buf);
        } catch (java.io.IOException closed) {
          return; // the socket is gone; the selector will see it and close the connection
        }
        if (!buf.hasRemaining()) {
          return;
        }
      }
      conn.outQueue.add(buf);
    }
    server.onWriteDemand(conn); // sets OP_WRITE and wakes the selector; tolerates a cancelled key
  }

  /**
   * Queued-by-us minus written-to-socket. The library's own frames (handshake response, pings,
   * close) are written but not counted as queued, so this undercounts by those few bytes: a few
   * hundred per connection plus two per ping, never more than the watermark cares about.
   */
  @Override
  public long pendingBytes() {
    return Math.max(0, bytesQueued.get() - channel.bytesWritten());
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
  }

  /**
   * Removes every queued frame but the head. The selector may be writing the head right now; if it
   * finishes and polls it meanwhile, one whole unstarted frame survives instead, which is harmless.
   */
  private void dropBacklogBehindHead() {
    java.util.Iterator<java.nio.ByteBuffer> it = conn.outQueue.iterator();
    if (it.hasNext()) {
      it.next();
      while (it.hasNext()) {
        it.next();
        it.remove();
      }
    }
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

  @Override
  public boolean kickIfWriteStalled() {
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
  public void attach(Object attachment) {
    this.attachment = attachment;
  }

  @Override
  public String toString() {
    return "PeerLink[" + remoteAddress() + "]";
  }
}
