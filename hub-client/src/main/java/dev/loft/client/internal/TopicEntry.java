package dev.loft.client.internal;

import dev.loft.bus.EventBus;
import dev.loft.client.TopicMessage;
import java.util.concurrent.CompletableFuture;

/**
 * One subscribed topic: its own small event bus (so delivery is one map lookup, listeners are
 * named and capped, and a throwing listener is isolated) and the future of its first {@code ack}.
 * Created when the first subscription of a topic opens, discarded when the last one closes.
 */
final class TopicEntry {
  final String topic;
  final EventBus listeners;
  final CompletableFuture<Void> ready = new CompletableFuture<>();

  TopicEntry(String topic, EventBus listeners) {
    this.topic = topic;
    this.listeners = listeners;
  }

  boolean hasListeners() {
    return listeners.hasListeners(TopicMessage.class);
  }

  void deliver(TopicMessage message) {
    listeners.publish(message);
  }
}
