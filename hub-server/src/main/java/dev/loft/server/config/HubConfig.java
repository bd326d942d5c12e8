package dev.loft.server.config;

import static com.google.common.base.Preconditions.checkArgument;
import static com.google.common.base.Preconditions.checkNotNull;

import dev.loft.bus.EventBus;
import dev.loft.protocol.ProtocolLimits;
import java.net.URI;
import java.net.URISyntaxException;
import java.time.Duration;
import java.util.Locale;
import java.util.function.LongSupplier;

/**
 * Everything a hub can be told, immutable once built. Every bound has a {@code DEFAULT_} constant
 * here, a builder method, a command-line option (see {@code LoftHubMain}) and a statistic
 * declared in {@code dev.loft.server.stats.Stat}.
 */
public final class HubConfig {
  public static final String DEFAULT_HOST = "127.0.0.1";
  /** PeerPigeon's hub listens on 3000; using the same port makes Loft a drop-in. */
  public static final int DEFAULT_PORT = 3000;
  /** Admin HTTP port; -1 disables the admin server, 0 picks a free port. */
  public static final int DEFAULT_ADMIN_PORT = 3001;

  public static final int DEFAULT_MAX_PEERS = 25_000;
  public static final int DEFAULT_MAX_PEERS_PER_ADDRESS = 1_000;
  public static final int DEFAULT_MAX_FRAME_BYTES = ProtocolLimits.DEFAULT_MAX_FRAME_BYTES;
  public static final int DEFAULT_MAX_TOPICS_PER_PEER = 100;
  public static final int DEFAULT_MAX_TOPICS = 100_000;
  public static final int DEFAULT_MAX_NETWORKS = 10_000;
  public static final int DEFAULT_DISCOVERY_LIMIT = 50;
  public static final int DEFAULT_MAX_PRESENCE_RESULTS = 1_000;
  public static final long DEFAULT_OUTBOUND_HIGH_WATERMARK_BYTES = 1024 * 1024;
  public static final int DEFAULT_MAX_QUEUED_FRAMES = 8_192;
  public static final int DEFAULT_RATE_LIMIT_PER_SECOND = 200;
  public static final int DEFAULT_RATE_LIMIT_BURST = 400;
  public static final int DEFAULT_RATE_LIMIT_MAX_STRIKES = 50;
  public static final Duration DEFAULT_CONNECTION_LOST_TIMEOUT = Duration.ofSeconds(30);
  public static final Duration DEFAULT_ANNOUNCE_GRACE = Duration.ofSeconds(30);
  public static final Duration DEFAULT_MONITOR_INTERVAL = Duration.ofSeconds(30);
  public static final double DEFAULT_MEMORY_PRESSURE_RATIO = 0.85;
  public static final double DEFAULT_MEMORY_RECOVERY_RATIO = 0.70;
  public static final int DEFAULT_DEDUPE_CACHE_SIZE = 100_000;
  public static final Duration DEFAULT_DEDUPE_TTL = Duration.ofSeconds(60);
  public static final Duration DEFAULT_SHUTDOWN_GRACE = Duration.ofSeconds(5);
  public static final Duration DEFAULT_WRITE_STALL_CHECK = Duration.ofSeconds(1);
  public static final int DEFAULT_DECODER_THREADS = Math.max(1, Runtime.getRuntime().availableProcessors());
  public static final int DEFAULT_ADMIN_MAX_BODY_BYTES = 64 * 1024;
  public static final int DEFAULT_ADMIN_PUBLISH_PER_SECOND = 50;
  /** A connection must complete its WebSocket handshake within this time (slowloris guard). */
  public static final Duration DEFAULT_HANDSHAKE_TIMEOUT = Duration.ofSeconds(10);
  /** Accepted connections still in their handshake, at most; more are closed at accept. */
  public static final int DEFAULT_MAX_PENDING_HANDSHAKES = 1_024;
  /** First cooldown of an address whose peer was evicted for flooding (doubles per eviction, up to 64x). */
  public static final Duration DEFAULT_ADDRESS_COOLDOWN = Duration.ofSeconds(1);
  /** Admin HTTP binds here, apart from the WebSocket host: loopback unless an operator opens it. */
  public static final String DEFAULT_ADMIN_HOST = "127.0.0.1";
  /** Open admin HTTP connections (the JDK server's process-wide cap). */
  public static final int DEFAULT_MAX_ADMIN_CONNECTIONS = 32;
  /** Bytes of one upgrade request; like common HTTP servers' header limits (nginx: 8 KiB lines). */
  public static final int DEFAULT_MAX_HANDSHAKE_BYTES = 8 * 1024;
  /** One address's share of pending handshakes (1/16 of the default hub-wide 1,024). */
  public static final int DEFAULT_MAX_PENDING_HANDSHAKES_PER_ADDRESS = 64;
  /** Frames one fragmented message may have (browsers send one frame per message). */
  public static final int DEFAULT_MAX_FRAGMENTS_PER_MESSAGE = 64;
  /** Encoded size of announce data the hub keeps per peer and sends on every discovery. */
  public static final int DEFAULT_MAX_ANNOUNCE_BYTES = 4 * 1024;
  /** Share of the max heap the hub may spend on what peers make it hold. */
  public static final double DEFAULT_MEMORY_BUDGET_RATIO = 0.5;
  /** Share of the budget past which the largest accounts are evicted. */
  public static final double DEFAULT_MEMORY_BUDGET_HIGH_MARK = 0.9;
  /** Error frames sent to one peer per second; past it errors cost strikes, not replies. */
  public static final int DEFAULT_MAX_ERROR_REPLIES_PER_SECOND = 20;
  /** Joins, leaves and switches of network per peer per minute: each tells a whole network. */
  public static final int DEFAULT_MAX_NETWORK_CHANGES_PER_MINUTE = 30;
  /** Outbound frames one peer may cause per inbound frame, averaged over a window, before eviction. */
  public static final int DEFAULT_MAX_AMPLIFICATION = 2000;
  /** One address's share of the hub's topic subscriptions (a tenth of the default max topics). */
  public static final int DEFAULT_MAX_SUBSCRIPTIONS_PER_ADDRESS = 10_000;
  /** Networks one address's peers may be in at once (a tenth of the default max networks). */
  public static final int DEFAULT_MAX_NETWORKS_PER_ADDRESS = 1_000;
  /** Loft's own parser of inbound frames; the library's stays selectable to compare the two. */
  public static final InboundParser DEFAULT_INBOUND_PARSER = InboundParser.FAST;

