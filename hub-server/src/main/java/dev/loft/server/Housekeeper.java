package dev.loft.server;

import java.util.concurrent.CancellationException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.atomic.LongAdder;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The hub's one timer thread. A task given to a {@link ScheduledThreadPoolExecutor} that throws
 * leaves its exception in a Future nobody reads: an eviction, a force-close or a grace check that
 * failed would leave no trace. Here every one-off task's failure is logged and counted, and an
 * {@link Error} goes to the hub's fatal path.
 */
final class Housekeeper extends ScheduledThreadPoolExecutor {
  private static final Logger LOG = LoggerFactory.getLogger(Housekeeper.class);

  /** Where an Error from a task goes (the hub's uncaught-error path). */
  interface FatalHandler {
    void fatal(Thread thread, Throwable error);
  }

  private final FatalHandler fatal;
  private final LongAdder failures = new LongAdder();

  Housekeeper(ThreadFactory threads, FatalHandler fatal) {
    super(1, threads);
    this.fatal = fatal;
    setRemoveOnCancelPolicy(true); // cancelled grace timers must not pin closed peers
    setExecuteExistingDelayedTasksAfterShutdownPolicy(false);
  }

  @Override
  protected void afterExecute(Runnable task, Throwable thrown) {
    super.afterExecute(task, thrown);
    Throwable failure = thrown;
    if (failure == null && task instanceof Future<?> future && future.isDone()) {
      try {
        future.get();
      } catch (CancellationException cancelled) {
        return;
      } catch (ExecutionException e) {
        failure = e.getCause();
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
    if (failure == null) {
      return;
    }
    failures.increment();
    if (failure instanceof Error error) {
      fatal.fatal(Thread.currentThread(), error);
    } else {
      LOG.error("housekeeper task failed", failure);
    }
  }

  /** Tasks that threw (one-off or periodic). */
  long failures() {
    return failures.sum();
  }
}
