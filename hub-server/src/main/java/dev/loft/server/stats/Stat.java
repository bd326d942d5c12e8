package dev.loft.server.stats;

import static com.google.common.base.Preconditions.checkArgument;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/**
 * One declaration per statistic: its name in {@code GET /stats} (a dotted name nests it in a
 * group, e.g. {@code budget.limitBytes}), its kind, its Prometheus name and its help text.
 * {@code /stats}, {@code /metrics}, {@link HubStats} (and the stress tool's reading of another
 * hub's {@code /stats}) all derive from this list; nothing else names a statistic.
 *
 * <p>Adding a counter is one line here plus {@code stats.increment(Stat.X)} where it happens;
 * adding a gauge is one line here plus {@link StatStore#bind} where its value lives.
 */
public final class Stat {
  /** What a value is, which decides how it is read, exported and checked. */
  public enum Kind {
    /** Only grows; a {@code long}. */
    COUNTER,
    /** A current value; a {@code long}. */
    GAUGE,
    /** A current yes/no; exported as a 0/1 gauge. */
    FLAG,
    /** Counters by a key from a small fixed set (written in code, never by a peer). */
    KEYED_COUNTER,
    /** Gauges by a key from a small fixed set. */
    KEYED_GAUGE,
    /** A structured value served in {@code /stats}; exported by a dedicated collector, if at all. */
    DETAIL
  }

  private static final List<Stat> ALL = new ArrayList<>();

  // ------------------------------------------------------------------ gauges: what the hub holds now
  public static final Stat UPTIME_MILLIS = gauge("uptimeMillis", null, "Milliseconds since the hub was created");
  public static final Stat PEERS = gauge("peers", "loft_peers", "Peers connected now");
  public static final Stat ANNOUNCED_PEERS = gauge("announcedPeers", "loft_announced_peers", "Peers announced into a network");
  public static final Stat NETWORKS = gauge("networks", "loft_networks", "Networks with at least one peer");
  public static final Stat TOPICS = gauge("topics", "loft_topics", "Topics with at least one subscriber");
  public static final Stat SUBSCRIPTIONS = gauge("subscriptions", "loft_subscriptions", "Topic subscriptions");
  public static final Stat QUEUED_OUTBOUND_BYTES = gauge("queuedOutboundBytes", "loft_queued_outbound_bytes", "Bytes queued to peers and not yet written");
  public static final Stat BUS_LISTENERS = gauge("busListeners", "loft_bus_listeners", "Listeners registered on the hub's event bus");
  public static final Stat BUS_LISTENERS_BY_TYPE = keyedGauge("busListenersByType", "loft_bus_listeners_by_type", "type", "Listeners registered on the hub's event bus, by event type");
  public static final Stat MEMORY_PRESSURE = flag("memoryPressure", "loft_memory_pressure", "1 while the hub sheds load under memory pressure");

  // ------------------------------------------------------------------ counters: traffic
  public static final Stat FRAMES_IN = counter("framesIn", "loft_frames_in", "Frames received from peers");
  public static final Stat FRAMES_OUT = counter("framesOut", "loft_frames_out", "Frames queued to peers");
  public static final Stat BYTES_IN = counter("bytesIn", "loft_bytes_in", "Characters of frames received");
  public static final Stat DROPPED = counter("dropped", "loft_dropped", "Frames dropped because a peer's backlog was full");
  public static final Stat RATE_LIMITED = counter("rateLimited", "loft_rate_limited", "Frames refused by the per-peer rate limit");
  public static final Stat ERRORS_BY_CODE = keyedCounter("errorsByCode", "loft_errors", "code", "Error frames sent (or refused inputs), by code");
  public static final Stat LISTENER_ERRORS = counter("listenerErrors", "loft_listener_errors", "Exceptions thrown by bus listeners");
  public static final Stat WRITE_STALLS_RECOVERED = counter("writeStallsRecovered", "loft_write_stalls_recovered", "Writes re-requested after a lost wake-up");

