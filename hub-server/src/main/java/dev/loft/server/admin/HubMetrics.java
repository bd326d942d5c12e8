package dev.loft.server.admin;

import dev.loft.server.stats.HubStats;
import dev.loft.server.stats.Stat;
import dev.loft.server.stats.TopAccount;
import io.prometheus.metrics.core.metrics.CounterWithCallback;
import io.prometheus.metrics.core.metrics.GaugeWithCallback;
import io.prometheus.metrics.expositionformats.PrometheusTextFormatWriter;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import java.io.IOException;
import java.io.OutputStream;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Supplier;

/**
 * The hub's figures in Prometheus text format, one metric per exported {@link Stat} (its name,
 * help and kind come from the declaration; nothing here names a statistic but the top accounts,
 * whose labels are their own). Its own registry (not the global default), so that many hubs in
 * one JVM, started and stopped, never collide or leak. A scrape takes one {@link HubStats}
 * snapshot and every metric reads from it.
 */
public final class HubMetrics implements AutoCloseable {
  private final Supplier<HubStats> source;
  private final PrometheusRegistry registry = new PrometheusRegistry();
  private final PrometheusTextFormatWriter writer = new PrometheusTextFormatWriter(false);
  private final AtomicReference<HubStats> current = new AtomicReference<>();

  public HubMetrics(Supplier<HubStats> source) {
    this.source = source;
    for (Stat stat : Stat.all()) {
      if (stat.metricName() != null) {
        register(stat);
      }
    }
    registry.register(
        GaugeWithCallback.builder().name("loft_budget_top_account_bytes")
            .help(Stat.BUDGET_TOP_ACCOUNTS.help())
            .labelNames("rank", "peer_id", "kind")
            .callback(cb -> {
              int rank = 1;
              for (TopAccount a : stats().topAccounts()) {
                cb.call(a.bytes(), Integer.toString(rank++), String.valueOf(a.peerId()), a.largest());
              }
            })
            .build());
  }

  private void register(Stat stat) {
    double scale = stat.metricScale();
    switch (stat.kind()) {
      case COUNTER:
        registry.register(CounterWithCallback.builder().name(stat.metricName()).help(stat.help())
            .callback(cb -> cb.call(stats().get(stat) * scale)).build());
        break;
      case GAUGE:
        registry.register(GaugeWithCallback.builder().name(stat.metricName()).help(stat.help())
            .callback(cb -> cb.call(stats().get(stat) * scale)).build());
        break;
      case FLAG:
        registry.register(GaugeWithCallback.builder().name(stat.metricName()).help(stat.help())
            .callback(cb -> cb.call(stats().flag(stat) ? 1 : 0)).build());
        break;
      case KEYED_COUNTER:
        registry.register(CounterWithCallback.builder().name(stat.metricName()).help(stat.help())
            .labelNames(stat.label())
            .callback(cb -> stats().keyed(stat).forEach((key, n) -> cb.call(n * scale, key))).build());
        break;
      case KEYED_GAUGE:
        registry.register(GaugeWithCallback.builder().name(stat.metricName()).help(stat.help())
            .labelNames(stat.label())
            .callback(cb -> stats().keyed(stat).forEach((key, n) -> cb.call(n * scale, key))).build());
        break;
      default:
        throw new IllegalArgumentException(stat + " has no generic metric form; give it a collector");
    }
  }

  private HubStats stats() {
    HubStats s = current.get();
    return s != null ? s : source.get();
  }

  public String contentType() {
    return writer.getContentType();
  }

  /** Writes every metric from one fresh snapshot. */
  public synchronized void write(OutputStream out) throws IOException {
    current.set(source.get());
    try {
      writer.write(out, registry.scrape());
    } finally {
      current.set(null);
    }
  }

  @Override
  public void close() {
    registry.clear();
  }
}
