package dev.loft.client;

import java.net.URI;
import java.time.Duration;

/**
 * Connection state changes, published on the client's event bus in the order they happen. Listen
 * with {@link HubClient#onStateChange}, or to one kind with {@link HubClient#on}.
 */
public sealed interface StateChange {

  /** The state the client is in after this change. */
  ConnectionState state();

  /** A socket to {@code uri} is being opened; {@code attempt} is 0 for a manual connect. */
  record Connecting(URI uri, int attempt) implements StateChange {
    @Override
    public ConnectionState state() {
      return ConnectionState.CONNECTING;
    }
  }

  /** Announced on {@code uri} and every active topic re-subscribed. */
  record Connected(URI uri, String peerId) implements StateChange {
    @Override
    public ConnectionState state() {
      return ConnectionState.CONNECTED;
    }
  }

  /**
   * The socket closed or could not be opened. {@code code} is the WebSocket close code (see
   * {@code dev.loft.protocol.CloseCodes}; 1006 when the connection dropped without one).
   */
  record Disconnected(int code, String reason, boolean remote) implements StateChange {
    @Override
    public ConnectionState state() {
      return ConnectionState.DISCONNECTED;
    }
  }

  /** Reconnect attempt number {@code attempt} (from 1) will start after {@code delay}. */
  record Reconnecting(int attempt, Duration delay) implements StateChange {
    @Override
    public ConnectionState state() {
      return ConnectionState.WAITING_TO_RECONNECT;
    }
  }

  /** The reconnect policy ran out of attempts, or the hub closed with a code not worth retrying. */
  record GaveUp(int attempts, String reason) implements StateChange {
    @Override
    public ConnectionState state() {
      return ConnectionState.DISCONNECTED;
    }
  }

  /** {@link HubClient#close()} finished. The last event a client publishes. */
  record Closed() implements StateChange {
    @Override
    public ConnectionState state() {
      return ConnectionState.CLOSED;
    }
  }
}
