package dev.loft.protocol;

/**
 * Every WebSocket close code Loft sends, in one place. Codes 1000-1015 are RFC 6455; 4000-4999 are
 * Loft's own (the range RFC 6455 reserves for applications).
 */
public final class CloseCodes {
  private CloseCodes() {}

  /** Normal closure: the peer or the client library asked to close. */
  public static final int NORMAL = 1000;
  /** The hub is shutting down; reconnect to another hub or later. */
  public static final int GOING_AWAY = 1001;
  /**
   * Policy violation at connect time: missing/invalid peer id, id already connected, too many
   * connections to the hub or from one address. The reason text says which.
   */
  public static final int POLICY = 1008;
  /** An inbound frame exceeded the maximum frame size. */
  public static final int TOO_BIG = 1009;
  /** The hub failed while handling this peer; the hub itself keeps running. */
  public static final int INTERNAL_ERROR = 1011;
  /** The hub is under memory pressure or overloaded: try again later (with backoff). */
  public static final int TRY_AGAIN_LATER = 1013;

  /** Evicted: the peer did not read fast enough and its outbound backlog passed the watermark. */
  public static final int SLOW_CONSUMER = 4000;
  /** Evicted: the peer kept exceeding its inbound rate limit after being warned. */
  public static final int RATE_LIMIT_EXCEEDED = 4001;
  /** Closed: the peer neither announced nor subscribed within the grace period after connecting. */
  public static final int IDLE_TIMEOUT = 4002;
  /** Closed by an operator through the admin API. */
  public static final int KICKED = 4003;
  /** Closed: a new connection with the same peer id replaced this stale one. */
  public static final int REPLACED = 4004;
  /** Evicted to relieve memory pressure (the worst slow consumers go first). */
  public static final int SHED_UNDER_PRESSURE = 4005;
  /**
   * Evicted while the hub's memory budget was past its high mark: this connection's account was
   * among the largest (its backlog, buffers or retained data). Reconnect later, with backoff.
   */
  public static final int OVER_BUDGET = 4006;

  /** Reason texts that PeerPigeon clients may match on; kept identical to PeerPigeon's hub. */
  public static final String REASON_INVALID_PEER_ID = "Invalid peerId format";
  public static final String REASON_ALREADY_CONNECTED = "Peer already connected";
  public static final String REASON_MAX_CONNECTIONS = "Maximum connections reached";
  public static final String REASON_MAX_PER_ADDRESS = "Too many connections from this address";
  /** With 1013: the memory budget is full, new connections are refused until it drains. */
  public static final String REASON_OVER_BUDGET = "Hub memory budget full, try again later";
}
