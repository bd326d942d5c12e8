package dev.loft.server.core;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import dev.loft.bus.EventBus;
import dev.loft.protocol.CloseCodes;
import dev.loft.protocol.ErrorCode;
import dev.loft.protocol.Frame;
import dev.loft.protocol.FrameCodec;
import dev.loft.protocol.PeerIds;
import dev.loft.protocol.ProtocolLimits;
import dev.loft.server.config.HubConfig;
import dev.loft.server.budget.MemoryBudget;
import dev.loft.server.events.HubEvents;
import dev.loft.server.limits.TokenBucket;
import dev.loft.server.stats.Stat;
import dev.loft.server.stats.StatStore;
import dev.loft.server.link.OutboundFrame;
import dev.loft.server.link.PeerLink;
import dev.loft.server.link.TransportHandler;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.Collection;
import java.util.Collections;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import com.google.gson.JsonElement;
import dev.loft.protocol.FrameTypes;
import java.nio.ByteBuffer;

/**
 * The hub's core, as the transport sees it: admits peers ({@link #onOpen}) and cleans up after
 * every close ({@link #onClose}); the rest is one job per class, wired here: {@link InboundGate}
 * (rate limit, decode, publish to the {@link Router}), {@link OutboundBound} (watermark and
 * budget per frame), {@link Evictions}, {@link Strikes}, {@link LoadShedder}, {@link
 * BudgetSweeper}. Holds no thread of its own: it runs on the transport's threads and schedules
 * timers on the housekeeper it is given.
 */
public final class HubCore implements TransportHandler {
  private static final Logger LOG = LoggerFactory.getLogger(HubCore.class);
  private static final Logger CONNECTIONS = LoggerFactory.getLogger("dev.loft.connections");

  /** A peer warned for flooding this many times in {@link #STRIKE_WINDOW} is disconnected. */
  static final Duration STRIKE_WINDOW = Duration.ofSeconds(10);
  /** How long an evicted peer has to complete the close handshake before its socket is dropped. */
  public static final Duration EVICTION_LINGER = Evictions.LINGER;

  private final HubConfig config;
  private final EventBus bus;
  private final ScheduledExecutorService housekeeper;
  private final StatStore counters;
  private final FrameCodec codec;
  private final PeerRegistry registry;
  private final Networks networks;
  private final Topics topics;
  private final Delivery delivery;
  /** The delivery across hubs, when there is a broker; null on a hub of its own. */
  private final ClusterDelivery cluster;
  private final Router router;
  private final Evictions evictions;
  private final Peer.SendPolicy sendPolicy;
  private final InboundGate inbound;
  private final LoadShedder shedder;

  private final MemoryBudget budget;
  private final BudgetSweeper sweeper;
  private final AddressCooldowns cooldowns;

  private volatile boolean accepting = true;

  /**
   * What the hub charges an admitted peer before it sends anything: its Peer, link, library
   * connection, buffers and map entries (about 5 KiB of RSS per idle peer measured, see
   * docs/benchmarks.md; the heap part is under 4 KiB).
   */
  public static final long RETAINED_PER_PEER = 4 * 1024;

  /**
   * The first burst of a peer whose address cools down after a flooding eviction: enough to
   * announce, subscribe and signal at once (PeerPigeon sends a handful of frames on open), far
   * below the normal burst a reconnecting flooder would otherwise get with every socket.
   */
  public static final int PROBATION_BURST = 20;

  public HubCore(HubConfig config, EventBus bus, ScheduledExecutorService housekeeper, MemoryBudget budget,
      StatStore counters) {
    this(config, bus, housekeeper, budget, counters, null);
  }