  // ------------------------------------------------------------------ the Redis link (issue 12), used only with --redis
  /** A Redis command not answered within this fails (and a publish is counted as dropped). */
  public static final Duration DEFAULT_REDIS_COMMAND_TIMEOUT = Duration.ofSeconds(1);
  /** Bytes of publishes sent to Redis and not yet answered; past it publishes are dropped, not queued. */
  public static final long DEFAULT_REDIS_MAX_PENDING_BYTES = 8L * 1024 * 1024;
  /** Commands Lettuce holds per connection (its own default is unbounded). */
  public static final int DEFAULT_REDIS_REQUEST_QUEUE = 10_000;
  /** One message through Redis: twice the largest inbound frame, room for the envelope around one. */
  public static final int DEFAULT_REDIS_MAX_MESSAGE_BYTES = 2 * DEFAULT_MAX_FRAME_BYTES;
  /** Redis channels one hub subscribes to: one per topic and per network the hub may hold. */
  public static final int DEFAULT_REDIS_MAX_CHANNELS = DEFAULT_MAX_TOPICS + DEFAULT_MAX_NETWORKS;
  /** How often the pub/sub connection is probed (a publish to the hub's own channel that must come back). */
  public static final Duration DEFAULT_REDIS_PROBE_INTERVAL = Duration.ofSeconds(1);
  /** A probe not back within this marks the link down and restarts the pub/sub connection. */
  public static final Duration DEFAULT_REDIS_PROBE_TIMEOUT = Duration.ofSeconds(3);
  /**
   * A hub not heard from for this long is forgotten by the others, its peers reported gone; each
   * hub beats every third of it (so a killed hub's peers are gone within 1 1/3 TTL).
   */
  public static final Duration DEFAULT_PRESENCE_TTL = Duration.ofSeconds(10);
  /** Peers on other hubs one hub keeps track of (in the networks it has members in). */
  public static final int DEFAULT_MAX_REMOTE_PEERS = 200_000;

  /** Who parses inbound WebSocket frames (java-websocket-1.6.0.md). */
  public enum InboundParser {
    /** Loft's: unmasks eight bytes at a time, checks UTF-8 while decoding it, once. */
    FAST,
    /** Java-WebSocket 1.6.0's: byte-at-a-time unmasking, then two more passes over the UTF-8. */
    LIBRARY;

    /** {@code fast} or {@code library}, any case. */
    public static InboundParser parse(String name) {
      checkNotNull(name, "inboundParser");
      for (InboundParser p : values()) {
        if (p.toString().equalsIgnoreCase(name.trim())) {
          return p;
        }
      }
      throw new IllegalArgumentException("inboundParser must be fast or library, got " + name);
    }

    @Override
    public String toString() {
      return name().toLowerCase(Locale.ROOT);
    }
  }

