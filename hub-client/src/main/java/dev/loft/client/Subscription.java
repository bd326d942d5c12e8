package dev.loft.client;

import dev.loft.bus.ListenerHandle;
import java.util.concurrent.CompletableFuture;

/**
 * One named listener on one topic. Closing it removes the listener; closing the last subscription
 * of a topic also sends {@code unsubscribe} to the hub. Closing twice does nothing.
 */
public interface Subscription extends ListenerHandle {

  String topic();

  /**
   * Completes when the hub has acknowledged the topic's subscription (on this connection or, when
   * disconnected, on the next one); fails if the hub refuses it or the client closes.
   */
  CompletableFuture<Void> ready();
}