  /**
   * @param broker the other hubs' broker (Redis), or null for a hub on its own: then every
   *     receiver is local and nothing else changes.
   */
  public HubCore(HubConfig config, EventBus bus, ScheduledExecutorService housekeeper, MemoryBudget budget,
      StatStore counters, Broker broker) {
    this.counters = counters;
    this.config = config;
    this.bus = bus;
    this.housekeeper = housekeeper;
    this.budget = budget;
    // Relaying: data stays the text it came as (RawJson), never a tree (see FrameCodec#relaying).
    this.codec = FrameCodec.relaying(new ProtocolLimits(config.maxFrameBytes()));
    this.registry = new PeerRegistry(config.maxPeers(), config.maxPeersPerAddress(),
        config.maxSubscriptionsPerAddress(), config.maxNetworksPerAddress());
    this.networks = new Networks(config.maxNetworks());
    this.topics = new Topics(config.maxTopics());
    LocalDelivery local = new LocalDelivery(networks, topics);
    if (broker == null) {
      this.cluster = null;
      this.delivery = local;
    } else {
      this.cluster = new ClusterDelivery(local, networks, broker,
          new RemoteMembers(config.maxRemotePeers(), config.ticker()), codec, counters,
          config.discoveryLimit(), config.presenceTtl(),
          peer -> evict(peer, CloseCodes.POLICY, CloseCodes.REASON_ALREADY_CONNECTED),
          this::kickHere);
      networks.interest(cluster);
      topics.interest(cluster);
      this.delivery = cluster;
    }
    Cache<String, Boolean> recent =
        Caffeine.newBuilder()
            .maximumSize(config.dedupeCacheSize())
            .expireAfterWrite(config.dedupeTtl())
            .ticker(config.ticker()::getAsLong)
            .executor(Runnable::run) // maintenance inline: no ForkJoinPool work outliving the hub
            .build();
    this.evictions = new Evictions(housekeeper);
    this.cooldowns = new AddressCooldowns(config.addressCooldown(), config.ticker());
    Strikes strikes = new Strikes(evictions, counters, cooldowns, bus);
    this.router = new Router(config, codec, networks, topics, delivery, counters, bus, recent,
        registry, budget, strikes::strike);
    this.sendPolicy = new OutboundBound(config, counters, budget, evictions, bus);
    this.inbound = new InboundGate(config, counters, codec, router, bus, strikes, () -> accepting);
    this.shedder = new LoadShedder(config, registry, counters, evictions);
    this.sweeper = new BudgetSweeper(budget, registry, counters, config.maxAmplification(), evictions::evict, cooldowns);
    bindStatistics();
  }

  /** Registers the router and the load shedder on the bus; their handles close with the bus. */
  public void wire() {
    bus.subscribe(HubEvents.FrameReceived.class, ROUTER, e -> {
      if (e.peer() instanceof Peer peer) { // one published by anyone else is not a peer's frame
        router.handle(peer, e.frame());
      }
    });
    bus.subscribe(HubEvents.MemoryPressure.class, "load-shedder", shedder::onMemoryPressure);
    // Every bound that refuses something says so with its option's name: counted per bound.
    bus.subscribe(HubEvents.LimitHit.class, LIMIT_COUNTER, e -> counters.increment(Stat.LIMIT_HITS, e.limit()));
    if (cluster != null) {
      cluster.start(housekeeper);
    }
  }

  /**
   * Tells the other hubs this one is going (they forget its peers at once instead of after the
   * presence TTL) and stops its heartbeat; after the peers are closed. Idempotent.
   */
  /**
   * How the cluster's deliveries from another hub (on the broker's thread) are written: {@code
   * batch} runs a task and writes what it sent per receiver at the end (the transport's batching).
   */
  public void batchSendsFromOtherHubs(java.util.function.Consumer<Runnable> batch) {
    if (cluster != null) {
      cluster.batching(batch);
    }
  }

  public void leaveCluster() {
    delivery.close();
  }

  // ------------------------------------------------------------------------------ admission

