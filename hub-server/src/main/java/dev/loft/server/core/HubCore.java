package dev.loft.server.core;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import dev.loft.bus.EventBus;
import dev.loft.protocol.CloseCodes;
import dev.loft.protocol.ErrorCode;
import dev.loft.protocol.Frame;
import dev.loft.protocol.FrameCodec;
import dev.loft.protocol.PeerIds;
import dev.loft.protocol.ProtocolException;
import dev.loft.protocol.ProtocolLimits;
import dev.loft.server.HubConfig;
import dev.loft.server.events.HubEvents;
import dev.loft.server.limits.TokenBucket;
import dev.loft.server.transport.OutboundFrame;
import dev.loft.server.transport.PeerLink;
import dev.loft.server.transport.TransportHandler;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The hub's core: admits peers, turns their frames into bus events for the {@link Router},
 * enforces per-peer bounds, and cleans up after every close. Holds no thread of its own: it runs
 * on the transport's threads and schedules timers on the housekeeper it is given.
 */
public final class HubCore implements TransportHandler {
  private static final Logger LOG = LoggerFactory.getLogger(HubCore.class);
  private static final Logger CONNECTIONS = LoggerFactory.getLogger("dev.loft.connections");

  /** A peer warned for flooding this many times in {@link #STRIKE_WINDOW} is disconnected. */
  private static final Duration STRIKE_WINDOW = Duration.ofSeconds(10);
  /** RFC 6455's code for a connection that ended without a close frame. */
  private static final int ABNORMAL_CLOSE = 1006;
  /** How long an evicted peer has to complete the close handshake before its socket is dropped. */
  public static final Duration EVICTION_LINGER = Duration.ofSeconds(1);

  private final HubConfig config;
  private final EventBus bus;
  private final ScheduledExecutorService housekeeper;
  private final HubCounters counters = new HubCounters();
  private final FrameCodec codec;
  private final PeerRegistry registry;
  private final Networks networks;
  private final Topics topics;
  private final Delivery delivery;
  private final Router router;
  private final Peer.SendPolicy sendPolicy = this::admitOutbound;

  private volatile boolean accepting = true;
  private volatile boolean memoryPressure;

  public HubCore(HubConfig config, EventBus bus, ScheduledExecutorService housekeeper) {
    this.config = config;
    this.bus = bus;
    this.housekeeper = housekeeper;
    this.codec = new FrameCodec(new ProtocolLimits(config.maxFrameBytes()));
    this.registry = new PeerRegistry(config.maxPeers(), config.maxPeersPerAddress());
    this.networks = new Networks(config.maxNetworks());
    this.topics = new Topics(config.maxTopics());
    this.delivery = new LocalDelivery(networks, topics);
    Cache<String, Boolean> recent =
        Caffeine.newBuilder()
            .maximumSize(config.dedupeCacheSize())
            .expireAfterWrite(config.dedupeTtl())
            .ticker(config.ticker()::getAsLong)
            .executor(Runnable::run) // maintenance inline: no ForkJoinPool work outliving the hub
            .build();
    this.router = new Router(config, codec, networks, topics, delivery, counters, bus, recent);
  }

