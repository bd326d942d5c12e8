package dev.loft.stress;

import com.google.gson.JsonObject;
import dev.loft.server.stats.Stat;
import dev.loft.stress.ws.WsEngine;
import java.io.PrintStream;
import java.lang.management.ManagementFactory;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import java.util.function.Supplier;
import org.HdrHistogram.ConcurrentHistogram;
import org.HdrHistogram.Histogram;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Model.OptionSpec;
import picocli.CommandLine.Spec;
import com.sun.management.UnixOperatingSystemMXBean;
import java.lang.management.OperatingSystemMXBean;
import java.util.List;

/** The frame of every scenario: hub target, generator, sampler, progress printer, report, time bound. */
abstract class Scenario implements Callable<Integer> {
  @Mixin CommonOptions common = new CommonOptions();
  @Spec CommandSpec spec;

  protected HubTarget hub;
  protected WsEngine engine;
  protected StatsSampler sampler;
  protected AdminClient admin;
  protected Report report;
  protected ProgressPrinter progress;
  protected long startNanos;
  protected long deadlineNanos;
  /** A unique tag for network and topic names of this run. */
  protected final String tag = Long.toString(System.currentTimeMillis() % 100_000_000L, 36);
  private final PrintStream out = System.out;

  abstract String name();

  /** /stats period when --sample-ms is not given: short scenarios want a finer chart. */
  int defaultSampleMillis() {
    return 1000;
  }

  /** The scenario body: drive load, fill {@link #report}. */
  abstract void run() throws Exception;

  @Override
  public Integer call() throws Exception {
    startNanos = System.nanoTime();
    deadlineNanos = startNanos + TimeUnit.SECONDS.toNanos(common.maxSeconds);
    report = new Report(name());
    if (spec != null) {
      for (OptionSpec o : spec.options()) {
        if (o.longestName().equals("--help") || o.longestName().equals("--version")) {
          continue;
        }
        Object v = o.getValue();
        report.param(o.longestName().replaceFirst("^--", ""), v instanceof List<?> l ? String.valueOf(l) : v);
      }
    }
    String error = null;
    try {
      hub = HubTarget.open(common, report.baseName());
      admin = new AdminClient(hub.adminUrl());
      report.hub("mode", hub.mode());
      report.hub("url", hub.wsUrl());
      report.hub("admin", hub.adminUrl());
      engine = new WsEngine(common.ioThreads, common.sourceAddresses);
      engine.batchedWrites(batchedWrites());
      sampler = new StatsSampler(admin, startNanos, common.sampleMillis > 0 ? common.sampleMillis : defaultSampleMillis());
      progress = new ProgressPrinter(common.quiet, name(), sampler);
      run();
    } catch (Exception e) {
      error = e.toString();
      if (!common.quiet) {
        e.printStackTrace();
      }
    } finally {
      if (progress != null) {
        progress.close();
      }
      if (sampler != null) {
        sampler.close();
      }
      if (engine != null) {
        engine.close();
      }
      if (hub != null) {
        try {
          hub.close();
        } catch (Exception e) {
          report.note("stopping the hub failed: " + e);
        }
      }
    }
    report.result("generatorCpuSeconds", generatorCpuSeconds());
    report.write(common.outDir(), sampler, (System.nanoTime() - startNanos) / 1e9, error);
    report.print(out, error);
    return error != null ? 2 : report.ok() ? 0 : 1;
  }

  static double generatorCpuSeconds() {
    OperatingSystemMXBean os = ManagementFactory.getOperatingSystemMXBean();
    if (os instanceof com.sun.management.OperatingSystemMXBean sun) {
      return Math.round(sun.getProcessCpuTime() / 1e6) / 1000.0;
    }
    return -1;
  }

  // ------------------------------------------------------------------------------ helpers

  void status(Supplier<String> s) {
    progress.status(s);
  }

  double elapsed() {
    return (System.nanoTime() - startNanos) / 1e9;
  }

  long remainingMillis() {
    return Math.max(0, (deadlineNanos - System.nanoTime()) / 1_000_000);
  }

  boolean pastDeadline() {
    return System.nanoTime() >= deadlineNanos;
  }

  /** Waits for a latch within the scenario's time bound (and {@code capMillis}); false on timeout. */
  boolean await(CountDownLatch latch, long capMillis) throws InterruptedException {
    return latch.await(Math.min(capMillis, remainingMillis()), TimeUnit.MILLISECONDS);
  }

  /** Polls a hub-side condition (hubs do not push their counters) within a bound. */
  boolean awaitHub(BooleanSupplier condition, long capMillis) throws InterruptedException {
    long end = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(Math.min(capMillis, remainingMillis()));
    while (true) {
      if (condition.getAsBoolean()) {
        return true;
      }
      if (System.nanoTime() >= end) {
        return false;
      }
      TimeUnit.MILLISECONDS.sleep(100); // polling the admin API: there is nothing to be notified by
    }
  }

  /** Sleeps for a measured period (a deliberate wait, not waiting for a condition). */
  void hold(double seconds) throws InterruptedException {
    long ms = Math.min((long) (seconds * 1000), remainingMillis());
    if (ms > 0) {
      TimeUnit.MILLISECONDS.sleep(ms);
    }
  }

  /** The hub before the scenario's load, its live heap (after a GC): hub.before in the report. */
  JsonObject hubBefore() throws Exception {
    JsonObject before = statsGc();
    report.hub("before", snapshot(before));
    return before;
  }

  /**
   * The hub once the generator's connections are gone (waiting at most {@code capMillis}), after
   * a GC if {@code gc}: hub.after in the report.
   */
  JsonObject hubAfter(long capMillis, boolean gc) throws Exception {
    awaitHub(() -> engine.live() == 0, capMillis);
    JsonObject after = gc ? statsGc() : stats();
    report.hub("after", snapshot(after));
    return after;
  }

  JsonObject stats() {
    try {
      return admin.stats(false);
    } catch (Exception e) {
      return null;
    }
  }

  JsonObject statsGc() throws Exception {
    JsonObject s = admin.statsAfterGc();
    sampler.add(s);
    return s;
  }

  /** {@code --client-writes}: how the generator writes the frames it sends. */
  private boolean batchedWrites() {
    switch (common.clientWrites) {
      case "per-frame":
        return false;
      case "batched":
        return true;
      default:
        throw new IllegalArgumentException("--client-writes is per-frame or batched, not " + common.clientWrites);
    }
  }

  static long num(JsonObject s, Stat stat) {
    return AdminClient.num(s, stat);
  }

  static Histogram histogram() {
    return new ConcurrentHistogram(TimeUnit.SECONDS.toMicros(120), 3);
  }

  static long micros(long fromNanos) {
    return Math.max(1, (System.nanoTime() - fromNanos) / 1000);
  }

  /** Records a latency, clamped into the histogram's range. */
  static void record(Histogram h, long micros) {
    h.recordValue(Math.min(Math.max(1, micros), h.getHighestTrackableValue()));
  }

  /** Snapshot fields of interest, for before/after comparisons. */
  static JsonObject snapshot(JsonObject s) {
    return Report.pick(s);
  }

  /** The peers the open-files limit allows this process (and an in-process hub) to hold. */
  int fdBudget() {
    OperatingSystemMXBean os = ManagementFactory.getOperatingSystemMXBean();
    if (os instanceof UnixOperatingSystemMXBean unix) {
      long free = unix.getMaxFileDescriptorCount() - unix.getOpenFileDescriptorCount() - 200;
      return (int) Math.max(1, common.inProcess ? free / 2 : free);
    }
    return Integer.MAX_VALUE;
  }
}
