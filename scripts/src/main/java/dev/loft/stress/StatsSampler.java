package dev.loft.stress;

import com.google.gson.JsonObject;
import dev.loft.server.stats.Stat;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/** Polls the hub's /stats on a fixed period; the time series behind the chart and the progress line. */
final class StatsSampler implements AutoCloseable {
  /** One poll; {@code stats} is null when the hub did not answer (down or restarting). */
  record Sample(double t, JsonObject stats) {}

  record Marker(double t, String label) {}

  private final AdminClient admin;
  private final long startNanos;
  private final List<Sample> samples = new ArrayList<>();
  private final List<Marker> markers = new ArrayList<>();
  private final ScheduledExecutorService exec;
  private volatile JsonObject latest;
  private volatile JsonObject previous;
  private volatile double latestT;
  private volatile double previousT;

  StatsSampler(AdminClient admin, long startNanos, int periodMillis) {
    this.admin = admin;
    this.startNanos = startNanos;
    exec =
        Executors.newSingleThreadScheduledExecutor(
            r -> {
              Thread t = new Thread(r, "stats-sampler");
              t.setDaemon(true);
              return t;
            });
    exec.scheduleAtFixedRate(this::poll, 0, Math.max(50, periodMillis), TimeUnit.MILLISECONDS);
  }

  double now() {
    return (System.nanoTime() - startNanos) / 1e9;
  }

  private void poll() {
    double t = now();
    JsonObject stats;
    try {
      stats = admin.stats(false);
    } catch (Exception e) {
      stats = null;
    }
    synchronized (this) {
      samples.add(new Sample(t, stats));
    }
    if (stats != null) {
      previous = latest;
      previousT = latestT;
      latest = stats;
      latestT = t;
    }
  }

  /** Adds a sample now, e.g. a gc=true snapshot taken by the scenario. */
  synchronized void add(JsonObject stats) {
    samples.add(new Sample(now(), stats));
  }

  synchronized void mark(String label) {
    markers.add(new Marker(now(), label));
  }

  synchronized List<Sample> samples() {
    return new ArrayList<>(samples);
  }

  synchronized List<Marker> markers() {
    return new ArrayList<>(markers);
  }

  JsonObject latest() {
    return latest;
  }

  /** Largest value of a numeric field over the samples taken since {@code fromT} seconds. */
  synchronized long max(Stat stat, double fromT) {
    long m = -1;
    for (Sample s : samples) {
      if (s.t() >= fromT && s.stats() != null) {
        m = Math.max(m, AdminClient.num(s.stats(), stat));
      }
    }
    return m;
  }

  /** A short hub status for the progress line. */
  String brief() {
    JsonObject s = latest;
    if (s == null) {
      return "hub: no /stats yet";
    }
    String cpu = "";
    JsonObject p = previous;
    if (p != null && latestT > previousT) {
      double pct =
          (AdminClient.num(s, Stat.PROCESS_CPU_NANOS) - AdminClient.num(p, Stat.PROCESS_CPU_NANOS))
              / 1e9 / (latestT - previousT) * 100;
      cpu = String.format(" cpu %.0f%%", pct);
    }
    return String.format(
        "hub peers %d heap %s rss %s%s",
        AdminClient.num(s, Stat.PEERS),
        Fmt.mb(AdminClient.num(s, Stat.HEAP_USED_BYTES)),
        Fmt.mb(AdminClient.num(s, Stat.RSS_BYTES)),
        cpu);
  }

  @Override
  public void close() {
    exec.shutdownNow();
    try {
      exec.awaitTermination(15, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
