package dev.loft.client.internal;

import dev.loft.bus.ListenerHandle;
import dev.loft.client.Subscription;
import java.util.concurrent.CompletableFuture;
import java.util.function.Consumer;

/** A {@link Subscription}: the topic bus's handle, plus telling the client when it closes. */
final class SubscriptionHandle implements Subscription {
  private final TopicEntry entry;
  private final ListenerHandle handle;
  private final Consumer<TopicEntry> onClose;

  SubscriptionHandle(TopicEntry entry, ListenerHandle handle, Consumer<TopicEntry> onClose) {
    this.entry = entry;
    this.handle = handle;
    this.onClose = onClose;
  }

  @Override
  public String topic() {
    return entry.topic;
  }

  @Override
  public CompletableFuture<Void> ready() {
    return entry.ready.copy();
  }

  @Override
  public String name() {
    return handle.name();
  }

  @Override
  public Class<?> eventType() {
    return handle.eventType();
  }

  @Override
  public boolean isActive() {
    return handle.isActive();
  }

  @Override
  public void close() {
    if (handle.isActive()) {
      handle.close();
      onClose.accept(entry);
    }
  }

  @Override
  public String toString() {
    return "Subscription[" + entry.topic + "/" + handle.name() + (isActive() ? "" : ", closed") + "]";
  }
}
