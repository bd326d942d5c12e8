package dev.loft.server.transport;

import java.net.InetAddress;
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

    /** The address already held its share of pending handshakes. */
    void rejectedPendingPerAddress();
  }

  /** One pending handshake: when it was accepted and from where. */
  private record Pending(long acceptedAtNanos, InetAddress address) {}

  private final int maxPending;
  private final int maxPendingPerAddress;
  private final long timeoutNanos;
  private final LongSupplier ticker;
  private final Listener listener;
  private final Map<WebSocketImpl, Pending> pending = new ConcurrentHashMap<>();
  /** Pending handshakes per remote address; entries go when they reach zero. */
  private final ConcurrentHashMap<InetAddress, Integer> perAddress = new ConcurrentHashMap<>();

  public HandshakeGuard(int maxPending, int maxPendingPerAddress, long timeoutNanos, LongSupplier ticker, Listener listener) {
    this.maxPending = maxPending;
    this.maxPendingPerAddress = maxPendingPerAddress;
    this.timeoutNanos = timeoutNanos;
    this.ticker = ticker;
    this.listener = listener;
  }

  /**
   * At accept: false if too many handshakes are pending, hub-wide or from {@code address} (the
   * caller closes the socket). The per-address share keeps one host from taking every slot.
   */
  boolean admit(WebSocketImpl conn, InetAddress address) {
    if (pending.size() >= maxPending) {
      listener.rejectedTooManyPending();
      return false;
    }
    boolean[] over = {false};
    perAddress.compute(address, (a, n) -> {
      int held = n == null ? 0 : n;
      if (held >= maxPendingPerAddress) {
        over[0] = true;
        return n;
      }
      return held + 1;
    });
    if (over[0]) {
      listener.rejectedPendingPerAddress();
      return false;
    }
    pending.put(conn, new Pending(ticker.getAsLong(), address));
    return true;
  }

  /** The handshake completed: no longer this guard's business. */
  void opened(WebSocketImpl conn) {
    forget(conn);
  }

  /** Forgets {@code conn} (completed or closed); true if it was pending. Idempotent. */
  boolean forget(WebSocketImpl conn) {
    Pending p = pending.remove(conn);
    if (p == null) {
      return false;
    }
    perAddress.computeIfPresent(p.address(), (a, n) -> n <= 1 ? null : n - 1);
    return true;
  }

  /** Forgets connections that closed, closes those past the timeout; returns how many it closed. */
  public int sweep() {
    long now = ticker.getAsLong();
    int closed = 0;
    for (Map.Entry<WebSocketImpl, Pending> e : pending.entrySet()) {
      WebSocketImpl conn = e.getKey();
      if (conn.getReadyState() == ReadyState.CLOSED) {
        forget(conn);
      } else if (now - e.getValue().acceptedAtNanos() > timeoutNanos && forget(conn)) {
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
