package dev.loft.stress.ws;

/** Callbacks of one client connection. All run on the connection's selector thread: keep them short. */
public interface WsListener {
  /** The WebSocket handshake completed. */
  default void onOpen(WsConn conn) {}

  /** A complete text message; {@code buf[off, off+len)} is valid only during the call. */
  default void onText(WsConn conn, byte[] buf, int off, int len) {}

  /**
   * The connection ended; called exactly once. {@code code} is the close code the hub sent, 1006
   * when the TCP connection ended without a close frame (or never opened), 1005 when the frame had
   * no code. {@code remote} is true when the hub started the close.
   */
  default void onClose(WsConn conn, int code, String reason, boolean remote) {}
}