  // ------------------------------------------------------------------ counters: connections the hub closed, by reason
  public static final Stat EVICTED_SLOW = counter("evictedSlow", "loft_evicted_slow", "Peers evicted as slow consumers (4000)");
  public static final Stat EVICTED_RATE_LIMIT = counter("evictedRateLimit", "loft_evicted_rate_limit", "Peers evicted for flooding (4001)");
  public static final Stat CLOSED_IDLE = counter("closedIdle", "loft_closed_idle", "Peers closed for not announcing in time (4002)");
  public static final Stat SHED_UNDER_PRESSURE = counter("shedUnderPressure", "loft_shed_under_pressure", "Peers evicted under memory pressure (4005)");
  public static final Stat KICKED = counter("kicked", "loft_kicked", "Peers disconnected by an operator (4003)");
  public static final Stat REPLACED = counter("replaced", "loft_replaced", "Stale connections replaced by a new one with the same id (4004)");
  public static final Stat CLOSED_TOO_BIG = counter("closedTooBig", "loft_closed_too_big", "Connections closed for an oversized frame (1009)");
  public static final Stat REAPED_SILENT = counter("reapedSilent", "loft_reaped_silent", "Peers closed by the heartbeat: no pong in time (1006)");
  public static final Stat HANDSHAKE_TIMEOUTS = counter("handshakeTimeouts", "loft_handshake_timeouts", "Connections closed for not completing the handshake in time");

  // ------------------------------------------------------------------ counters: handshakes admitted, and refused by reason
  public static final Stat PEERS_ADMITTED = counter("peersAdmitted", "loft_peers_admitted", "Handshakes admitted as peers (with the refusals below: the connect rate)");
  public static final Stat REJECTED_MAX_PEERS = counter("rejectedMaxPeers", "loft_rejected_max_peers", "Handshakes refused: hub full");
  public static final Stat REJECTED_PER_ADDRESS = counter("rejectedPerAddress", "loft_rejected_per_address", "Handshakes refused: address full");
  public static final Stat REJECTED_BAD_PEER_ID = counter("rejectedBadPeerId", "loft_rejected_bad_peer_id", "Handshakes refused: bad peer id");
  public static final Stat REJECTED_DUPLICATE = counter("rejectedDuplicate", "loft_rejected_duplicate", "Handshakes refused: id already connected");
  public static final Stat REJECTED_PRESSURE = counter("rejectedPressure", "loft_rejected_pressure", "Handshakes refused under memory pressure (1013)");
  public static final Stat REJECTED_PENDING_HANDSHAKES = counter("rejectedPendingHandshakes", "loft_rejected_pending_handshakes", "Connections closed at accept: too many handshakes pending");

  // ------------------------------------------------------------------ counters: bounds that refuse a request but keep the peer
  public static final Stat TOPIC_LIMIT_HITS = counter("topicLimitHits", "loft_topic_limit_hits", "Subscriptions refused by a topic limit");
  public static final Stat NETWORK_LIMIT_HITS = counter("networkLimitHits", "loft_network_limit_hits", "Announces refused by the network limit");
  public static final Stat DISCOVERY_CAPPED = counter("discoveryCapped", "loft_discovery_capped", "Announces whose discovery was capped");
  public static final Stat DEDUPE_HITS = counter("dedupeHits", "loft_dedupe_hits", "Retried requests acknowledged without redelivery");
  public static final Stat PRESENCE_TRUNCATED = counter("presenceTruncated", "loft_presence_truncated", "Presence answers cut at --max-presence-results");
  public static final Stat ADMIN_BODY_TOO_LARGE = counter("adminBodyTooLarge", "loft_admin_body_too_large", "Admin requests refused with 413");
  public static final Stat ADMIN_RATE_LIMITED = counter("adminRateLimited", "loft_admin_rate_limited", "Admin publishes refused with 429");

  // ------------------------------------------------------------------ process
  public static final Stat LISTENING = flag("listening", "loft_listening", "1 while the WebSocket listener accepts connections");
  public static final Stat MAX_PEERS_EFFECTIVE = gauge("maxPeersEffective", "loft_max_peers_effective", "Max peers in force (lowered to what the open-file limit allows)");
  public static final Stat HEAP_USED_BYTES = gauge("heapUsedBytes", "loft_heap_used_bytes", "JVM heap in use");
  public static final Stat HEAP_MAX_BYTES = gauge("heapMaxBytes", "loft_heap_max_bytes", "JVM heap maximum");
  public static final Stat RSS_BYTES = gauge("rssBytes", "loft_rss_bytes", "Resident set size of the process");
  public static final Stat DIRECT_BUFFER_BYTES = gauge("directBufferBytes", "loft_direct_buffer_bytes", "Direct buffers in use");
  public static final Stat THREADS = gauge("threads", "loft_threads", "Live threads in the JVM");
  public static final Stat PROCESS_CPU_NANOS = new Stat("processCpuNanos", Kind.COUNTER, "loft_process_cpu_seconds", null, 1e-9, "CPU time of the hub process");
  public static final Stat GC_COUNT = counter("gcCount", "loft_gc_collections", "Garbage collections");
  public static final Stat LIMIT_HITS = keyedCounter("limitHits", "loft_limit_hits", "limit", "Requests refused by a bound, by the name of its option");