  private final String host;
  private final int port;
  private final int adminPort;
  private final String adminToken;
  private final int maxPeers;
  private final int maxPeersPerAddress;
  private final int maxFrameBytes;
  private final int maxTopicsPerPeer;
  private final int maxTopics;
  private final int maxNetworks;
  private final int discoveryLimit;
  private final int maxPresenceResults;
  private final long outboundHighWatermarkBytes;
  private final int maxQueuedFrames;
  private final int rateLimitPerSecond;
  private final int rateLimitBurst;
  private final int rateLimitMaxStrikes;
  private final Duration connectionLostTimeout;
  private final Duration announceGrace;
  private final Duration monitorInterval;
  private final double memoryPressureRatio;
  private final double memoryRecoveryRatio;
  private final int dedupeCacheSize;
  private final Duration dedupeTtl;
  private final Duration shutdownGrace;
  private final Duration writeStallCheck;
  private final int decoderThreads;
  private final int adminMaxBodyBytes;
  private final int adminPublishPerSecond;
  private final int maxListenersPerType;
  private final Duration handshakeTimeout;
  private final int maxPendingHandshakes;
  private final Duration addressCooldown;
  private final String adminHost;
  private final int maxAdminConnections;
  private final int maxHandshakeBytes;
  private final int maxPendingHandshakesPerAddress;
  private final int maxFragmentsPerMessage;
  private final int maxAnnounceBytes;
  private final double memoryBudgetRatio;
  private final double memoryBudgetHighMark;
  private final int maxErrorRepliesPerSecond;
  private final int maxNetworkChangesPerMinute;
  private final int maxAmplification;
  private final int maxSubscriptionsPerAddress;
  private final int maxNetworksPerAddress;
  private final InboundParser inboundParser;
  private final String redis;
  private final String nodeId;
  private final Duration redisCommandTimeout;
  private final long redisMaxPendingBytes;
  private final int redisRequestQueue;
  private final int redisMaxMessageBytes;
  private final int redisMaxChannels;
  private final Duration redisProbeInterval;
  private final Duration redisProbeTimeout;
  private final Duration presenceTtl;
  private final int maxRemotePeers;
  private final LongSupplier ticker;

  private HubConfig(Builder b) {
    host = b.host;
    port = b.port;
    adminPort = b.adminPort;
    adminToken = b.adminToken;
    maxPeers = b.maxPeers;
    maxPeersPerAddress = b.maxPeersPerAddress;
    maxFrameBytes = b.maxFrameBytes;
    maxTopicsPerPeer = b.maxTopicsPerPeer;
    maxTopics = b.maxTopics;
    maxNetworks = b.maxNetworks;
    discoveryLimit = b.discoveryLimit;
    maxPresenceResults = b.maxPresenceResults;
    outboundHighWatermarkBytes = b.outboundHighWatermarkBytes;
    maxQueuedFrames = b.maxQueuedFrames;
    rateLimitPerSecond = b.rateLimitPerSecond;
    rateLimitBurst = b.rateLimitBurst;
    rateLimitMaxStrikes = b.rateLimitMaxStrikes;
    connectionLostTimeout = b.connectionLostTimeout;
    announceGrace = b.announceGrace;
    monitorInterval = b.monitorInterval;
    memoryPressureRatio = b.memoryPressureRatio;
    memoryRecoveryRatio = b.memoryRecoveryRatio;
    dedupeCacheSize = b.dedupeCacheSize;
    dedupeTtl = b.dedupeTtl;
    shutdownGrace = b.shutdownGrace;
    writeStallCheck = b.writeStallCheck;
    decoderThreads = b.decoderThreads;
    adminMaxBodyBytes = b.adminMaxBodyBytes;
    adminPublishPerSecond = b.adminPublishPerSecond;
    maxListenersPerType = b.maxListenersPerType;
    handshakeTimeout = b.handshakeTimeout;
    maxPendingHandshakes = b.maxPendingHandshakes;
    addressCooldown = b.addressCooldown;
    adminHost = b.adminHost;
    maxAdminConnections = b.maxAdminConnections;
    maxHandshakeBytes = b.maxHandshakeBytes;
    maxPendingHandshakesPerAddress = b.maxPendingHandshakesPerAddress;
    maxFragmentsPerMessage = b.maxFragmentsPerMessage;
    maxAnnounceBytes = b.maxAnnounceBytes;
    memoryBudgetRatio = b.memoryBudgetRatio;
    memoryBudgetHighMark = b.memoryBudgetHighMark;
    maxErrorRepliesPerSecond = b.maxErrorRepliesPerSecond;
    maxNetworkChangesPerMinute = b.maxNetworkChangesPerMinute;
    maxAmplification = b.maxAmplification;
    maxSubscriptionsPerAddress = b.maxSubscriptionsPerAddress;
    maxNetworksPerAddress = b.maxNetworksPerAddress;
    inboundParser = b.inboundParser;
    redis = b.redis;
    nodeId = b.nodeId;
    redisCommandTimeout = b.redisCommandTimeout;
    redisMaxPendingBytes = b.redisMaxPendingBytes;
    redisRequestQueue = b.redisRequestQueue;
    redisMaxMessageBytes = b.redisMaxMessageBytes;
    redisMaxChannels = b.redisMaxChannels;
    redisProbeInterval = b.redisProbeInterval;
    redisProbeTimeout = b.redisProbeTimeout;
    presenceTtl = b.presenceTtl;
    maxRemotePeers = b.maxRemotePeers;
    ticker = b.ticker;
  }

