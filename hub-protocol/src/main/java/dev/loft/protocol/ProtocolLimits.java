package dev.loft.protocol;

/**
 * Size limits the codec enforces on every frame. The constants are the defaults; a hub may
 * configure a different maximum frame size (the others are part of the wire contract).
 */
public final class ProtocolLimits {
  /** Peer ids are exactly this many hexadecimal characters (PeerPigeon's format). */
  public static final int PEER_ID_LENGTH = 40;
  /** Longest network name. PeerPigeon does not limit it; names in use are short. */
  public static final int MAX_NETWORK_NAME_LENGTH = 64;
  /** Longest topic name. */
  public static final int MAX_TOPIC_LENGTH = 128;
  /** Longest client-chosen request id. */
  public static final int MAX_REQUEST_ID_LENGTH = 64;
  /** Deepest JSON nesting in a frame, the frame object itself counting as 1. */
  public static final int MAX_DEPTH = 32;
  /** Largest frame in characters, unless configured otherwise (also the WebSocket frame limit). */
  public static final int DEFAULT_MAX_FRAME_BYTES = 256 * 1024;
  /** The network a peer joins when its announce names none (PeerPigeon's default). */
  public static final String DEFAULT_NETWORK = "global";

  public static final ProtocolLimits DEFAULTS = new ProtocolLimits(DEFAULT_MAX_FRAME_BYTES);

  private final int maxFrameChars;

  public ProtocolLimits(int maxFrameChars) {
    if (maxFrameChars < 64) {
      throw new IllegalArgumentException("maxFrameChars must be at least 64, got " + maxFrameChars);
    }
    this.maxFrameChars = maxFrameChars;
  }

  public int maxFrameChars() {
    return maxFrameChars;
  }
}