  @Override
  public void onOpen(PeerLink link) {
    if (!accepting) {
      link.close(CloseCodes.GOING_AWAY, "Hub shutting down");
      return;
    }
    String peerId = PeerIdParameter.from(link.resourceDescriptor());
    if (!PeerIds.isValid(peerId)) {
      counters.increment(Stat.REJECTED_BAD_PEER_ID);
      link.close(CloseCodes.POLICY, CloseCodes.REASON_INVALID_PEER_ID);
      return;
    }
    peerId = PeerIds.normalize(peerId); // one peer, one id: AB… and ab… are the same
    if (shedder.underPressure()) {
      counters.increment(Stat.REJECTED_PRESSURE);
      link.close(CloseCodes.TRY_AGAIN_LATER, "Hub under memory pressure, try again later");
      return;
    }
    if (budget.wouldOverflow(RETAINED_PER_PEER)) {
      counters.increment(Stat.BUDGET_REFUSED_BY_REASON, "connect");
      link.close(CloseCodes.TRY_AGAIN_LATER, CloseCodes.REASON_OVER_BUDGET);
      return;
    }
    InetSocketAddress remote = link.remoteAddress();
    InetAddress address = remote == null ? InetAddress.getLoopbackAddress() : remote.getAddress();
    switch (registry.reserve(address)) {
      case MAX_PEERS:
        counters.increment(Stat.REJECTED_MAX_PEERS);
        limitHit("maxPeers", peerId);
        link.close(CloseCodes.POLICY, CloseCodes.REASON_MAX_CONNECTIONS);
        return;
      case PER_ADDRESS:
        counters.increment(Stat.REJECTED_PER_ADDRESS);
        limitHit("maxPeersPerAddress", peerId);
        link.close(CloseCodes.POLICY, CloseCodes.REASON_MAX_PER_ADDRESS);
        return;
      default:
        break;
    }
    boolean probation = cooldowns.coolingDown(address);
    if (probation) {
      counters.increment(Stat.ADMITTED_ON_PROBATION);
    }
    Peer peer =
        new Peer(
            peerId,
            link,
            address,
            config.ticker().getAsLong(),
            sendPolicy,
            new TokenBucket(config.rateLimitPerSecond(), config.rateLimitBurst(),
                probation ? Math.min(PROBATION_BURST, config.rateLimitBurst()) : config.rateLimitBurst(), config.ticker()),
            new TokenBucket(
                config.rateLimitMaxStrikes() / (double) STRIKE_WINDOW.toSeconds(),
                config.rateLimitMaxStrikes(),
                probation ? 1 : config.rateLimitMaxStrikes(), // on probation: warned once, then evicted
                config.ticker()),
            new TokenBucket(config.maxErrorRepliesPerSecond(), 2 * config.maxErrorRepliesPerSecond(), config.ticker()),
            new TokenBucket(config.maxNetworkChangesPerMinute() / 60.0,
                Math.max(2, config.maxNetworkChangesPerMinute() / 6), config.ticker()));
    Peer[] replaced = {null};
    if (registry.register(peer, replaced) == PeerRegistry.Refusal.DUPLICATE) {
      registry.release(address);
      counters.increment(Stat.REJECTED_DUPLICATE);
      link.close(CloseCodes.POLICY, CloseCodes.REASON_ALREADY_CONNECTED);
      return;
    }
    if (!link.attach(peer)) {
      // Closed while we admitted it (a reset right after the handshake): no close callback will
      // come for it, so what the open took is given back here. See JwsPeerLink's state machine.
      peer.markClosed();
      registry.unregister(peer);
      registry.release(address);
      counters.increment(Stat.CLOSED_DURING_OPEN);
      return;
    }
    peer.account().add(MemoryBudget.Kind.RETAINED, RETAINED_PER_PEER);
    counters.increment(Stat.PEERS_ADMITTED);
    if (replaced[0] != null) {
      // The stale holder may already be closing (then this evict is a no-op): count it either way.
      counters.increment(Stat.REPLACED);
      evict(replaced[0], CloseCodes.REPLACED, "Replaced by a new connection");
    }
    peer.send(OutboundFrame.encode(codec, new Frame.Connected(peerId, System.currentTimeMillis())));
    scheduleGraceCheck(peer);
    bus.publish(new HubEvents.PeerConnected(peer));
  }

  private void scheduleGraceCheck(Peer peer) {
    try {
      peer.graceTimer(
          housekeeper.schedule(
              () -> {
                if (!peer.engaged() && evict(peer, CloseCodes.IDLE_TIMEOUT, "No announce or subscribe within the grace period")) {
                  counters.increment(Stat.CLOSED_IDLE);
                }
              },
              config.announceGrace().toMillis(),
              TimeUnit.MILLISECONDS));
    } catch (RejectedExecutionException stopping) {
      // The hub is stopping; the peer is about to be closed anyway.
    }
    if (peer.engaged() || peer.isClosed()) {
      peer.cancelGraceTimer(); // engaged or closed before the timer was stored
    }
  }