  /** Registers the router and the load shedder on the bus; their handles close with the bus. */
  public void wire() {
    bus.subscribe(HubEvents.FrameReceived.class, "router", e -> router.handle(e.peer(), e.frame()));
    bus.subscribe(HubEvents.MemoryPressure.class, "load-shedder", this::onMemoryPressure);
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
      counters.rejectedBadPeerId.increment();
      link.close(CloseCodes.POLICY, CloseCodes.REASON_INVALID_PEER_ID);
      return;
    }
    if (memoryPressure) {
      counters.rejectedPressure.increment();
      link.close(CloseCodes.TRY_AGAIN_LATER, "Hub under memory pressure, try again later");
      return;
    }
    InetSocketAddress remote = link.remoteAddress();
    InetAddress address = remote == null ? InetAddress.getLoopbackAddress() : remote.getAddress();
    switch (registry.reserve(address)) {
      case MAX_PEERS:
        counters.rejectedMaxPeers.increment();
        limitHit("maxPeers", peerId);
        link.close(CloseCodes.POLICY, CloseCodes.REASON_MAX_CONNECTIONS);
        return;
      case PER_ADDRESS:
        counters.rejectedPerAddress.increment();
        limitHit("maxPeersPerAddress", peerId);
        link.close(CloseCodes.POLICY, CloseCodes.REASON_MAX_PER_ADDRESS);
        return;
      default:
        break;
    }
    Peer peer =
        new Peer(
            peerId,
            link,
            address,
            config.ticker().getAsLong(),
            sendPolicy,
            new TokenBucket(config.rateLimitPerSecond(), config.rateLimitBurst(), config.ticker()),
            new TokenBucket(
                config.rateLimitMaxStrikes() / (double) STRIKE_WINDOW.toSeconds(),
                config.rateLimitMaxStrikes(),
                config.ticker()));
    Peer[] replaced = {null};
    if (registry.register(peer, replaced) == PeerRegistry.Refusal.DUPLICATE) {
      registry.release(address);
      counters.rejectedDuplicate.increment();
      link.close(CloseCodes.POLICY, CloseCodes.REASON_ALREADY_CONNECTED);
      return;
    }
    link.attach(peer);
    if (replaced[0] != null) {
      // The stale holder may already be closing (then this evict is a no-op): count it either way.
      counters.replaced.increment();
      evict(replaced[0], CloseCodes.REPLACED, "Replaced by a new connection");
    }
    peer.send(OutboundFrame.text(codec.encode(new Frame.Connected(peerId, System.currentTimeMillis()))));
    scheduleGraceCheck(peer);
    bus.publish(new HubEvents.PeerConnected(peer));
  }

  private void scheduleGraceCheck(Peer peer) {
    try {
      peer.graceTimer(
          housekeeper.schedule(
              () -> {
                if (!peer.engaged() && evict(peer, CloseCodes.IDLE_TIMEOUT, "No announce or subscribe within the grace period")) {
                  counters.closedIdle.increment();
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

  // ------------------------------------------------------------------------------ inbound

  @Override
  public void onText(PeerLink link, String text) {
    Peer peer = link.attachment();
    if (peer == null || peer.isClosing()) {
      return;
    }
    counters.framesIn.increment();
    counters.bytesIn.add(text.length());
    peer.countFrameIn();
    if (!peer.rateLimit().tryAcquire()) {
      rateLimited(peer);
      return;
    }
    if (!accepting) {
      // Shutting down: the peer is being closed with 1001; do not start anything new for it.
      router.replyError(peer, null, ErrorCode.OVERLOADED, "the hub is shutting down");
      return;
    }
    Frame frame;
    try {
      frame = codec.decode(text);
    } catch (ProtocolException e) {
      router.replyError(peer, e.requestId(), e.code(), e.getMessage());
      return;
    }
    bus.publish(new HubEvents.FrameReceived(peer, frame));
  }

  private void rateLimited(Peer peer) {
    counters.rateLimited.increment();
    if (!peer.strikes().tryAcquire()) {
      if (evict(peer, CloseCodes.RATE_LIMIT_EXCEEDED, "Rate limit exceeded")) {
        counters.evictedRateLimit.increment();
        limitHit("rateLimitMaxStrikes", peer.id());
      }
      return;
    }
    router.replyError(peer, null, ErrorCode.RATE_LIMITED,
        "more than " + config.rateLimitPerSecond() + " frames per second; frame dropped");
  }

  @Override
  public void onBinary(PeerLink link, int length) {
    Peer peer = link.attachment();
    if (peer != null && !peer.isClosing()) {
      counters.framesIn.increment();
      router.replyError(peer, null, ErrorCode.BAD_FRAME, "binary frames are not supported; send JSON text");
    }
  }

  /** The bus's error handler: a listener failed on an event. If it was a peer's frame, close that peer. */
  public void onListenerError(String listener, Object event, Throwable error) {
    if (event instanceof HubEvents.FrameReceived received) {
      Peer peer = received.peer();
      LOG.warn("listener '{}' failed on a frame from {}; closing that peer", listener, peer, error);
      router.replyError(peer, null, ErrorCode.INTERNAL, "internal error while handling the frame");
      evict(peer, CloseCodes.INTERNAL_ERROR, "Internal error");
    } else {
      counters.error(ErrorCode.INTERNAL);
      LOG.warn("listener '{}' failed on {}", listener, event.getClass().getSimpleName(), error);
    }
  }

  // ------------------------------------------------------------------------------ outbound bound

  /**
   * Called for every frame about to be queued to {@code peer}. Past the high watermark (bytes) or
   * the frame cap the frame is dropped and the peer is evicted: the hub's heap stays bounded by
   * peers × watermark whatever a peer does.
   */
  private boolean admitOutbound(Peer peer, OutboundFrame frame) {
    PeerLink link = peer.link();
    long pending = link.pendingBytes();
    if (pending + frame.size() <= config.outboundHighWatermarkBytes()
        && link.queuedFrames() < config.maxQueuedFrames()) {
      counters.framesOut.increment();
      return true;
    }
    peer.countDropped();
    counters.dropped.increment();
    int queued = link.queuedFrames();
    if (evict(peer, CloseCodes.SLOW_CONSUMER, "Slow consumer: outbound backlog over the high watermark")) {
      counters.evictedSlow.increment();
      bus.publish(new HubEvents.SlowPeerEvicted(peer, pending, queued));
    }
    return false;
  }

  /**
   * Evicts {@code peer}: sends the close frame with {@code code} (for slow and shed peers ahead of
   * their backlog, which is dropped at once), then closes the socket after {@link
   * #EVICTION_LINGER} whether or not the peer answered (a peer that does not read never will). Runs on the housekeeper: the caller may be
   * sending to this peer from inside another peer's close callback, and the library's close takes
   * the connection's lock. Returns true for the one call that started the eviction.
   */
  public boolean evict(Peer peer, int code, String reason) {
    if (!peer.markClosing()) {
      return false;
    }
    PeerLink link = peer.link();
    // After what this thread already sent (e.g. the error frame that explains the eviction).
    link.afterPendingWrites(() -> {
      try {
        housekeeper.execute(() -> link.evict(code, reason, dropsBacklog(code)));
        housekeeper.schedule(() -> link.forceClose(code, reason), EVICTION_LINGER.toMillis(), TimeUnit.MILLISECONDS);
      } catch (RejectedExecutionException stopping) {
        link.forceClose(code, reason);
      }
    });
    return true;
  }

  /** Only a peer that is not reading loses what is queued for it; others get it before the close. */
  private static boolean dropsBacklog(int code) {
    return code == CloseCodes.SLOW_CONSUMER || code == CloseCodes.SHED_UNDER_PRESSURE;
  }

  /** Closes {@code peer} on an operator's request (admin API). */
  public boolean kick(String peerId) {
    Peer peer = registry.get(peerId);
    if (peer != null && evict(peer, CloseCodes.KICKED, "Disconnected by an operator")) {
      counters.kicked.increment();
      return true;
    }
    return false;
  }

  // ------------------------------------------------------------------------------ close

  @Override
  public void onClose(PeerLink link, int code, String reason, boolean remote) {
    Peer peer = link.attachment();
    if (peer == null || !peer.markClosed()) {
      return;
    }
    peer.cancelGraceTimer();
    registry.unregister(peer);
    registry.release(peer.address());
    String network = peer.network();
    if (network != null) {
      router.leaveNetwork(peer, network);
    }
    for (String topic : peer.topics()) {
      topics.unsubscribe(topic, peer);
    }
    peer.topics().clear();
    if (code == CloseCodes.TOO_BIG) {
      counters.closedTooBig.increment();
    } else if (code == ABNORMAL_CLOSE && !remote && reason != null && reason.contains("pong")) {
      // The library's heartbeat: "...did not respond with a pong in time..."
      counters.reapedSilent.increment();
    }
    long durationMillis =
        TimeUnit.NANOSECONDS.toMillis(config.ticker().getAsLong() - peer.connectedAtNanos());
    if (CONNECTIONS.isDebugEnabled()) {
      CONNECTIONS.debug(
          "closed peer={} address={} code={} reason=\"{}\" by={} durationMs={} framesIn={} framesOut={} errors={} dropped={} bytesIn={} bytesOut={}",
          peer.id(), peer.address().getHostAddress(), code, reason, remote ? "peer" : "hub",
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

  private void onMemoryPressure(HubEvents.MemoryPressure event) {
    memoryPressure = event.active();
    if (event.active()) {
      shedWorstSlowConsumers();
    }
  }

  /** Evicts the peers with the largest backlogs (at least a quarter of the watermark), worst first. */
  private void shedWorstSlowConsumers() {
    long floor = config.outboundHighWatermarkBytes() / 4;
    List<Peer> backlogged = new ArrayList<>();
    for (Peer p : registry.all()) {
      if (p.pendingBytes() >= floor) {
        backlogged.add(p);
      }
    }
    backlogged.sort(Comparator.comparingLong(Peer::pendingBytes).reversed());
    int shed = 0;
    for (Peer p : backlogged) {
      if (shed >= 16) {
        break;
      }
      if (evict(p, CloseCodes.SHED_UNDER_PRESSURE, "Shed under memory pressure")) {
        counters.shedUnderPressure.increment();
        shed++;
      }
    }
    if (shed > 0) {
      LOG.warn("memory pressure: evicted {} backlogged peers", shed);
    }
  }

  /** Re-requests writes for peers hit by the library's lost wake-up; returns how many needed it. */
  public int kickStalledWrites() {
    int kicked = 0;
    for (Peer p : registry.all()) {
      if (p.link().kickIfWriteStalled()) {
        kicked++;
      }
    }
    if (kicked > 0) {
      counters.writeStallsRecovered.add(kicked);
      LOG.debug("re-requested writes for {} stalled peers", kicked);
    }
    return kicked;
  }

  /** Publishes {@code data} to {@code topic} as the hub itself (admin API); returns receivers. */
  public int publishAsHub(String topic, com.google.gson.JsonElement data) {
    OutboundFrame frame = OutboundFrame.text(codec.encode(
        new Frame.TopicMessage(topic, dev.loft.protocol.FrameTypes.SYSTEM_SENDER, data, System.currentTimeMillis())));
    return delivery.publish(topic, null, frame);
  }

  /** Stops admitting peers: every handshake from now on is closed with 1001. */
  public void stopAccepting() {
    accepting = false;
  }

  /** Sum of every peer's pending outbound bytes (walks all peers: for stats, not the hot path). */
  public long queuedOutboundBytes() {
    long sum = 0;
    for (Peer p : registry.all()) {
      sum += p.pendingBytes();
    }
    return sum;
  }

  private void limitHit(String limit, String peerId) {
    if (bus.hasListeners(HubEvents.LimitHit.class)) {
      bus.publish(new HubEvents.LimitHit(limit, peerId, null));
    }
  }

  public HubCounters counters() {
    return counters;
  }

  public PeerRegistry registry() {
    return registry;
  }

  public Networks networks() {
    return networks;
  }

  public Topics topics() {
    return topics;
  }

  public boolean memoryPressure() {
    return memoryPressure;
  }
}
