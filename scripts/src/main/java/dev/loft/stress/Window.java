package dev.loft.stress;

import com.google.gson.JsonObject;
import java.util.ArrayList;
import java.util.List;
import java.util.function.LongSupplier;

/**
 * A measured stretch of a scenario: the clock, the scenario's own counters and (if asked) the
 * hub's /stats, read when it opens and when it closes, so that every figure over the stretch is a
 * difference of two readings taken together. The clock and the counters are read side by side;
 * /stats just outside them (before the open, after the close), so that a hub slow to answer,
 * as under attack, does not stretch the window.
 */
final class Window {
  /** What of the hub to read at an end of the window. */
  enum Stats {
    NONE,
    PLAIN,
    /** After a full GC in the hub: the live heap. */
    AFTER_GC
  }

  /** A counter of the scenario, read at both ends. */
  static final class Count {
    private final LongSupplier source;
    private long atOpen;
    private long atClose;

    private Count(LongSupplier source) {
      this.source = source;
    }

    /** What the counter gained while the window was open. */
    long delta() {
      return atClose - atOpen;
    }

    long atOpen() {
      return atOpen;
    }

    long atClose() {
      return atClose;
    }
  }

  private final Scenario scenario;
  private final List<Count> counts = new ArrayList<>();
  private volatile boolean open;
  private volatile long startNanos;
  private volatile long endNanos;
  private volatile double startT = -1;
  private volatile double endT = -1;
  private JsonObject start;
  private JsonObject end;

  Window(Scenario scenario) {
    this.scenario = scenario;
  }

  /** Reads {@code source} at the open and at the close; register before {@link #open}. */
  Count count(LongSupplier source) {
    Count c = new Count(source);
    counts.add(c);
    return c;
  }

  /** Opens the window; {@code mark} (null: none) labels the chart there. */
  Window open(String mark, Stats stats) throws Exception {
    start = read(stats);
    startNanos = System.nanoTime();
    startT = scenario.sampler.now();
    for (Count c : counts) {
      c.atOpen = c.source.getAsLong();
    }
    open = true;
    if (mark != null) {
      scenario.sampler.mark(mark);
    }
    return this;
  }

  /** Closes the window; {@code mark} (null: none) labels the chart there. */
  Window close(String mark, Stats stats) throws Exception {
    endNanos = System.nanoTime();
    endT = scenario.sampler.now();
    open = false;
    for (Count c : counts) {
      c.atClose = c.source.getAsLong();
    }
    if (mark != null) {
      scenario.sampler.mark(mark);
    }
    end = read(stats);
    return this;
  }

  private JsonObject read(Stats stats) throws Exception {
    return switch (stats) {
      case NONE -> null;
      case PLAIN -> scenario.stats();
      case AFTER_GC -> scenario.statsGc();
    };
  }

  /** While open: what the scenario counts as measured (e.g. latencies recorded only then). */
  boolean isOpen() {
    return open;
  }

  boolean opened() {
    return startT >= 0;
  }

  boolean closed() {
    return endT >= 0;
  }

  /** Seconds between open and close; while open, so far; 0 before it opens. */
  double seconds() {
    if (!opened()) {
      return 0;
    }
    return ((open ? System.nanoTime() : endNanos) - startNanos) / 1e9;
  }

  /** /stats at the open (null if not read, or the hub did not answer). */
  JsonObject start() {
    return start;
  }

  /** /stats at the close (null if not read, or the hub did not answer). */
  JsonObject end() {
    return end;
  }

  /** The open, in seconds of the run (the chart's time axis). */
  double startT() {
    return startT;
  }

  /** The close, in seconds of the run. */
  double endT() {
    return endT;
  }

  long startNanos() {
    return startNanos;
  }

  long endNanos() {
    return endNanos;
  }
}
