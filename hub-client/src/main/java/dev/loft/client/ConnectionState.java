package dev.loft.client;

/** Where a {@link HubClient} is in its connection life cycle. */
public enum ConnectionState {
  /** Not connected and not trying: before the first {@link HubClient#connect()}, or after giving up. */
  DISCONNECTED,
  /** A socket is being opened, or is open and the client is announcing and re-subscribing. */
  CONNECTING,
  /** Announced, every active topic re-subscribed, buffered frames flushed. */
  CONNECTED,
  /** The connection was lost; a reconnect attempt is scheduled after a backoff delay. */
  WAITING_TO_RECONNECT,
  /** {@link HubClient#close()} was called. Terminal. */
  CLOSED
}