  public static Builder builder() {
    return new Builder();
  }

  /** A builder starting from this configuration's values. */
  public Builder toBuilder() {
    return new Builder(this);
  }

  public String host() { return host; }
  public int port() { return port; }
  public int adminPort() { return adminPort; }
  /** Bearer token for admin write endpoints; null leaves them disabled. */
  public String adminToken() { return adminToken; }
  public int maxPeers() { return maxPeers; }
  public int maxPeersPerAddress() { return maxPeersPerAddress; }
  public int maxFrameBytes() { return maxFrameBytes; }
  public int maxTopicsPerPeer() { return maxTopicsPerPeer; }
  public int maxTopics() { return maxTopics; }
  public int maxNetworks() { return maxNetworks; }
  public int discoveryLimit() { return discoveryLimit; }
  public int maxPresenceResults() { return maxPresenceResults; }
  public long outboundHighWatermarkBytes() { return outboundHighWatermarkBytes; }
  public int maxQueuedFrames() { return maxQueuedFrames; }
  public int rateLimitPerSecond() { return rateLimitPerSecond; }
  public int rateLimitBurst() { return rateLimitBurst; }
  public int rateLimitMaxStrikes() { return rateLimitMaxStrikes; }
  public Duration connectionLostTimeout() { return connectionLostTimeout; }
  public Duration announceGrace() { return announceGrace; }
  public Duration monitorInterval() { return monitorInterval; }
  public double memoryPressureRatio() { return memoryPressureRatio; }
  public double memoryRecoveryRatio() { return memoryRecoveryRatio; }
  public int dedupeCacheSize() { return dedupeCacheSize; }
  public Duration dedupeTtl() { return dedupeTtl; }
  public Duration shutdownGrace() { return shutdownGrace; }
  public Duration writeStallCheck() { return writeStallCheck; }
  public int decoderThreads() { return decoderThreads; }
  public int adminMaxBodyBytes() { return adminMaxBodyBytes; }
  public int adminPublishPerSecond() { return adminPublishPerSecond; }
  public int maxListenersPerType() { return maxListenersPerType; }
  public Duration handshakeTimeout() { return handshakeTimeout; }
  public int maxPendingHandshakes() { return maxPendingHandshakes; }
  public Duration addressCooldown() { return addressCooldown; }
  public String adminHost() { return adminHost; }
  public int maxAdminConnections() { return maxAdminConnections; }
  public int maxHandshakeBytes() { return maxHandshakeBytes; }
  public int maxPendingHandshakesPerAddress() { return maxPendingHandshakesPerAddress; }
  public int maxFragmentsPerMessage() { return maxFragmentsPerMessage; }
  public int maxAnnounceBytes() { return maxAnnounceBytes; }
  public double memoryBudgetRatio() { return memoryBudgetRatio; }
  public double memoryBudgetHighMark() { return memoryBudgetHighMark; }
  public int maxErrorRepliesPerSecond() { return maxErrorRepliesPerSecond; }
  public int maxNetworkChangesPerMinute() { return maxNetworkChangesPerMinute; }
  public int maxAmplification() { return maxAmplification; }
  public int maxSubscriptionsPerAddress() { return maxSubscriptionsPerAddress; }
  public int maxNetworksPerAddress() { return maxNetworksPerAddress; }
  public InboundParser inboundParser() { return inboundParser; }
  /** The Redis server hubs share ({@code redis://host:port}, {@code rediss://} for TLS), or null: a single hub, no Redis. */
  public String redis() { return redis; }
  /** This hub's id among the hubs sharing a Redis, or null: one is generated when the hub is made (and logged). */
  public String nodeId() { return nodeId; }
  public Duration redisCommandTimeout() { return redisCommandTimeout; }
  public long redisMaxPendingBytes() { return redisMaxPendingBytes; }
  public int redisRequestQueue() { return redisRequestQueue; }
  public int redisMaxMessageBytes() { return redisMaxMessageBytes; }
  public int redisMaxChannels() { return redisMaxChannels; }
  public Duration redisProbeInterval() { return redisProbeInterval; }
  public Duration redisProbeTimeout() { return redisProbeTimeout; }
  public Duration presenceTtl() { return presenceTtl; }
  public int maxRemotePeers() { return maxRemotePeers; }
  /** Monotonic nanoseconds; injected by tests so that time-based limits need no sleeping. */
  public LongSupplier ticker() { return ticker; }

