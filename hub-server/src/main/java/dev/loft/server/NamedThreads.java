package dev.loft.server;

import java.util.concurrent.ThreadFactory;
import java.util.concurrent.atomic.AtomicInteger;

/** Daemon threads named {@code loft-<role>-<n>} that hand anything uncaught to the hub's handler. */
final class NamedThreads implements ThreadFactory {
  private final String prefix;
  private final Thread.UncaughtExceptionHandler handler;
  private final AtomicInteger counter = new AtomicInteger();

  NamedThreads(String role, Thread.UncaughtExceptionHandler handler) {
    this.prefix = "loft-" + role + "-";
    this.handler = handler;
  }

  @Override
  public Thread newThread(Runnable r) {
    Thread t = new Thread(r, prefix + counter.incrementAndGet());
    t.setDaemon(true);
    t.setUncaughtExceptionHandler(handler);
    return t;
  }
}
