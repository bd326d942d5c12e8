package dev.loft.bus;

import java.util.List;

/** A registration would take an event type past its listener cap: usually a listener leak. */
public final class ListenerCapExceededException extends IllegalStateException {
  private static final long serialVersionUID = 1L;

  private final transient Class<?> eventType;
  private final int cap;
  private final List<String> existing;

  ListenerCapExceededException(Class<?> eventType, int cap, List<String> existing, String refused) {
    super(
        "listener cap of "
            + cap
            + " for event type "
            + eventType.getName()
            + " reached; refusing '"
            + refused
            + "'; existing listeners: "
            + existing);
    this.eventType = eventType;
    this.cap = cap;
    this.existing = List.copyOf(existing);
  }

  public Class<?> eventType() {
    return eventType;
  }

  public int cap() {
    return cap;
  }

  public List<String> existingListeners() {
    return existing;
  }
}