  /**
   * Mutable; {@link #build()} checks each value (and the pairs that must agree) and copies them into
   * an immutable {@code HubConfig}. Building again after further changes gives a new config.
   */
  public static final class Builder {
    private String host = DEFAULT_HOST;
    private int port = DEFAULT_PORT;
    private int adminPort = DEFAULT_ADMIN_PORT;
    private String adminToken;
    private int maxPeers = DEFAULT_MAX_PEERS;
    private int maxPeersPerAddress = DEFAULT_MAX_PEERS_PER_ADDRESS;
    private int maxFrameBytes = DEFAULT_MAX_FRAME_BYTES;
    private int maxTopicsPerPeer = DEFAULT_MAX_TOPICS_PER_PEER;
    private int maxTopics = DEFAULT_MAX_TOPICS;
    private int maxNetworks = DEFAULT_MAX_NETWORKS;
    private int discoveryLimit = DEFAULT_DISCOVERY_LIMIT;
    private int maxPresenceResults = DEFAULT_MAX_PRESENCE_RESULTS;
    private long outboundHighWatermarkBytes = DEFAULT_OUTBOUND_HIGH_WATERMARK_BYTES;
    private int maxQueuedFrames = DEFAULT_MAX_QUEUED_FRAMES;
    private int rateLimitPerSecond = DEFAULT_RATE_LIMIT_PER_SECOND;
    private int rateLimitBurst = DEFAULT_RATE_LIMIT_BURST;
    private int rateLimitMaxStrikes = DEFAULT_RATE_LIMIT_MAX_STRIKES;
    private Duration connectionLostTimeout = DEFAULT_CONNECTION_LOST_TIMEOUT;
    private Duration announceGrace = DEFAULT_ANNOUNCE_GRACE;
    private Duration monitorInterval = DEFAULT_MONITOR_INTERVAL;
    private double memoryPressureRatio = DEFAULT_MEMORY_PRESSURE_RATIO;
    private double memoryRecoveryRatio = DEFAULT_MEMORY_RECOVERY_RATIO;
    private int dedupeCacheSize = DEFAULT_DEDUPE_CACHE_SIZE;
    private Duration dedupeTtl = DEFAULT_DEDUPE_TTL;
    private Duration shutdownGrace = DEFAULT_SHUTDOWN_GRACE;
    private Duration writeStallCheck = DEFAULT_WRITE_STALL_CHECK;
    private int decoderThreads = DEFAULT_DECODER_THREADS;
    private int adminMaxBodyBytes = DEFAULT_ADMIN_MAX_BODY_BYTES;
    private int adminPublishPerSecond = DEFAULT_ADMIN_PUBLISH_PER_SECOND;
    private int maxListenersPerType = EventBus.DEFAULT_MAX_LISTENERS_PER_TYPE;
    private Duration handshakeTimeout = DEFAULT_HANDSHAKE_TIMEOUT;
    private int maxPendingHandshakes = DEFAULT_MAX_PENDING_HANDSHAKES;
    private Duration addressCooldown = DEFAULT_ADDRESS_COOLDOWN;
    private String adminHost = DEFAULT_ADMIN_HOST;
    private int maxAdminConnections = DEFAULT_MAX_ADMIN_CONNECTIONS;
    private int maxHandshakeBytes = DEFAULT_MAX_HANDSHAKE_BYTES;
    private int maxPendingHandshakesPerAddress = DEFAULT_MAX_PENDING_HANDSHAKES_PER_ADDRESS;
    private int maxFragmentsPerMessage = DEFAULT_MAX_FRAGMENTS_PER_MESSAGE;
    private int maxAnnounceBytes = DEFAULT_MAX_ANNOUNCE_BYTES;
    private double memoryBudgetRatio = DEFAULT_MEMORY_BUDGET_RATIO;
    private double memoryBudgetHighMark = DEFAULT_MEMORY_BUDGET_HIGH_MARK;
    private int maxErrorRepliesPerSecond = DEFAULT_MAX_ERROR_REPLIES_PER_SECOND;
    private int maxNetworkChangesPerMinute = DEFAULT_MAX_NETWORK_CHANGES_PER_MINUTE;
    private int maxAmplification = DEFAULT_MAX_AMPLIFICATION;
    private int maxSubscriptionsPerAddress = DEFAULT_MAX_SUBSCRIPTIONS_PER_ADDRESS;
    private int maxNetworksPerAddress = DEFAULT_MAX_NETWORKS_PER_ADDRESS;
    private InboundParser inboundParser = DEFAULT_INBOUND_PARSER;
    private String redis;
    private String nodeId;
    private Duration redisCommandTimeout = DEFAULT_REDIS_COMMAND_TIMEOUT;
    private long redisMaxPendingBytes = DEFAULT_REDIS_MAX_PENDING_BYTES;
    private int redisRequestQueue = DEFAULT_REDIS_REQUEST_QUEUE;
    private int redisMaxMessageBytes = DEFAULT_REDIS_MAX_MESSAGE_BYTES;
    private int redisMaxChannels = DEFAULT_REDIS_MAX_CHANNELS;
    private Duration redisProbeInterval = DEFAULT_REDIS_PROBE_INTERVAL;
    private Duration redisProbeTimeout = DEFAULT_REDIS_PROBE_TIMEOUT;
    private Duration presenceTtl = DEFAULT_PRESENCE_TTL;
    private int maxRemotePeers = DEFAULT_MAX_REMOTE_PEERS;
    private LongSupplier ticker = System::nanoTime;

