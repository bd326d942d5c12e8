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
    // The memory budget (issue 9): what the hub may hold for peers, what it holds, what it refused.
    gauge("loft_budget_limit_bytes", "Heap the hub may spend on what peers make it hold", s -> s.budget().limitBytes());
    gauge("loft_budget_high_mark_bytes", "Charged bytes past which the largest accounts are evicted", s -> s.budget().highMarkBytes());
    gauge("loft_budget_charged_bytes", "Bytes held on peers' behalf now", s -> s.budget().chargedBytes());
    registry.register(
        GaugeWithCallback.builder().name("loft_budget_charged_by_kind_bytes")
            .help("Bytes held on peers' behalf, by kind (handshake, inbound, retained, outbound)")
            .labelNames("kind")
            .callback(cb -> stats().budget().chargedByKind().forEach((kind, n) -> cb.call(n, kind)))
            .build());
    registry.register(
        GaugeWithCallback.builder().name("loft_budget_top_account_bytes")
            .help("The largest accounts as of the last sweep (rank 1 is the largest)")
            .labelNames("rank", "peer_id", "kind")
            .callback(cb -> {
              int rank = 1;
              for (var a : stats().budget().topAccounts()) {
                cb.call(a.bytes(), Integer.toString(rank++), a.peerId(), a.largest());
              }
            })
            .build());
    registry.register(
        CounterWithCallback.builder().name("loft_budget_refused")
            .help("Requests refused while the memory budget was full, by what was refused")
            .labelNames("reason")
            .callback(cb -> stats().budget().refusedByReason().forEach((reason, n) -> cb.call(n, reason)))
            .build());
    counter("loft_evicted_over_budget", "Largest accounts evicted past the budget's high mark (4006)", s -> s.budget().evictedOverBudget());
    counter("loft_handshake_too_large", "Upgrade requests over --max-handshake-bytes (431)", s -> s.abuse().handshakeTooLarge());
    counter("loft_rejected_pending_per_address", "Connections closed at accept: the address held its share of pending handshakes", s -> s.abuse().rejectedPendingPerAddress());
    gauge("loft_pending_handshakes", "Connections accepted that have not completed their handshake", s -> s.abuse().pendingHandshakes());
    counter("loft_too_many_fragments", "Messages over --max-fragments-per-message (1009)", s -> s.abuse().tooManyFragments());
    counter("loft_control_frames_in", "Pings and pongs received (each took a rate-limit token)", s -> s.abuse().controlFramesIn());
    counter("loft_binary_frames_in", "Binary frames received (refused with BAD_FRAME)", s -> s.abuse().binaryFramesIn());
    counter("loft_error_replies_suppressed", "Errors not replied because the peer's error replies ran out (a strike instead)", s -> s.abuse().errorRepliesSuppressed());
    counter("loft_network_changes_limited", "Announces and goodbyes refused by --max-network-changes-per-minute", s -> s.abuse().networkChangesLimited());
    counter("loft_announce_too_large", "Announces refused by --max-announce-bytes", s -> s.abuse().announceTooLarge());
    counter("loft_address_limit_hits", "Requests refused by an address's share of a hub-wide table", s -> s.abuse().addressLimitHits());
    counter("loft_closed_during_open", "Connections that closed while they were being admitted (slot given back)", s -> s.abuse().closedDuringOpen());
    counter("loft_evicted_amplification", "Peers evicted for making the hub send over --max-amplification frames per frame (4001)", s -> s.abuse().evictedAmplification());
    gauge("loft_addresses", "Remote addresses holding peers, subscriptions or networks", s -> s.abuse().addresses());
    registry.register(
        CounterWithCallback.builder().name("loft_limit_hits")
            .help("Requests refused by a bound, by the name of its option")
            .labelNames("limit")
            .callback(cb -> stats().limitHits().forEach((limit, n) -> cb.call(n, limit)))
            .build());
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
