package dev.loft.client.internal;

import dev.loft.bus.ListenerHandle;
import java.util.List;

/** One name registered for several event types (the {@code StateChange} records); closes all. */
final class CompositeHandle implements ListenerHandle {
  private final String name;
  private final Class<?> eventType;
  private final List<ListenerHandle> parts;

  CompositeHandle(String name, Class<?> eventType, List<ListenerHandle> parts) {
    this.name = name;
    this.eventType = eventType;
    this.parts = List.copyOf(parts);
  }

  @Override
  public String name() {
    return name;
  }

  @Override
  public Class<?> eventType() {
    return eventType;
  }

  @Override
  public boolean isActive() {
    return parts.stream().anyMatch(ListenerHandle::isActive);
  }

  @Override
  public void close() {
    parts.forEach(ListenerHandle::close);
  }

  @Override
  public String toString() {
    return "ListenerHandle[" + eventType.getSimpleName() + "/" + name + (isActive() ? "" : ", closed") + "]";
  }
}
