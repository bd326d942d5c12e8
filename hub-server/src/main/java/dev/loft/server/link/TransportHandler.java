package dev.loft.server.link;

import java.nio.ByteBuffer;

/** What the transport tells the hub's core. Called on the library's threads: never block. */
public interface TransportHandler {
  /** A handshake completed. Runs on a decoder thread. */
  void onOpen(PeerLink link);

  /** Kinds of inbound frame, as the rate limit sees them. */
  enum FrameKind { TEXT, BINARY, CONTINUATION, PING, PONG }

  /**
   * Any inbound frame but a close, before it is processed: false drops it (rate limited). Runs on
   * the link's decoder thread; {@code link} is null before the core attached it.
   */
  boolean admitFrame(PeerLink link, FrameKind kind, int payloadBytes);

  /** A ping the core admitted: the core answers it (its pong goes through the outbound bound). */
  void onPing(PeerLink link, ByteBuffer payload);

  /** A text frame arrived. All frames of one link arrive on the same decoder thread, in order. */
  void onText(PeerLink link, String text);

  /** A binary frame arrived; Loft's protocol is text only. */
  void onBinary(PeerLink link, int length);

  /**
   * The link closed. Runs on whichever thread closed the socket, inside the library's lock on
   * that connection: take no lock here that a sender might hold.
   */
  void onClose(PeerLink link, int code, String reason, boolean remote, CloseCause cause);

  /** Why a link closed, as far as the core needs to know (the library's own wording stays here). */
  enum CloseCause {
    /** Anything but the below: a close handshake, a reset, an eviction, a shutdown. */
    OTHER,
    /** The heartbeat found the peer silent: no pong within the lost-connection timeout. */
    HEARTBEAT_TIMEOUT
  }

  /** The library reported an error; {@code link} is null for server-level errors. */
  void onError(PeerLink link, Exception error);
}
