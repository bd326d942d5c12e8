package dev.loft.server.transport;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.LongSupplier;
import org.java_websocket.WebSocketImpl;
import org.java_websocket.enums.ReadyState;
import org.java_websocket.framing.CloseFrame;

/**
 * Bounds connections that were accepted but have not completed their WebSocket handshake. The
 * library reaps only open connections (its heartbeat), so without this a client that connects and
 * sends nothing (slowloris) would hold a socket and a file descriptor forever.
 *
 * <p>Threads: {@link #admit} runs on the selector thread at accept, {@link #opened} on a decoder
 * thread, {@link #sweep} on the housekeeper.
 */
public final class HandshakeGuard {
  /** What the guard did, for the hub's counters. */
  public interface Listener {
    void handshakeTimedOut();

    void rejectedTooManyPending();
  }

  private final int maxPending;
  private final long timeoutNanos;
  private final LongSupplier ticker;
  private final Listener listener;
  private final Map<WebSocketImpl, Long> pending = new ConcurrentHashMap<>();

  public HandshakeGuard(int maxPending, long timeoutNanos, LongSupplier ticker, Listener listener) {
    this.maxPending = maxPending;
    this.timeoutNanos = timeoutNanos;
    this.ticker = ticker;
    this.listener = listener;
  }

  /** At accept: false if too many handshakes are pending (the caller closes the socket). */
  boolean admit(WebSocketImpl conn) {
    if (pending.size() >= maxPending) {
      listener.rejectedTooManyPending();
      return false;
    }
    pending.put(conn, ticker.getAsLong());
    return true;
  }

  /** The handshake completed: no longer this guard's business. */
  void opened(WebSocketImpl conn) {
    pending.remove(conn);
  }

  /** Forgets connections that closed, closes those past the timeout; returns how many it closed. */
  public int sweep() {
    long now = ticker.getAsLong();
    int closed = 0;
    for (Map.Entry<WebSocketImpl, Long> e : pending.entrySet()) {
      WebSocketImpl conn = e.getKey();
      if (conn.getReadyState() == ReadyState.CLOSED) {
        pending.remove(conn);
      } else if (now - e.getValue() > timeoutNanos) {
        pending.remove(conn);
        conn.closeConnection(CloseFrame.PROTOCOL_ERROR, "WebSocket handshake not completed in time");
        listener.handshakeTimedOut();
        closed++;
      }
    }
    return closed;
  }

  public int pending() {
    return pending.size();
  }
}
