package dev.loft.stress.ws;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.util.LinkedHashSet;
import java.util.PriorityQueue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicBoolean;

/** One selector thread: I/O readiness, tasks from other threads, and timers. */
final class Loop implements Runnable {
  private final WsEngine engine;
  private final Selector selector;
  private final Thread thread;
  private final ConcurrentLinkedQueue<Runnable> tasks = new ConcurrentLinkedQueue<>();
  private final PriorityQueue<Timer> timers = new PriorityQueue<>();
  private final AtomicBoolean wakeupPending = new AtomicBoolean();
  private volatile boolean running = true;
  /** Batched writes: connections with frames queued during this pass (loop thread only). */
  private final LinkedHashSet<WsConn> toFlush = new LinkedHashSet<>();
  private long timerSeq;
  /** Shared read buffer: connections keep their own bytes only for an incomplete frame. */
  final byte[] readBuf = new byte[256 * 1024];

  private record Timer(long at, long seq, Runnable task) implements Comparable<Timer> {
    @Override
    public int compareTo(Timer o) {
      int c = Long.compare(at, o.at);
      return c != 0 ? c : Long.compare(seq, o.seq);
    }
  }

  Loop(WsEngine engine, String name) throws IOException {
    this.engine = engine;
    this.selector = Selector.open();
    this.thread = new Thread(this, name);
    thread.setDaemon(true);
  }

  WsEngine engine() {
    return engine;
  }

  void start() {
    thread.start();
  }

  boolean inLoop() {
    return Thread.currentThread() == thread;
  }

  void execute(Runnable task) {
    if (inLoop()) {
      task.run();
      return;
    }
    tasks.add(task);
    wakeup();
  }

  /** Runs {@code task} on the loop thread later, never inline (callers may not be ready for callbacks yet). */
  void executeLater(Runnable task) {
    tasks.add(task);
    wakeup();
  }

  void wakeup() {
    if (wakeupPending.compareAndSet(false, true)) {
      selector.wakeup();
    }
  }

  void schedule(long delayMillis, Runnable task) {
    long at = System.nanoTime() + Math.max(0, delayMillis) * 1_000_000L;
    if (inLoop()) {
      timers.add(new Timer(at, timerSeq++, task));
    } else {
      execute(() -> timers.add(new Timer(at, timerSeq++, task)));
    }
  }

  void register(WsConn conn) {
    executeLater(
        () -> {
          try {
            conn.register(selector);
          } catch (IOException e) {
            conn.fail(e);
          }
        });
  }

  void shutdown() {
    running = false;
    selector.wakeup();
    try {
      thread.join(2000);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  @Override
  public void run() {
    try {
      while (running) {
        long timeoutMillis = 0;
        Timer first = timers.peek();
        if (first != null) {
          timeoutMillis = Math.max(1, (first.at - System.nanoTime() + 999_999) / 1_000_000);
        }
        if (tasks.isEmpty()) {
          selector.select(this::ready, timeoutMillis);
        } else {
          selector.selectNow(this::ready);
        }
        wakeupPending.set(false);
        Runnable task;
        int budget = 100_000;
        while (budget-- > 0 && (task = tasks.poll()) != null) {
          safely(task);
        }
        long now = System.nanoTime();
        while ((first = timers.peek()) != null && first.at <= now) {
          timers.poll();
          safely(first.task);
        }
        flushPass();
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } finally {
      for (SelectionKey key : selector.keys()) {
        if (key.attachment() instanceof WsConn c) {
          c.abort();
        }
      }
      try {
        selector.close();
      } catch (IOException ignored) {
        // shutting down
      }
    }
  }

  /** Batched writes: a frame sent on this loop's thread is written at the end of the pass. */
  void flushAtEndOfPass(WsConn conn) {
    toFlush.add(conn);
  }

  private void flushPass() {
    if (toFlush.isEmpty()) {
      return;
    }
    for (WsConn conn : toFlush) {
      try {
        conn.flushGathered();
      } catch (IOException | RuntimeException e) {
        conn.fail(e);
      }
    }
    toFlush.clear();
  }

  private void ready(SelectionKey key) {
    WsConn conn = (WsConn) key.attachment();
    try {
      if (!key.isValid()) {
        return;
      }
      int ops = key.readyOps();
      if ((ops & SelectionKey.OP_CONNECT) != 0) {
        conn.finishConnect();
      }
      if (key.isValid() && (ops & SelectionKey.OP_WRITE) != 0) {
        conn.flush();
      }
      if (key.isValid() && (ops & SelectionKey.OP_READ) != 0) {
        conn.read();
      }
    } catch (IOException | RuntimeException e) {
      conn.fail(e);
    }
  }

  private static void safely(Runnable task) {
    try {
      task.run();
    } catch (RuntimeException e) {
      System.err.println("\nstress: task failed: " + e);
      e.printStackTrace();
    }
  }
}