    private Builder() {}

    private Builder(HubConfig c) {
      host = c.host;
      port = c.port;
      adminPort = c.adminPort;
      adminToken = c.adminToken;
      maxPeers = c.maxPeers;
      maxPeersPerAddress = c.maxPeersPerAddress;
      maxFrameBytes = c.maxFrameBytes;
      maxTopicsPerPeer = c.maxTopicsPerPeer;
      maxTopics = c.maxTopics;
      maxNetworks = c.maxNetworks;
      discoveryLimit = c.discoveryLimit;
      maxPresenceResults = c.maxPresenceResults;
      outboundHighWatermarkBytes = c.outboundHighWatermarkBytes;
      maxQueuedFrames = c.maxQueuedFrames;
      rateLimitPerSecond = c.rateLimitPerSecond;
      rateLimitBurst = c.rateLimitBurst;
      rateLimitMaxStrikes = c.rateLimitMaxStrikes;
      connectionLostTimeout = c.connectionLostTimeout;
      announceGrace = c.announceGrace;
      monitorInterval = c.monitorInterval;
      memoryPressureRatio = c.memoryPressureRatio;
      memoryRecoveryRatio = c.memoryRecoveryRatio;
      dedupeCacheSize = c.dedupeCacheSize;
      dedupeTtl = c.dedupeTtl;
      shutdownGrace = c.shutdownGrace;
      writeStallCheck = c.writeStallCheck;
      decoderThreads = c.decoderThreads;
      adminMaxBodyBytes = c.adminMaxBodyBytes;
      adminPublishPerSecond = c.adminPublishPerSecond;
      maxListenersPerType = c.maxListenersPerType;
      handshakeTimeout = c.handshakeTimeout;
      maxPendingHandshakes = c.maxPendingHandshakes;
      addressCooldown = c.addressCooldown;
      adminHost = c.adminHost;
      maxAdminConnections = c.maxAdminConnections;
      maxHandshakeBytes = c.maxHandshakeBytes;
      maxPendingHandshakesPerAddress = c.maxPendingHandshakesPerAddress;
      maxFragmentsPerMessage = c.maxFragmentsPerMessage;
      maxAnnounceBytes = c.maxAnnounceBytes;
      memoryBudgetRatio = c.memoryBudgetRatio;
      memoryBudgetHighMark = c.memoryBudgetHighMark;
      maxErrorRepliesPerSecond = c.maxErrorRepliesPerSecond;
      maxNetworkChangesPerMinute = c.maxNetworkChangesPerMinute;
      maxAmplification = c.maxAmplification;
      maxSubscriptionsPerAddress = c.maxSubscriptionsPerAddress;
      maxNetworksPerAddress = c.maxNetworksPerAddress;
      inboundParser = c.inboundParser;
      redis = c.redis;
      nodeId = c.nodeId;
      redisCommandTimeout = c.redisCommandTimeout;
      redisMaxPendingBytes = c.redisMaxPendingBytes;
      redisRequestQueue = c.redisRequestQueue;
      redisMaxMessageBytes = c.redisMaxMessageBytes;
      redisMaxChannels = c.redisMaxChannels;
      redisProbeInterval = c.redisProbeInterval;
      redisProbeTimeout = c.redisProbeTimeout;
      presenceTtl = c.presenceTtl;
      maxRemotePeers = c.maxRemotePeers;
      ticker = c.ticker;
    }