  // ------------------------------------------------------------------------------ inbound (InboundGate)

  @Override
  public void onText(PeerLink link, String text) {
    inbound.onText(link, text);
  }

  @Override
  public boolean admitFrame(PeerLink link, FrameKind kind, int payloadBytes) {
    return inbound.admitFrame(link, kind);
  }

  @Override
  public void onPing(PeerLink link, ByteBuffer payload) {
    inbound.onPing(link, payload);
  }

  @Override
  public void onBinary(PeerLink link, int length) {
    inbound.onBinary(link);
  }

  /** The name of the hub's own listener of {@code LimitHit}: the per-bound refusal counter. */
  public static final String LIMIT_COUNTER = "limit-hit-counter";

  /** The name of the hub's own listener of {@code FrameReceived}: the router. */
  public static final String ROUTER = "router";

  /**
   * The bus's error handler: a listener failed on an event. Only the router's failure on a
   * peer's frame closes that peer (1011, after an INTERNAL error frame): the hub failed to handle
   * what the peer sent. An observer's failure is the observer's bug: counted (the bus's
   * {@code listenerErrors}) and logged, and the peer whose frame it observed is not touched.
   */
  public void onListenerError(String listener, Object event, Throwable error) {
    if (ROUTER.equals(listener) && event instanceof HubEvents.FrameReceived received
        && received.peer() instanceof Peer peer) {
      LOG.warn("the router failed on a frame from {}; closing that peer", peer, error);
      router.replyError(peer, null, ErrorCode.INTERNAL, "internal error while handling the frame");
      evict(peer, CloseCodes.INTERNAL_ERROR, "Internal error");
    } else {
      LOG.warn("listener '{}' failed on {}", LogText.safe(listener), event.getClass().getSimpleName(), error);
    }
  }

  // ------------------------------------------------------------------------------ eviction

  /** Evicts {@code peer} (see {@link Evictions}); true for the one call that started it. */
  public boolean evict(Peer peer, int code, String reason) {
    return evictions.evict(peer, code, reason);
  }

  /** What an operator's kick did. */
  public enum Kick {
    /** The peer was on this hub and is being closed (4003). */
    DISCONNECTED,
    /** Not on this hub; the other hubs of the cluster were asked to close it where it is. */
    FORWARDED,
    /** Not on this hub, and no other hub to ask. */
    NOT_FOUND
  }

  /** Closes {@code peerId} on an operator's request (admin API), on whichever hub of the cluster holds it. */
  public Kick kick(String peerId) {
    if (kickHere(peerId)) {
      return Kick.DISCONNECTED;
    }
    return delivery.kickElsewhere(PeerIds.normalize(peerId)) ? Kick.FORWARDED : Kick.NOT_FOUND;
  }

  private boolean kickHere(String peerId) {
    Peer peer = registry.get(PeerIds.normalize(peerId));
    if (peer != null && evict(peer, CloseCodes.KICKED, "Disconnected by an operator")) {
      counters.increment(Stat.KICKED);
      return true;
    }
    return false;
  }

  // ------------------------------------------------------------------------------ close

  @Override
  public void onClose(PeerLink link, int code, String reason, boolean remote, CloseCause cause) {
    Peer peer = link.attachment();
    if (peer == null || !peer.markClosed()) {
      return;
    }
    peer.cancelGraceTimer();
    registry.unregister(peer);
    registry.release(peer.address());
    String network = peer.network();
    if (network != null) {
      router.leaveNetwork(peer, network, true);
    }
    for (String topic : peer.topics()) {
      if (peer.topics().remove(topic)) {
        topics.unsubscribe(topic, peer);
        registry.unsubscribe(peer.address());
      }
    }
    peer.account().close(); // the transport closes it too; whichever is first gives everything back
    if (code == CloseCodes.TOO_BIG) {
      counters.increment(Stat.CLOSED_TOO_BIG);
    } else if (cause == CloseCause.HEARTBEAT_TIMEOUT) {
      counters.increment(Stat.REAPED_SILENT);
    }
    long durationMillis =
        TimeUnit.NANOSECONDS.toMillis(config.ticker().getAsLong() - peer.connectedAtNanos());
    if (CONNECTIONS.isDebugEnabled()) {
      CONNECTIONS.debug(
          "closed peer={} address={} code={} reason=\"{}\" by={} durationMs={} framesIn={} framesOut={} errors={} dropped={} bytesIn={} bytesOut={}",
          peer.id(), peer.address().getHostAddress(), code, LogText.safe(reason), remote ? "peer" : "hub",
          durationMillis, peer.framesIn(), peer.framesOut(), peer.errors(), peer.dropped(),
          link.bytesRead(), link.bytesWritten());
    }
    bus.publish(new HubEvents.PeerDisconnected(peer, code, reason, remote, durationMillis));
  }

