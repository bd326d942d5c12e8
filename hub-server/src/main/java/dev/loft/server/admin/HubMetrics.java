package dev.loft.server.admin;

import dev.loft.server.HubServer;
import dev.loft.server.HubStats;
import io.prometheus.metrics.core.metrics.CounterWithCallback;
import io.prometheus.metrics.core.metrics.GaugeWithCallback;
import io.prometheus.metrics.expositionformats.PrometheusTextFormatWriter;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import java.io.IOException;
import java.io.OutputStream;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.ToDoubleFunction;

/**
 * The hub's figures in Prometheus text format. Its own registry (not the global default), so that
 * many hubs in one JVM, started and stopped, never collide or leak. A scrape takes one
 * {@link HubStats} snapshot and every metric reads from it.
 */
public final class HubMetrics implements AutoCloseable {
  private final HubServer hub;
  private final PrometheusRegistry registry = new PrometheusRegistry();
  private final PrometheusTextFormatWriter writer = new PrometheusTextFormatWriter(false);
  private final AtomicReference<HubStats> current = new AtomicReference<>();

  public HubMetrics(HubServer hub) {
    this.hub = hub;
    gauge("loft_peers", "Peers connected now", HubStats::peers);
    gauge("loft_announced_peers", "Peers announced into a network", HubStats::announcedPeers);
    gauge("loft_networks", "Networks with at least one peer", HubStats::networks);
    gauge("loft_topics", "Topics with at least one subscriber", HubStats::topics);
    gauge("loft_subscriptions", "Topic subscriptions", HubStats::subscriptions);
    gauge("loft_queued_outbound_bytes", "Bytes queued to peers and not yet written", HubStats::queuedOutboundBytes);
    gauge("loft_bus_listeners", "Listeners registered on the hub's event bus", HubStats::busListeners);
    gauge("loft_memory_pressure", "1 while the hub sheds load under memory pressure", s -> s.memoryPressure() ? 1 : 0);
    gauge("loft_heap_used_bytes", "JVM heap in use", HubStats::heapUsedBytes);
    gauge("loft_heap_max_bytes", "JVM heap maximum", HubStats::heapMaxBytes);
    gauge("loft_rss_bytes", "Resident set size of the process", HubStats::rssBytes);
    gauge("loft_direct_buffer_bytes", "Direct buffers in use", HubStats::directBufferBytes);
    gauge("loft_threads", "Live threads in the JVM", HubStats::threads);
    counter("loft_frames_in", "Frames received from peers", HubStats::framesIn);
    counter("loft_frames_out", "Frames queued to peers", HubStats::framesOut);
    counter("loft_bytes_in", "Characters of frames received", HubStats::bytesIn);
    counter("loft_dropped", "Frames dropped because a peer's backlog was full", HubStats::dropped);
    counter("loft_rate_limited", "Frames refused by the per-peer rate limit", HubStats::rateLimited);
    counter("loft_listener_errors", "Exceptions thrown by bus listeners", HubStats::listenerErrors);
    counter("loft_write_stalls_recovered", "Writes re-requested after a lost wake-up", HubStats::writeStallsRecovered);
    counter("loft_evicted_slow", "Peers evicted as slow consumers (4000)", HubStats::evictedSlow);
    counter("loft_evicted_rate_limit", "Peers evicted for flooding (4001)", HubStats::evictedRateLimit);
    counter("loft_closed_idle", "Peers closed for not announcing in time (4002)", HubStats::closedIdle);
    counter("loft_shed_under_pressure", "Peers evicted under memory pressure (4005)", HubStats::shedUnderPressure);
    counter("loft_kicked", "Peers disconnected by an operator (4003)", HubStats::kicked);
    counter("loft_replaced", "Stale connections replaced by a new one with the same id (4004)", HubStats::replaced);
    counter("loft_closed_too_big", "Connections closed for an oversized frame (1009)", HubStats::closedTooBig);
    counter("loft_reaped_silent", "Peers closed by the heartbeat: no pong in time (1006)", HubStats::reapedSilent);
    counter("loft_handshake_timeouts", "Connections closed for not completing the handshake in time", HubStats::handshakeTimeouts);
    counter("loft_rejected_pending_handshakes", "Connections closed at accept: too many handshakes pending", HubStats::rejectedPendingHandshakes);
    gauge("loft_listening", "1 while the WebSocket listener accepts connections", s -> s.listening() ? 1 : 0);
    counter("loft_rejected_max_peers", "Handshakes refused: hub full", HubStats::rejectedMaxPeers);
    counter("loft_rejected_per_address", "Handshakes refused: address full", HubStats::rejectedPerAddress);
    counter("loft_rejected_bad_peer_id", "Handshakes refused: bad peer id", HubStats::rejectedBadPeerId);
    counter("loft_rejected_duplicate", "Handshakes refused: id already connected", HubStats::rejectedDuplicate);
    counter("loft_rejected_pressure", "Handshakes refused under memory pressure (1013)", HubStats::rejectedPressure);
    counter("loft_topic_limit_hits", "Subscriptions refused by a topic limit", HubStats::topicLimitHits);
    counter("loft_network_limit_hits", "Announces refused by the network limit", HubStats::networkLimitHits);
    counter("loft_discovery_capped", "Announces whose discovery was capped", HubStats::discoveryCapped);
    counter("loft_dedupe_hits", "Retried requests acknowledged without redelivery", HubStats::dedupeHits);
    counter("loft_presence_truncated", "Presence answers cut at --max-presence-results", HubStats::presenceTruncated);
    counter("loft_admin_body_too_large", "Admin requests refused with 413", HubStats::adminBodyTooLarge);
    counter("loft_admin_rate_limited", "Admin publishes refused with 429", HubStats::adminRateLimited);
    counter("loft_process_cpu_seconds", "CPU time of the hub process", s -> s.processCpuNanos() / 1e9);
    counter("loft_gc_collections", "Garbage collections", HubStats::gcCount);
    registry.register(
        CounterWithCallback.builder()
            .name("loft_errors")
            .help("Error frames sent, by code")
            .labelNames("code")
            .callback(cb -> stats().errorsByCode().forEach((code, n) -> cb.call(n, code)))
            .build());
  }

  private HubStats stats() {
    HubStats s = current.get();
    return s != null ? s : hub.stats();
  }

  private void gauge(String name, String help, ToDoubleFunction<HubStats> value) {
    registry.register(
        GaugeWithCallback.builder().name(name).help(help)
            .callback(cb -> cb.call(value.applyAsDouble(stats())))
            .build());
  }

  private void counter(String name, String help, ToDoubleFunction<HubStats> value) {
    registry.register(
        CounterWithCallback.builder().name(name).help(help)
            .callback(cb -> cb.call(value.applyAsDouble(stats())))
            .build());
  }

  public String contentType() {
    return writer.getContentType();
  }

  /** Writes every metric from one fresh snapshot. */
  public synchronized void write(OutputStream out) throws IOException {
    current.set(hub.stats());
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
