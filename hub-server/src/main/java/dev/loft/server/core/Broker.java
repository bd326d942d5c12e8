package dev.loft.server.core;

/**
 * What the core needs of a message broker between hubs, and nothing of Redis: publish bytes to a
 * channel, follow a channel while there is local interest in it. The Redis link implements it
 * (see {@code dev.loft.server.cluster}); the core never waits for it.
 *
 * <p>Every call returns at once, on the caller's thread (a WebSocket decoder thread): what cannot
 * be sent now is dropped and counted by the broker, never queued without bound.
 */
public interface Broker {
  /** This hub's id in the cluster, unique among the hubs sharing the broker. */
  String nodeId();

  /** The channel where what is addressed to hub {@code nodeId} goes; the broker follows its own always. */
  String nodeChannel(String nodeId);

  /** True while the broker can carry messages both ways (connected, its subscriptions live). */
  boolean isUp();

  /** Publishes one message; false when it was dropped (broker down, over its bounds). */
  boolean publish(String channel, byte[] message);

  /** Adds one unit of interest in {@code channel}; the first one subscribes. */
  void subscribe(String channel);

  /** Removes one unit of interest; the last one unsubscribes. */
  void unsubscribe(String channel);

  /** Where the broker hands what arrives on the channels followed: on the broker's own thread. */
  void listener(Listener listener);

  /** Receives a message from a channel followed. Must not block. */
  interface Listener {
    void onMessage(String channel, byte[] message);

    /** The broker's link came back after being down: what was followed is followed again. */
    default void onReconnected() {}
  }
}