  // ------------------------------------------------------------------ the memory budget (issue 9)
  public static final Stat BUDGET_LIMIT_BYTES = gauge("budget.limitBytes", "loft_budget_limit_bytes", "Heap the hub may spend on what peers make it hold");
  public static final Stat BUDGET_HIGH_MARK_BYTES = gauge("budget.highMarkBytes", "loft_budget_high_mark_bytes", "Charged bytes past which the largest accounts are evicted");
  public static final Stat BUDGET_CHARGED_BYTES = gauge("budget.chargedBytes", "loft_budget_charged_bytes", "Bytes held on peers' behalf now");
  public static final Stat BUDGET_CHARGED_BY_KIND = keyedGauge("budget.chargedByKind", "loft_budget_charged_by_kind_bytes", "kind", "Bytes held on peers' behalf, by kind (handshake, inbound, retained, outbound)");
  public static final Stat BUDGET_TOP_ACCOUNTS = detail("budget.topAccounts", "The largest accounts as of the last sweep (rank 1 is the largest)");
  public static final Stat BUDGET_REFUSED_BY_REASON = keyedCounter("budget.refusedByReason", "loft_budget_refused", "reason", "Requests refused while the memory budget was full, by what was refused");
  public static final Stat EVICTED_OVER_BUDGET = counter("budget.evictedOverBudget", "loft_evicted_over_budget", "Largest accounts evicted past the budget's high mark (4006)");

  // ------------------------------------------------------------------ abuse bounded at its source (issue 9)
  public static final Stat HANDSHAKE_TOO_LARGE = counter("abuse.handshakeTooLarge", "loft_handshake_too_large", "Upgrade requests over --max-handshake-bytes (431)");
  public static final Stat REJECTED_PENDING_PER_ADDRESS = counter("abuse.rejectedPendingPerAddress", "loft_rejected_pending_per_address", "Connections closed at accept: the address held its share of pending handshakes");
  public static final Stat PENDING_HANDSHAKES = gauge("abuse.pendingHandshakes", "loft_pending_handshakes", "Connections accepted that have not completed their handshake");
  public static final Stat TOO_MANY_FRAGMENTS = counter("abuse.tooManyFragments", "loft_too_many_fragments", "Messages over --max-fragments-per-message (1009)");
  public static final Stat INBOUND_OVER_BUDGET = counter("abuse.inboundOverBudget", "loft_inbound_over_budget", "Connections closed 1013: a partial frame they declared would not fit the memory budget");
  public static final Stat CONTROL_FRAMES_IN = counter("abuse.controlFramesIn", "loft_control_frames_in", "Pings and pongs received (each took a rate-limit token)");
  public static final Stat BINARY_FRAMES_IN = counter("abuse.binaryFramesIn", "loft_binary_frames_in", "Binary frames received (refused with BAD_FRAME)");
  public static final Stat ERROR_REPLIES_SUPPRESSED = counter("abuse.errorRepliesSuppressed", "loft_error_replies_suppressed", "Errors not replied because the peer's error replies ran out (a strike instead)");
  public static final Stat NETWORK_CHANGES_LIMITED = counter("abuse.networkChangesLimited", "loft_network_changes_limited", "Announces and goodbyes refused by --max-network-changes-per-minute");
  public static final Stat ANNOUNCE_TOO_LARGE = counter("abuse.announceTooLarge", "loft_announce_too_large", "Announces refused by --max-announce-bytes");
  public static final Stat ADDRESS_LIMIT_HITS = counter("abuse.addressLimitHits", "loft_address_limit_hits", "Requests refused by an address's share of a hub-wide table");
  public static final Stat CLOSED_DURING_OPEN = counter("abuse.closedDuringOpen", "loft_closed_during_open", "Connections that closed while they were being admitted (slot given back)");
  public static final Stat EVICTED_AMPLIFICATION = counter("abuse.evictedAmplification", "loft_evicted_amplification", "Peers evicted for making the hub send over --max-amplification frames per frame (4001)");
  public static final Stat ADDRESSES = gauge("abuse.addresses", "loft_addresses", "Remote addresses holding peers, subscriptions or networks");
  public static final Stat ADMITTED_ON_PROBATION = counter("abuse.admittedOnProbation", "loft_admitted_on_probation", "Peers admitted on probation: their address cools down after a flooding eviction");
  public static final Stat HOUSEKEEPER_TASK_FAILURES = counter("abuse.housekeeperTaskFailures", "loft_housekeeper_task_failures", "One-off and periodic housekeeper tasks that threw (each one logged)");

