package dev.loft.client.internal;

import java.time.Duration;
import java.util.concurrent.Executor;
import java.util.concurrent.Future;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;

/**
 * The client's one event thread: it runs every timer and delivers every listener event, in order.
 * One thread, so listeners never run concurrently with each other and a timer never races a
 * listener; timers only take the connection lock briefly and never call a listener under it.
 *
 * <p>Its thread starts with the first task and is started at most once: the pool never replaces it.
 */
final class EventThread implements Executor {
  private final ScheduledThreadPoolExecutor executor;
  private volatile Thread thread;

  EventThread(ClientThreads names) {
    this.executor =
        new ScheduledThreadPoolExecutor(
            1,
            task -> {
              Thread t = names.newThread(task);
              thread = t;
              return t;
            });
    executor.setRemoveOnCancelPolicy(true); // cancelled request timeouts must not pile up
    executor.setExecuteExistingDelayedTasksAfterShutdownPolicy(false);
    executor.setContinueExistingPeriodicTasksAfterShutdownPolicy(false);
  }

  Future<?> schedule(Runnable task, Duration delay) {
    return executor.schedule(task, delay.toNanos(), TimeUnit.NANOSECONDS);
  }

  Future<?> scheduleAtFixedRate(Runnable task, Duration period) {
    long nanos = period.toNanos();
    return executor.scheduleAtFixedRate(task, nanos, nanos, TimeUnit.NANOSECONDS);
  }

  /** @throws java.util.concurrent.RejectedExecutionException once shut down */
  @Override
  public void execute(Runnable task) {
    executor.execute(task);
  }

  boolean isCurrentThread() {
    return Thread.currentThread() == thread;
  }

  /**
   * Tasks waiting: timers not yet due (or cancelled) and deliveries not yet started. What a leak of
   * request timeouts would grow; for tests.
   */
  int waitingTasks() {
    return executor.getQueue().size();
  }

  /**
   * Runs what is already queued, drops pending timers, and waits up to {@code timeout} for that;
   * then interrupts a listener that is stuck rather than leak the thread. Called on the event thread
   * itself (a listener closing the client), it cannot wait for itself: the thread ends after the
   * listener returns.
   */
  void shutdown(Duration timeout) {
    executor.shutdown();
    if (isCurrentThread()) {
      return;
    }
    try {
      if (!executor.awaitTermination(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
        executor.shutdownNow();
      }
    } catch (InterruptedException e) {
      executor.shutdownNow();
      Thread.currentThread().interrupt();
    }
  }

  static void cancel(Future<?> timer) {
    if (timer != null) {
      timer.cancel(false);
    }
  }
}
