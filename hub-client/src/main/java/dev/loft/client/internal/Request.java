package dev.loft.client.internal;

import com.google.gson.JsonElement;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Future;

/**
 * One request that expects {@code ack} or {@code error}: its wire id, its type (for messages) and
 * the future handed to the caller. Whoever completes the future first wins; the rest is cleanup.
 */
final class Request {
  final String id;
  final String type;
  final CompletableFuture<JsonElement> future = new CompletableFuture<>();

  /** The timeout task; set once by the thread that accepted the request, read by any. */
  private volatile Future<?> timeout;

  Request(String id, String type) {
    this.id = id;
    this.type = type;
    // Whatever completes the request, its timer must not outlive it.
    future.whenComplete((result, error) -> cancelTimeout());
  }

  void setTimeout(Future<?> task) {
    timeout = task;
    if (future.isDone()) {
      task.cancel(false);
    }
  }

  private void cancelTimeout() {
    Future<?> task = timeout;
    if (task != null) {
      task.cancel(false);
    }
  }

  boolean isDone() {
    return future.isDone();
  }
}
