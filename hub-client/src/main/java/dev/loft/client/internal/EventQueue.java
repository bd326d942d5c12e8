package dev.loft.client.internal;

import dev.loft.client.EventQueueFullException;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;

/**
 * The bound on deliveries waiting for the event thread. The executor's own queue is unbounded, so
 * without this a listener slower than the hub's traffic grows the heap until the JVM dies: every
 * delivery is counted here from {@link #offer} until the event thread starts it, and refused
 * (dropped and counted) once {@code maxQueued} are waiting.
 *
 * <h2>Lifecycle events have headroom</h2>
 * A dropped message is one message; a dropped {@code Disconnected} or {@code Closed} leaves the
 * application believing a state that is no longer true. So {@link Kind#LIFECYCLE} deliveries may
 * use {@link #LIFECYCLE_RESERVE} places past the bound. That reserve is enough because lifecycle
 * events do not come in floods: while the event thread is stuck, no timer runs either, so no
 * reconnect starts and each socket adds at most a few. {@link Kind#FINAL} ({@code Closed}, once per
 * client) is never refused. The overflow report itself also uses the reserve.
 *
 * <h2>One report per overflow episode</h2>
 * The first drop starts an episode and is reported (an {@link EventQueueFullException} handed to
 * {@code onOverflow} on the event thread); later drops are only counted. The episode ends when the
 * queue has drained to half the bound, so a queue hovering at its bound is not reported per drop.
 *
 * <p>Thread-safe and lock-free: offered from the socket read thread, from threads holding the
 * client lock, and from {@code close()}; released on the event thread.
 */
final class EventQueue {
  /** Places past the bound that only lifecycle deliveries (and the overflow report) may take. */
  static final int LIFECYCLE_RESERVE = 64;

  /** How a delivery is treated once the queue is at its bound. */
  enum Kind {
    /** Driven by the hub's traffic (messages, signals, peers, error frames): dropped past the bound. */
    ORDINARY,
    /** Connection state changes: may use the reserve. */
    LIFECYCLE,
    /** The very last event ({@code Closed}): always queued. */
    FINAL
  }

  private final Executor eventThread;
  private final int maxQueued;
  private final Consumer<EventQueueFullException> onOverflow;
  private final AtomicInteger queued = new AtomicInteger();
  private final AtomicLong dropped = new AtomicLong();
  private final AtomicBoolean overflowing = new AtomicBoolean();

  /**
   * @param onOverflow told once per episode, on the event thread
   */
  EventQueue(Executor eventThread, int maxQueued, Consumer<EventQueueFullException> onOverflow) {
    this.eventThread = eventThread;
    this.maxQueued = maxQueued;
    this.onOverflow = onOverflow;
  }

  /**
   * Queues {@code delivery} for the event thread; false when it was dropped because the queue is
   * full (counted) or the event thread is shut down (not counted: nobody listens any more).
   *
   * @param what names the delivery in the overflow report, e.g. the event's class
   */
  boolean offer(Runnable delivery, Kind kind, String what) {
    int limit =
        switch (kind) {
          case ORDINARY -> maxQueued;
          case LIFECYCLE -> maxQueued + LIFECYCLE_RESERVE;
          case FINAL -> Integer.MAX_VALUE;
        };
    if (!admit(limit)) {
      dropped.incrementAndGet();
      if (overflowing.compareAndSet(false, true)) {
        EventQueueFullException report = new EventQueueFullException(maxQueued, what);
        // If even the reserve is full the report is lost; the drop counter still tells.
        if (admit(maxQueued + LIFECYCLE_RESERVE)) {
          execute(() -> onOverflow.accept(report));
        }
      }
      return false;
    }
    return execute(delivery);
  }

  /** Deliveries waiting for the event thread (not counting the one it is running). */
  int queued() {
    return queued.get();
  }

  /** Deliveries dropped because the queue was full, since the client was created. */
  long dropped() {
    return dropped.get();
  }

  /** Takes a place if fewer than {@code limit} are taken. */
  private boolean admit(int limit) {
    while (true) {
      int n = queued.get();
      if (n >= limit) {
        return false;
      }
      if (queued.compareAndSet(n, n + 1)) {
        return true;
      }
    }
  }

  /** Hands an admitted delivery to the event thread; its place is freed when it starts. */
  private boolean execute(Runnable delivery) {
    try {
      eventThread.execute(
          () -> {
            released();
            delivery.run();
          });
      return true;
    } catch (RejectedExecutionException closedAlready) {
      queued.decrementAndGet();
      return false;
    }
  }

  private void released() {
    int left = queued.decrementAndGet();
    if (left <= maxQueued / 2 && overflowing.get()) {
      overflowing.set(false); // drained: the next drop is a new episode, and reported again
    }
  }
}
