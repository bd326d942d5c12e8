package dev.loft.server.core;

import dev.loft.protocol.RawJson;

import dev.loft.server.link.OutboundFrame;
import java.util.List;

/**
 * The seam between routing and where receivers live. Today every receiver is on this hub
 * ({@link LocalDelivery}); a Redis-backed broker can implement the same calls to carry
 * publications, directs and presence between hubs without touching the transport or protocol.
 * Frames arrive already encoded, once, for all receivers.
 */
interface Delivery extends AutoCloseable {
  /** Delivers to every subscriber of {@code topic} except {@code senderId}; returns how many took it. */
  int publish(String topic, String senderId, OutboundFrame frame);

  /** Delivers to {@code peerId} if it is announced in {@code network}. */
  Outcome toPeer(String network, String peerId, OutboundFrame frame);

  /** What happened to a frame for one peer. */
  enum Outcome {
    DELIVERED,
    /** The peer is not announced in that network (or not connected at all). */
    NOT_FOUND,
    /** The peer is there but its backlog is full: it is being evicted as a slow consumer. */
    DROPPED,
    /** The peer is on another hub, which cannot be reached now (the broker is down or full). */
    UNREACHABLE
  }

  /** Delivers to every member of {@code network} except {@code exceptPeerId}; returns how many. */
  int toNetwork(String network, String exceptPeerId, OutboundFrame frame);

  /**
   * {@code peer} joined {@code network} with {@code data} and was introduced to this hub's members;
   * {@code discoveryLeft} more introductions are allowed by the discovery cap, for other hubs.
   */
  default void joined(String network, Peer peer, RawJson data, int discoveryLeft) {}

  /**
   * An operator's kick of a peer that is not on this hub: asks the other hubs to close it there;
   * true when the request went out (whether some hub holds it is not known here).
   */
  default boolean kickElsewhere(String peerId) {
    return false;
  }

  /** {@code peerId} left {@code network}: tells the network {@code disconnected}; returns how many. */
  default int left(String network, String peerId, OutboundFrame disconnected) {
    return toNetwork(network, peerId, disconnected);
  }

  /** Up to {@code limit} peer ids announced in {@code network}; the list's size may be < count. */
  Presence networkPresence(String network, int limit);

  /** Up to {@code limit} peer ids subscribed to {@code topic} on this hub. */
  Presence topicPresence(String topic, int limit);

  /**
   * Up to {@code limit} peer ids subscribed to {@code topic} wherever they are, given to {@code
   * answer} once known: at once on a hub of its own, after the other hubs answered (or a short
   * wait ran out) in a cluster. {@code answer} must not block.
   */
  default void topicPresence(String topic, int limit, java.util.function.Consumer<Presence> answer) {
    answer.accept(topicPresence(topic, limit));
  }

  @Override
  void close();

  /** Who is there: some ids and the true count. */
  record Presence(List<String> peerIds, int count) {
    public boolean truncated() {
      return peerIds.size() < count;
    }
  }
}