    public Builder host(String v) { host = checkNotNull(v, "host"); return this; }
    public Builder port(int v) { port = range("port", v, 0, 65535); return this; }
    public Builder adminPort(int v) { adminPort = range("adminPort", v, -1, 65535); return this; }
    public Builder adminToken(String v) { adminToken = v == null || v.isBlank() ? null : v; return this; }
    public Builder maxPeers(int v) { maxPeers = atLeast("maxPeers", v, 1); return this; }
    public Builder maxPeersPerAddress(int v) { maxPeersPerAddress = atLeast("maxPeersPerAddress", v, 1); return this; }
    public Builder maxFrameBytes(int v) { maxFrameBytes = atLeast("maxFrameBytes", v, 1024); return this; }
    public Builder maxTopicsPerPeer(int v) { maxTopicsPerPeer = atLeast("maxTopicsPerPeer", v, 1); return this; }
    public Builder maxTopics(int v) { maxTopics = atLeast("maxTopics", v, 1); return this; }
    public Builder maxNetworks(int v) { maxNetworks = atLeast("maxNetworks", v, 1); return this; }
    public Builder discoveryLimit(int v) { discoveryLimit = atLeast("discoveryLimit", v, 1); return this; }
    public Builder maxPresenceResults(int v) { maxPresenceResults = atLeast("maxPresenceResults", v, 1); return this; }
    public Builder outboundHighWatermarkBytes(long v) {
      checkArgument(v >= 1024, "outboundHighWatermarkBytes must be at least 1024, got %s", v);
      outboundHighWatermarkBytes = v;
      return this;
    }
    public Builder maxQueuedFrames(int v) { maxQueuedFrames = atLeast("maxQueuedFrames", v, 1); return this; }
    public Builder rateLimitPerSecond(int v) { rateLimitPerSecond = atLeast("rateLimitPerSecond", v, 1); return this; }
    public Builder rateLimitBurst(int v) { rateLimitBurst = atLeast("rateLimitBurst", v, 1); return this; }
    public Builder rateLimitMaxStrikes(int v) { rateLimitMaxStrikes = atLeast("rateLimitMaxStrikes", v, 1); return this; }
    public Builder connectionLostTimeout(Duration v) { connectionLostTimeout = positive("connectionLostTimeout", v); return this; }
    public Builder announceGrace(Duration v) { announceGrace = positive("announceGrace", v); return this; }
    public Builder monitorInterval(Duration v) { monitorInterval = positive("monitorInterval", v); return this; }
    public Builder memoryPressureRatio(double v) { memoryPressureRatio = ratio("memoryPressureRatio", v); return this; }
    public Builder memoryRecoveryRatio(double v) { memoryRecoveryRatio = ratio("memoryRecoveryRatio", v); return this; }
    public Builder dedupeCacheSize(int v) { dedupeCacheSize = atLeast("dedupeCacheSize", v, 1); return this; }
    public Builder dedupeTtl(Duration v) { dedupeTtl = positive("dedupeTtl", v); return this; }
    public Builder shutdownGrace(Duration v) { shutdownGrace = positive("shutdownGrace", v); return this; }
    public Builder writeStallCheck(Duration v) { writeStallCheck = positive("writeStallCheck", v); return this; }
    public Builder decoderThreads(int v) { decoderThreads = range("decoderThreads", v, 1, 64); return this; }
    public Builder adminMaxBodyBytes(int v) { adminMaxBodyBytes = atLeast("adminMaxBodyBytes", v, 256); return this; }
    public Builder adminPublishPerSecond(int v) { adminPublishPerSecond = atLeast("adminPublishPerSecond", v, 1); return this; }
    public Builder maxListenersPerType(int v) { maxListenersPerType = atLeast("maxListenersPerType", v, 1); return this; }
    public Builder handshakeTimeout(Duration v) { handshakeTimeout = positive("handshakeTimeout", v); return this; }
    public Builder maxPendingHandshakes(int v) { maxPendingHandshakes = atLeast("maxPendingHandshakes", v, 1); return this; }
    public Builder adminHost(String v) { adminHost = checkNotNull(v, "adminHost"); return this; }
    public Builder maxAdminConnections(int v) { maxAdminConnections = atLeast("maxAdminConnections", v, 4); return this; }
    public Builder maxHandshakeBytes(int v) { maxHandshakeBytes = range("maxHandshakeBytes", v, 1024, 1024 * 1024); return this; }
    public Builder maxPendingHandshakesPerAddress(int v) { maxPendingHandshakesPerAddress = atLeast("maxPendingHandshakesPerAddress", v, 1); return this; }
    public Builder maxFragmentsPerMessage(int v) { maxFragmentsPerMessage = atLeast("maxFragmentsPerMessage", v, 1); return this; }
    public Builder maxAnnounceBytes(int v) { maxAnnounceBytes = atLeast("maxAnnounceBytes", v, 64); return this; }
    public Builder memoryBudgetRatio(double v) { memoryBudgetRatio = ratio("memoryBudgetRatio", v); return this; }
    public Builder memoryBudgetHighMark(double v) { memoryBudgetHighMark = ratio("memoryBudgetHighMark", v); return this; }
    public Builder maxErrorRepliesPerSecond(int v) { maxErrorRepliesPerSecond = atLeast("maxErrorRepliesPerSecond", v, 1); return this; }
    public Builder maxNetworkChangesPerMinute(int v) { maxNetworkChangesPerMinute = atLeast("maxNetworkChangesPerMinute", v, 1); return this; }
    public Builder maxAmplification(int v) { maxAmplification = atLeast("maxAmplification", v, 10); return this; }
    public Builder maxSubscriptionsPerAddress(int v) { maxSubscriptionsPerAddress = atLeast("maxSubscriptionsPerAddress", v, 1); return this; }
    public Builder maxNetworksPerAddress(int v) { maxNetworksPerAddress = atLeast("maxNetworksPerAddress", v, 1); return this; }
    public Builder inboundParser(InboundParser v) { inboundParser = checkNotNull(v, "inboundParser"); return this; }
    public Builder addressCooldown(Duration v) { addressCooldown = positive("addressCooldown", v); return this; }
    public Builder redis(String v) { redis = v == null || v.isBlank() ? null : redisUri(v.trim()); return this; }
    public Builder nodeId(String v) { nodeId = v == null || v.isBlank() ? null : nodeIdOf(v.trim()); return this; }
    public Builder redisCommandTimeout(Duration v) { redisCommandTimeout = positive("redisCommandTimeout", v); return this; }
    public Builder redisMaxPendingBytes(long v) {
      checkArgument(v >= 1024, "redisMaxPendingBytes must be at least 1024, got %s", v);
      redisMaxPendingBytes = v;
      return this;
    }
    public Builder redisRequestQueue(int v) { redisRequestQueue = atLeast("redisRequestQueue", v, 16); return this; }
    public Builder redisMaxMessageBytes(int v) { redisMaxMessageBytes = atLeast("redisMaxMessageBytes", v, 64); return this; }
    public Builder redisMaxChannels(int v) { redisMaxChannels = atLeast("redisMaxChannels", v, 1); return this; }
    public Builder redisProbeInterval(Duration v) { redisProbeInterval = positive("redisProbeInterval", v); return this; }
    public Builder redisProbeTimeout(Duration v) { redisProbeTimeout = positive("redisProbeTimeout", v); return this; }
    public Builder presenceTtl(Duration v) { presenceTtl = positive("presenceTtl", v); return this; }
    public Builder maxRemotePeers(int v) { maxRemotePeers = atLeast("maxRemotePeers", v, 0); return this; }
    public Builder ticker(LongSupplier v) { ticker = checkNotNull(v, "ticker"); return this; }

