package dev.loft.client;

/**
 * Listeners are slower than the hub's traffic: more than {@link #maxQueuedEvents()} events were
 * waiting for the client's event thread, so events are being dropped instead of queued. Reported
 * once per overflow episode to {@link ErrorListener#eventQueueFull}; {@link HubClient#droppedEvents()}
 * counts every dropped event. Connection state changes are kept as long as possible, so a listener
 * still learns when the connection drops or the client closes.
 */
public final class EventQueueFullException extends HubClientException {
  private static final long serialVersionUID = 1L;

  private final int maxQueuedEvents;
  private final String firstDropped;

  public EventQueueFullException(int maxQueuedEvents, String firstDropped) {
    super(
        "event queue full: "
            + maxQueuedEvents
            + " events wait for listeners (HubClientOptions.maxQueuedEvents); dropped "
            + firstDropped
            + " and drops every further event until half of them are delivered."
            + " A listener is too slow or blocks the event thread.");
    this.maxQueuedEvents = maxQueuedEvents;
    this.firstDropped = firstDropped;
  }

  /** The bound that was reached. */
  public int maxQueuedEvents() {
    return maxQueuedEvents;
  }

  /** What the first dropped event of this episode was, e.g. {@code TopicMessage}. */
  public String firstDropped() {
    return firstDropped;
  }
}
