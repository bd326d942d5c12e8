package dev.loft.protocol;

/** The wire {@code type} values, as constants so that no string is spelled twice. */
public final class FrameTypes {
  private FrameTypes() {}

  // PeerPigeon signaling, client to hub
  public static final String ANNOUNCE = "announce";
  public static final String OFFER = "offer";
  public static final String ANSWER = "answer";
  public static final String ICE_CANDIDATE = "ice-candidate";
  public static final String GOODBYE = "goodbye";
  public static final String PING = "ping";
  public static final String CLEANUP = "cleanup";
  // PeerPigeon signaling, hub to client
  public static final String CONNECTED = "connected";
  public static final String PEER_DISCOVERED = "peer-discovered";
  public static final String PEER_DISCONNECTED = "peer-disconnected";
  public static final String PONG = "pong";
  public static final String ERROR = "error";
  // Loft extensions
  public static final String SUBSCRIBE = "subscribe";
  public static final String UNSUBSCRIBE = "unsubscribe";
  public static final String PUBLISH = "publish";
  public static final String MESSAGE = "message";
  public static final String DIRECT = "direct";
  public static final String PRESENCE = "presence";
  public static final String ACK = "ack";

  /** The {@code fromPeerId} the hub puts on frames it originates, as PeerPigeon's hub does. */
  public static final String SYSTEM_SENDER = "system";
}