  // ------------------------------------------------------------------ the Redis link between hubs (issue 12); zero and down without --redis
  public static final Stat REDIS_LINK_UP = flag("redis.linkUp", "loft_redis_link_up", "1 while the Redis link is up: both connections open and the pub/sub probe answered");
  public static final Stat REDIS_CHANNELS = gauge("redis.channels", "loft_redis_channels", "Redis channels subscribed for this hub's peers (its own node channel not counted)");
  public static final Stat REDIS_PENDING_BYTES = gauge("redis.pendingBytes", "loft_redis_pending_bytes", "Bytes of publishes sent to Redis and not yet answered");
  public static final Stat REDIS_PUBLISHED = counter("redis.published", "loft_redis_published", "Messages published to Redis (answered by it)");
  public static final Stat REDIS_PUBLISH_DROPPED = keyedCounter("redis.publishDropped", "loft_redis_publish_dropped", "reason", "Publishes not sent to Redis (down, queue-full, too-large) or lost on the way (timeout, failed), by reason");
  public static final Stat REDIS_COMMANDS_REFUSED = keyedCounter("redis.commandsRefused", "loft_redis_commands_refused", "reason", "Other Redis commands refused (down, queue-full) or lost on the way (timeout, failed), by reason");
  public static final Stat REDIS_RECEIVED = counter("redis.received", "loft_redis_received", "Messages received from Redis (the link's own probes not counted)");
  public static final Stat REDIS_RECONNECTS = counter("redis.reconnects", "loft_redis_reconnects", "Redis connections made again: after a loss (by Lettuce) or a failed probe (by the link)");
  public static final Stat REDIS_PROBE_FAILURES = counter("redis.probeFailures", "loft_redis_probe_failures", "Probes of the pub/sub connection not back in time (the connection was restarted)");
  public static final Stat REDIS_LISTENER_ERRORS = counter("redis.listenerErrors", "loft_redis_listener_errors", "Exceptions thrown while handling a message from Redis (caught; the connection stays)");
  public static final Stat REDIS_CHANNEL_LIMIT_HITS = counter("redis.channelLimitHits", "loft_redis_channel_limit_hits", "Redis subscriptions refused by --redis-max-channels");
  // ------------------------------------------------------------------ cluster: what crosses hubs (--redis)
  public static final Stat CLUSTER_SENT = counter("cluster.sent", "loft_cluster_sent", "Messages this hub gave the broker for other hubs");
  public static final Stat CLUSTER_SEND_DROPPED = counter("cluster.sendDropped", "loft_cluster_send_dropped", "Messages for other hubs dropped: the broker was down or over its bounds (local delivery unaffected)");
  public static final Stat CLUSTER_RECEIVED = counter("cluster.received", "loft_cluster_received", "Messages received from other hubs");
  public static final Stat CLUSTER_BAD_MESSAGES = counter("cluster.badMessages", "loft_cluster_bad_messages", "Broker messages that were not cluster messages (ignored)");
  public static final Stat CLUSTER_UNDELIVERED = counter("cluster.undelivered", "loft_cluster_undelivered", "Frames another hub forwarded for a peer that is no longer here");
  public static final Stat CLUSTER_DUPLICATES_REFUSED = counter("cluster.duplicatesRefused", "loft_cluster_duplicates_refused", "Peers closed 1008 because another hub held their id in the network first");
  public static final Stat CLUSTER_PRESENCE_TIMEOUTS = counter("cluster.presenceTimeouts", "loft_cluster_presence_timeouts", "Topic presence answered without every hub's reply (500 ms passed)");
  public static final Stat CLUSTER_PRESENCE_LOCAL_ONLY = counter("cluster.presenceLocalOnly", "loft_cluster_presence_local_only", "Topic presence answered with this hub's subscribers only: the broker was down or 1,000 questions were waiting");
  public static final Stat CLUSTER_PRESENCE_PENDING = gauge("cluster.presencePending", "loft_cluster_presence_pending", "Topic presence questions waiting for other hubs' answers");
  public static final Stat CLUSTER_JOINS_LOST = counter("cluster.joinsLost", "loft_cluster_joins_lost", "Announces not told to the other hubs: dropped while Redis was down, past the 10,000 kept to send again");
  public static final Stat CLUSTER_LEAVES_LOST = counter("cluster.leavesLost", "loft_cluster_leaves_lost", "Departures not told to the other hubs: dropped while Redis was down, past the 10,000 kept to send again");
  public static final Stat CLUSTER_NODES_EXPIRED = counter("cluster.nodesExpired", "loft_cluster_nodes_expired", "Hubs forgotten after a presence TTL without a heartbeat (their peers left)");
  public static final Stat CLUSTER_REMOTE_PEERS_REFUSED = counter("cluster.remotePeersRefused", "loft_cluster_remote_peers_refused", "Peers on other hubs not recorded: --max-remote-peers was reached");
  public static final Stat CLUSTER_REMOTE_PEERS = gauge("cluster.remotePeers", "loft_cluster_remote_peers", "Peers on other hubs known here (in networks with a member here)");
  public static final Stat CLUSTER_NODES = gauge("cluster.nodes", "loft_cluster_nodes", "Other hubs heard from within the presence TTL");

