package dev.loft.bus;

/**
 * A named registration on an {@link EventBus}. Closing it removes exactly this listener (not a
 * later one registered under the same name); closing again does nothing and never throws.
 */
public interface ListenerHandle extends AutoCloseable {
  /** The name given at registration, unique per event type on its bus. */
  String name();

  /** The event type this listener receives. */
  Class<?> eventType();

  /** True until the handle is closed, the listener is removed by name, or the bus closes. */
  boolean isActive();

  @Override
  void close();
}
