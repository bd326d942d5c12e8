package dev.loft.client.internal;

/**
 * Callbacks from one {@link HubSocket}, on that socket's read thread (or, for {@link #onClosed},
 * on whichever thread closed it). Implementations must check that the socket is still the current
 * one: callbacks from a replaced socket arrive late and are to be ignored.
 */
interface SocketListener {
  void onOpen(HubSocket socket);

  void onText(HubSocket socket, String text);

  /** A WebSocket pong: proof the hub is alive. */
  void onPong(HubSocket socket);

  /** Exactly once per socket, whether it opened or not. */
  void onClosed(HubSocket socket, int code, String reason, boolean remote);

  void onTransportError(HubSocket socket, Exception error);
}