  private final int index;
  private final String name;
  private final String group;
  private final String key;
  private final Kind kind;
  private final String metricName;
  private final String label;
  private final double metricScale;
  private final String help;

  private Stat(String name, Kind kind, String metricName, String label, double metricScale, String help) {
    int dot = name.indexOf('.');
    checkArgument(dot < 0 || name.indexOf('.', dot + 1) < 0, "one level of grouping at most: %s", name);
    checkArgument((kind == Kind.KEYED_COUNTER || kind == Kind.KEYED_GAUGE) == (label != null),
        "a keyed statistic, and only one, names its label: %s", name);
    this.index = ALL.size();
    this.name = name;
    this.group = dot < 0 ? null : name.substring(0, dot);
    this.key = name.substring(dot + 1);
    this.kind = kind;
    this.metricName = metricName;
    this.label = label;
    this.metricScale = metricScale;
    this.help = help;
    for (Stat s : ALL) {
      checkArgument(!s.name.equals(name), "statistic declared twice: %s", name);
      checkArgument(metricName == null || !metricName.equals(s.metricName), "metric declared twice: %s", metricName);
    }
    ALL.add(this);
  }

  private static Stat counter(String name, String metric, String help) {
    return new Stat(name, Kind.COUNTER, metric, null, 1, help);
  }

  private static Stat gauge(String name, String metric, String help) {
    return new Stat(name, Kind.GAUGE, metric, null, 1, help);
  }

  private static Stat flag(String name, String metric, String help) {
    return new Stat(name, Kind.FLAG, metric, null, 1, help);
  }

  private static Stat keyedCounter(String name, String metric, String label, String help) {
    return new Stat(name, Kind.KEYED_COUNTER, metric, label, 1, help);
  }

  private static Stat keyedGauge(String name, String metric, String label, String help) {
    return new Stat(name, Kind.KEYED_GAUGE, metric, label, 1, help);
  }

  private static Stat detail(String name, String help) {
    return new Stat(name, Kind.DETAIL, null, null, 1, help);
  }

  /** Every statistic, in the order {@code /stats} lists them. */
  public static List<Stat> all() {
    return Collections.unmodifiableList(ALL);
  }

  static int count() {
    return ALL.size();
  }

  int index() {
    return index;
  }

  /** The dotted name in {@code /stats}, e.g. {@code peers} or {@code budget.limitBytes}. */
  public String name() {
    return name;
  }

  /** The group object it is nested in within {@code /stats}, or null at the top level. */
  public String group() {
    return group;
  }

  /** Its field name within its group (or at the top level). */
  public String key() {
    return key;
  }

  public Kind kind() {
    return kind;
  }

  /** Its Prometheus name (without the {@code _total} a counter gets), or null when not exported. */
  public String metricName() {
    return metricName;
  }

  /** The Prometheus label of a keyed statistic's key, or null. */
  public String label() {
    return label;
  }

  /** What a value is multiplied by for Prometheus (nanoseconds served as seconds). */
  public double metricScale() {
    return metricScale;
  }

  public String help() {
    return help;
  }

  /** Counters and keyed counters only grow; everything else is a current value. */
  public boolean isCounter() {
    return kind == Kind.COUNTER || kind == Kind.KEYED_COUNTER;
  }

  public boolean isKeyed() {
    return kind == Kind.KEYED_COUNTER || kind == Kind.KEYED_GAUGE;
  }

  @Override
  public String toString() {
    return name;
  }
}
