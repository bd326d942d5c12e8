package dev.loft.server;

import com.google.common.util.concurrent.ThreadFactoryBuilder;
import java.util.concurrent.ThreadFactory;

/** Daemon threads named {@code loft-<role>-<n>} that hand anything uncaught to the hub's handler. */
final class NamedThreads {
  private NamedThreads() {}

  static ThreadFactory of(String role, Thread.UncaughtExceptionHandler handler) {
    return new ThreadFactoryBuilder()
        .setNameFormat("loft-" + role + "-%d")
        .setDaemon(true)
        .setUncaughtExceptionHandler(handler)
        .build();
  }
}