    public HubConfig build() {
      checkArgument(memoryRecoveryRatio < memoryPressureRatio,
          "memoryRecoveryRatio (%s) must be below memoryPressureRatio (%s)", memoryRecoveryRatio, memoryPressureRatio);
      checkArgument(rateLimitBurst >= rateLimitPerSecond / 10,
          "rateLimitBurst (%s) is too small for rateLimitPerSecond (%s): at least a tenth of it", rateLimitBurst, rateLimitPerSecond);
      checkArgument(redisMaxPendingBytes >= redisMaxMessageBytes,
          "redisMaxPendingBytes (%s) must hold at least one message of redisMaxMessageBytes (%s)", redisMaxPendingBytes, redisMaxMessageBytes);
      return new HubConfig(this);
    }

    /** {@code redis://host[:port][/db]} or {@code rediss://…}; checked here so that a typo fails at start, not at connect. */
    private static String redisUri(String v) {
      URI uri;
      try {
        uri = new URI(v);
      } catch (URISyntaxException e) {
        throw new IllegalArgumentException("redis must be a URI such as redis://127.0.0.1:6379, got " + v);
      }
      checkArgument(("redis".equals(uri.getScheme()) || "rediss".equals(uri.getScheme())) && uri.getHost() != null,
          "redis must be a URI such as redis://127.0.0.1:6379 (or rediss:// for TLS), got %s", v);
      return v;
    }

    /** Letters, digits, '-' and '_', at most 64: it is part of Redis channel names and of log lines. */
    private static String nodeIdOf(String v) {
      checkArgument(v.matches("[A-Za-z0-9_-]{1,64}"), "nodeId must be 1 to 64 letters, digits, '-' or '_', got %s", v);
      return v;
    }

    private static int atLeast(String name, int v, int min) {
      checkArgument(v >= min, "%s must be at least %s, got %s", name, min, v);
      return v;
    }

    private static int range(String name, int v, int min, int max) {
      checkArgument(v >= min && v <= max, "%s must be in %s..%s, got %s", name, min, max, v);
      return v;
    }

    private static Duration positive(String name, Duration v) {
      checkArgument(v != null && !v.isNegative() && !v.isZero(), "%s must be a positive duration, got %s", name, v);
      return v;
    }

    private static double ratio(String name, double v) {
      checkArgument(v > 0 && v < 1, "%s must be between 0 and 1, got %s", name, v);
      return v;
    }
  }
}
