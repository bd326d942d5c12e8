package dev.loft.bus;

/** Receives what a listener threw, so that it reaches neither the publisher nor other listeners. */
@FunctionalInterface
public interface ListenerErrorHandler {
  void onListenerError(String listenerName, Object event, Throwable error);
}
