package dev.loft.client;

/**
 * Problems that belong to no single call, in the style of nats.java's {@code ErrorListener}. Every
 * method has a no-op default; override the ones you care about. Called on the client's event
 * thread, never while the client holds its lock. Must not block.
 */
public interface ErrorListener {

  /** The hub sent an {@code error} frame that answers no pending request. */
  default void hubError(HubClient client, HubError error) {}

  /** A frame from the hub could not be decoded; it was dropped and the connection kept. */
  default void badFrame(HubClient client, String reason) {}

  /** A listener threw; the exception reached neither the client nor the other listeners. */
  default void listenerFailed(HubClient client, String listenerName, Object event, Throwable error) {}

  /** A connection attempt or an open connection failed at the transport level. */
  default void transportError(HubClient client, Throwable error) {}

  /**
   * Events are being dropped because listeners fall behind (see {@link
   * HubClientOptions#maxQueuedEvents()}). Called once when dropping starts, not per event; {@link
   * HubClient#droppedEvents()} has the count. Like every event it waits its turn on the event
   * thread, so it arrives after the events queued before the first drop.
   */
  default void eventQueueFull(HubClient client, EventQueueFullException error) {}
}
