package dev.loft.protocol;

/**
 * Stable, machine-readable error codes carried in the {@code code} field of an {@code error} frame.
 *
 * <p>The names are the wire values and never change meaning; new codes may be added. Clients
 * should treat an unknown code as a generic failure.
 */
public enum ErrorCode {
  // --- produced by the codec (bad input) ---
  /** The text is not well-formed JSON, or has trailing data. */
  BAD_JSON,
  /** Well-formed JSON that is not a frame: not an object, or a field of the wrong JSON type. */
  BAD_FRAME,
  /** {@code type} names no frame this hub accepts. */
  UNKNOWN_TYPE,
  /** A field the frame type requires is absent or null. */
  MISSING_FIELD,
  /** A peer id is not 40 hexadecimal characters. */
  BAD_PEER_ID,
  /** A network name is empty, too long, or has control characters. */
  BAD_NETWORK,
  /** A topic name is empty, too long, or has characters outside the allowed set. */
  BAD_TOPIC,
  /** A request {@code id} is too long or has control characters. */
  BAD_ID,
  /** The frame is larger than the configured maximum. */
  FRAME_TOO_LARGE,
  /** The JSON nests deeper than the allowed depth. */
  TOO_DEEP,

  // --- produced by the hub (valid frame, refused) ---
  /** The target peer is not connected, or not in the sender's network. */
  PEER_NOT_FOUND,
  /** The request needs the sender to have announced into a network first. */
  NOT_ANNOUNCED,
  /** The sender exceeded its inbound rate limit; the frame was dropped. */
  RATE_LIMITED,
  /** The sender already holds the maximum number of topic subscriptions. */
  TOO_MANY_TOPICS,
  /** The hub already holds the maximum number of topics. */
  HUB_TOPIC_LIMIT,
  /** The hub already holds the maximum number of networks. */
  HUB_NETWORK_LIMIT,
  /** The hub is shedding load (memory pressure or shutting down). */
  OVERLOADED,
  /** The hub's memory budget is full: the subscription or announce was refused; retry later. */
  OVER_BUDGET,
  /** Announce {@code data} is larger than the hub's {@code max-announce-bytes}. */
  ANNOUNCE_TOO_LARGE,
  /** The sender's address holds its share of a hub-wide table (subscriptions, networks). */
  ADDRESS_LIMIT,
  /** An unexpected failure inside the hub while handling this frame. */
  INTERNAL
}
