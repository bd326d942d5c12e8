package dev.loft.stress;

import java.io.PrintStream;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;

/** The one-line live progress on stderr: rewritten in place on a terminal, one line a second otherwise. */
final class ProgressPrinter implements AutoCloseable {
  private final ScheduledExecutorService exec;
  private final PrintStream err = System.err;
  private final boolean tty = System.console() != null;
  private final String name;
  private final StatsSampler sampler;
  private volatile Supplier<String> status = () -> "starting";
  private int lastLength;

  ProgressPrinter(boolean quiet, String name, StatsSampler sampler) {
    this.name = name;
    this.sampler = sampler;
    if (quiet) {
      exec = null;
      return;
    }
    exec =
        Executors.newSingleThreadScheduledExecutor(
            r -> {
              Thread t = new Thread(r, "progress");
              t.setDaemon(true);
              return t;
            });
    exec.scheduleAtFixedRate(this::tick, 1, 1, TimeUnit.SECONDS);
  }

  void status(Supplier<String> s) {
    status = s;
  }

  private synchronized void tick() {
    String line;
    try {
      line = String.format("[%s %3.0fs] %s | %s", name, sampler.now(), status.get(), sampler.brief());
    } catch (RuntimeException e) {
      line = "[" + name + "] " + e;
    }
    if (tty) {
      String padded = line.length() < lastLength ? line + " ".repeat(lastLength - line.length()) : line;
      err.print("\r" + padded);
      lastLength = line.length();
    } else {
      err.println(line);
    }
    err.flush();
  }

  @Override
  public synchronized void close() {
    if (exec != null) {
      exec.shutdownNow();
      if (tty && lastLength > 0) {
        err.println();
      }
    }
  }
}
