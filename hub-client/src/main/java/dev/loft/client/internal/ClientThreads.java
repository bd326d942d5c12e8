package dev.loft.client.internal;

import java.util.concurrent.ThreadFactory;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Names every thread a client starts {@code loft-client-<peer>-<role>-<n>} and makes it a daemon,
 * so that a thread dump says which client owns which thread and no client keeps a JVM alive.
 */
final class ClientThreads implements ThreadFactory {
  static final String PREFIX = "loft-client-";

  private final String base;
  private final AtomicInteger counter = new AtomicInteger();

  ClientThreads(String peerId, String role) {
    this.base = PREFIX + peerId.substring(0, 8) + "-" + role + "-";
  }

  String nextName() {
    return base + counter.incrementAndGet();
  }

  @Override
  public Thread newThread(Runnable task) {
    Thread t = new Thread(task, nextName());
    t.setDaemon(true);
    return t;
  }
}