  @Override
  public void onError(PeerLink link, Exception error) {
    if (link == null) {
      LOG.error("WebSocket server error", error);
    } else {
      LOG.debug("connection error on {}", link, error);
    }
  }

  // ------------------------------------------------------------------------------ pressure & housekeeping

  /** Publishes {@code data} to {@code topic} as the hub itself (admin API); returns receivers. */
  public int publishAsHub(String topic, JsonElement data) {
    OutboundFrame frame = OutboundFrame.encode(codec,
        new Frame.TopicMessage(topic, FrameTypes.SYSTEM_SENDER, data, System.currentTimeMillis()));
    return delivery.publish(topic, null, frame);
  }

  /** Stops admitting peers: every handshake from now on is closed with 1001. */
  public void stopAccepting() {
    accepting = false;
  }

  /** Every peer's pending outbound bytes, as the budget sweeper last summed them (O(1)). */
  public long queuedOutboundBytes() {
    return budget.charged(MemoryBudget.Kind.OUTBOUND);
  }

  /** One tick of the budget sweeper (housekeeper): outbound sum, top accounts, evictions. */
  public void sweepBudget() {
    sweeper.run();
  }


  private void limitHit(String limit, String peerId) {
    HubEvents.LimitHit.publish(bus, limit, peerId, null);
  }

  /** Binds the gauges of what the core holds (once, while the hub is assembled). */
  private void bindStatistics() {
    counters.bind(Stat.PEERS, registry::size)
        .bind(Stat.ANNOUNCED_PEERS, networks::memberCount)
        .bind(Stat.NETWORKS, networks::size)
        .bind(Stat.TOPICS, topics::size)
        .bind(Stat.CLUSTER_REMOTE_PEERS, () -> cluster == null ? 0 : cluster.remotePeers())
        .bind(Stat.CLUSTER_NODES, () -> cluster == null ? 0 : cluster.knownNodes())
        .bind(Stat.CLUSTER_PRESENCE_PENDING, () -> cluster == null ? 0 : cluster.presencePending())
        .bind(Stat.SUBSCRIPTIONS, topics::subscriptions)
        .bind(Stat.QUEUED_OUTBOUND_BYTES, this::queuedOutboundBytes)
        .bindFlag(Stat.MEMORY_PRESSURE, this::memoryPressure)
        .bindDetail(Stat.BUDGET_TOP_ACCOUNTS, sweeper::topAccounts)
        .bind(Stat.ADDRESSES, registry::addresses);
  }

  /** One line for the memory monitor's log: what the core holds. */
  public String loadSummary() {
    return "peers=" + registry.size()
        + " networks=" + networks.size()
        + " topics=" + topics.size()
        + " subscriptions=" + topics.subscriptions()
        + " queuedOutKB=" + (queuedOutboundBytes() >> 10);
  }

  /** Peers connected now. */
  public int peerCount() {
    return registry.size();
  }

  /** Every peer connected now, read-only (the admin API lists them). */
  public Collection<Peer> peers() {
    return Collections.unmodifiableCollection(registry.all());
  }

  /** The peer connected with {@code id} now, or null. */
  public Peer peer(String id) {
    return registry.get(id);
  }

  /** Stops a hub's peers within {@code graceNanos}: 1001 to each, then force-closes the rest. */
  public void closeEveryPeer(long graceNanos) {
    PeerShutdown.closeEveryPeer(registry, graceNanos);
  }

  PeerRegistry registry() {
    return registry;
  }

  public boolean memoryPressure() {
    return shedder.underPressure();
  }
}
