package dev.loft.server.cli;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.LoggerContext;
import dev.loft.server.config.HubConfig;
import dev.loft.server.HubServer;
import java.time.Duration;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;
import dev.loft.bus.EventBus;
import java.util.List;
import java.util.Map;

/**
 * {@code java -jar loft-hub.jar [options]}: runs a hub until SIGTERM/SIGINT (exit 0 after a
 * graceful stop) or an uncaught error on one of its threads (cleanup, then exit 70).
 */
@Command(
    name = "loft-hub",
    mixinStandardHelpOptions = true,
    version = "Loft hub 0.1.0",
    sortOptions = false,
    showDefaultValues = true,
    description = "A pub/sub peer hub that speaks PeerPigeon's signaling protocol.%n"
        + "Every option can also be set as an environment variable: --max-peers is LOFT_MAX_PEERS.")
public final class LoftHubMain implements Callable<Integer> {
  /** Exit status after an uncaught error (EX_SOFTWARE). */
  static final int EXIT_FATAL = 70;

  @Option(names = "--host", description = "Address to listen on.")
  String host = HubConfig.DEFAULT_HOST;

  @Option(names = "--port", description = "WebSocket port (0 picks a free one).")
  int port = HubConfig.DEFAULT_PORT;

  @Option(names = "--admin-port", description = "Admin HTTP port; -1 disables it.")
  int adminPort = HubConfig.DEFAULT_ADMIN_PORT;

  @Option(names = "--admin-token", description = "Bearer token for admin write endpoints (unset: disabled).")
  String adminToken;

  @Option(names = "--max-peers", description = "Peers connected at once.")
  int maxPeers = HubConfig.DEFAULT_MAX_PEERS;

  @Option(names = "--max-peers-per-address", description = "Peers from one remote address.")
  int maxPeersPerAddress = HubConfig.DEFAULT_MAX_PEERS_PER_ADDRESS;

  @Option(names = "--max-frame-bytes", description = "Largest inbound frame (closed 1009 above).")
  int maxFrameBytes = HubConfig.DEFAULT_MAX_FRAME_BYTES;

  @Option(names = "--max-topics-per-peer", description = "Topic subscriptions per peer.")
  int maxTopicsPerPeer = HubConfig.DEFAULT_MAX_TOPICS_PER_PEER;

  @Option(names = "--max-topics", description = "Topics on the hub.")
  int maxTopics = HubConfig.DEFAULT_MAX_TOPICS;

  @Option(names = "--max-networks", description = "Networks on the hub.")
  int maxNetworks = HubConfig.DEFAULT_MAX_NETWORKS;

  @Option(names = "--discovery-limit", description = "peer-discovered frames each way per announce.")
  int discoveryLimit = HubConfig.DEFAULT_DISCOVERY_LIMIT;

  @Option(names = "--max-presence-results", description = "Peer ids in one presence answer.")
  int maxPresenceResults = HubConfig.DEFAULT_MAX_PRESENCE_RESULTS;

  @Option(names = "--outbound-high-watermark-bytes", description = "Per-peer backlog that evicts a slow consumer.")
  long outboundHighWatermarkBytes = HubConfig.DEFAULT_OUTBOUND_HIGH_WATERMARK_BYTES;

  @Option(names = "--max-queued-frames", description = "Per-peer queued frames that evict a slow consumer.")
  int maxQueuedFrames = HubConfig.DEFAULT_MAX_QUEUED_FRAMES;

  @Option(names = "--rate-limit-per-second", description = "Inbound frames per second per peer.")
  int rateLimitPerSecond = HubConfig.DEFAULT_RATE_LIMIT_PER_SECOND;

  @Option(names = "--rate-limit-burst", description = "Inbound burst per peer.")
  int rateLimitBurst = HubConfig.DEFAULT_RATE_LIMIT_BURST;

  @Option(names = "--rate-limit-max-strikes", description = "RATE_LIMITED warnings per 10 s before disconnecting.")
  int rateLimitMaxStrikes = HubConfig.DEFAULT_RATE_LIMIT_MAX_STRIKES;

  @Option(names = "--connection-lost-timeout", description = "Heartbeat: silent peers are closed after about 1.5x this.")
  Duration connectionLostTimeout = HubConfig.DEFAULT_CONNECTION_LOST_TIMEOUT;

  @Option(names = "--announce-grace", description = "Time to announce or subscribe before being closed.")
  Duration announceGrace = HubConfig.DEFAULT_ANNOUNCE_GRACE;

  @Option(names = "--monitor-interval", description = "Memory monitor period.")
  Duration monitorInterval = HubConfig.DEFAULT_MONITOR_INTERVAL;

  @Option(names = "--memory-pressure-ratio", description = "Live heap / max heap that starts load shedding.")
  double memoryPressureRatio = HubConfig.DEFAULT_MEMORY_PRESSURE_RATIO;

  @Option(names = "--memory-recovery-ratio", description = "Live heap / max heap that ends load shedding.")
  double memoryRecoveryRatio = HubConfig.DEFAULT_MEMORY_RECOVERY_RATIO;

  @Option(names = "--dedupe-cache-size", description = "Recent request ids remembered for safe retries.")
  int dedupeCacheSize = HubConfig.DEFAULT_DEDUPE_CACHE_SIZE;

  @Option(names = "--dedupe-ttl", description = "How long a request id is remembered.")
  Duration dedupeTtl = HubConfig.DEFAULT_DEDUPE_TTL;

  @Option(names = "--shutdown-grace", description = "Time given to peers to close on shutdown.")
  Duration shutdownGrace = HubConfig.DEFAULT_SHUTDOWN_GRACE;

  @Option(names = "--decoder-threads", description = "WebSocket decoder threads.")
  int decoderThreads = HubConfig.DEFAULT_DECODER_THREADS;

  @Option(names = "--admin-max-body-bytes", description = "Largest admin request body.")
  int adminMaxBodyBytes = HubConfig.DEFAULT_ADMIN_MAX_BODY_BYTES;

  @Option(names = "--admin-publish-per-second", description = "Admin publishes per second (429 above).")
  int adminPublishPerSecond = HubConfig.DEFAULT_ADMIN_PUBLISH_PER_SECOND;

  @Option(names = "--write-stall-check", description = "How often queued-but-unscheduled writes are re-requested.")
  Duration writeStallCheck = HubConfig.DEFAULT_WRITE_STALL_CHECK;

  @Option(names = "--max-listeners-per-type", description = "Bus listener cap per event type.")
  int maxListenersPerType = EventBus.DEFAULT_MAX_LISTENERS_PER_TYPE;

  @Option(names = "--handshake-timeout", description = "Time a connection has to complete its WebSocket handshake.")
  Duration handshakeTimeout = HubConfig.DEFAULT_HANDSHAKE_TIMEOUT;

  @Option(names = "--max-pending-handshakes", description = "Connections still in their handshake, at most (more are closed at accept).")
  int maxPendingHandshakes = HubConfig.DEFAULT_MAX_PENDING_HANDSHAKES;

  @Option(names = "--address-cooldown", description = "First cooldown of an address whose peer was evicted for flooding (4001): its connections are closed at accept; doubles per eviction up to 64x.")
  Duration addressCooldown = HubConfig.DEFAULT_ADDRESS_COOLDOWN;

  @Option(names = "--admin-host", description = "Address the admin HTTP API binds (apart from --host: loopback unless you open it).")
  String adminHost = HubConfig.DEFAULT_ADMIN_HOST;

  @Option(names = "--max-admin-connections", description = "Open admin HTTP connections, at most (process-wide).")
  int maxAdminConnections = HubConfig.DEFAULT_MAX_ADMIN_CONNECTIONS;

  @Option(names = "--max-handshake-bytes", description = "Bytes of one WebSocket upgrade request; past it: HTTP 431 and close.")
  int maxHandshakeBytes = HubConfig.DEFAULT_MAX_HANDSHAKE_BYTES;

  @Option(names = "--max-pending-handshakes-per-address", description = "One address's share of pending handshakes.")
  int maxPendingHandshakesPerAddress = HubConfig.DEFAULT_MAX_PENDING_HANDSHAKES_PER_ADDRESS;

  @Option(names = "--max-fragments-per-message", description = "Frames one fragmented WebSocket message may have; past it: close 1009.")
  int maxFragmentsPerMessage = HubConfig.DEFAULT_MAX_FRAGMENTS_PER_MESSAGE;

  @Option(names = "--max-announce-bytes", description = "Encoded bytes of announce data; past it: error ANNOUNCE_TOO_LARGE.")
  int maxAnnounceBytes = HubConfig.DEFAULT_MAX_ANNOUNCE_BYTES;

  @Option(names = "--memory-budget-ratio", description = "Share of the max heap the hub may spend on what peers make it hold.")
  double memoryBudgetRatio = HubConfig.DEFAULT_MEMORY_BUDGET_RATIO;

  @Option(names = "--memory-budget-high-mark", description = "Share of the budget past which the largest accounts are evicted (4006).")
  double memoryBudgetHighMark = HubConfig.DEFAULT_MEMORY_BUDGET_HIGH_MARK;

  @Option(names = "--max-error-replies-per-second", description = "Error frames sent to one peer per second; past it errors cost strikes.")
  int maxErrorRepliesPerSecond = HubConfig.DEFAULT_MAX_ERROR_REPLIES_PER_SECOND;

  @Option(names = "--max-network-changes-per-minute", description = "Network joins, switches and goodbyes per peer per minute.")
  int maxNetworkChangesPerMinute = HubConfig.DEFAULT_MAX_NETWORK_CHANGES_PER_MINUTE;

  @Option(names = "--max-amplification", description = "Outbound frames one peer may cause per frame it sends (per half second); past it: 4001.")
  int maxAmplification = HubConfig.DEFAULT_MAX_AMPLIFICATION;

  @Option(names = "--max-subscriptions-per-address", description = "One address's share of the hub's subscriptions.")
  int maxSubscriptionsPerAddress = HubConfig.DEFAULT_MAX_SUBSCRIPTIONS_PER_ADDRESS;

  @Option(names = "--max-networks-per-address", description = "Networks one address's peers may be in at once.")
  int maxNetworksPerAddress = HubConfig.DEFAULT_MAX_NETWORKS_PER_ADDRESS;

  @Option(names = "--inbound-parser", converter = InboundParserConverter.class,
      description = "Who parses inbound WebSocket frames: fast (Loft's own) or library (Java-WebSocket's, to compare).")
  HubConfig.InboundParser inboundParser = HubConfig.DEFAULT_INBOUND_PARSER;

  @Option(names = "--redis", description = "Redis server shared by the hubs of a cluster, e.g. redis://127.0.0.1:6379 (unset: a single hub, no Redis).")
  String redis;

  @Option(names = "--node-id", description = "This hub's id in the cluster: letters, digits, - and _ (unset: a random one, logged at start).")
  String nodeId;

  @Option(names = "--redis-command-timeout", description = "A Redis command not answered within this fails (publish counted as dropped).")
  Duration redisCommandTimeout = HubConfig.DEFAULT_REDIS_COMMAND_TIMEOUT;

  @Option(names = "--redis-max-pending-bytes", description = "Bytes published to Redis and not yet answered; past it publishes are dropped and counted.")
  long redisMaxPendingBytes = HubConfig.DEFAULT_REDIS_MAX_PENDING_BYTES;

  @Option(names = "--redis-request-queue", description = "Commands queued per Redis connection (Lettuce's requestQueueSize); past it commands are refused.")
  int redisRequestQueue = HubConfig.DEFAULT_REDIS_REQUEST_QUEUE;

  @Option(names = "--redis-max-message-bytes", description = "Largest message sent through Redis; larger ones are dropped and counted.")
  int redisMaxMessageBytes = HubConfig.DEFAULT_REDIS_MAX_MESSAGE_BYTES;

  @Option(names = "--redis-max-channels", description = "Redis channels this hub subscribes to at once; past it subscriptions are refused.")
  int redisMaxChannels = HubConfig.DEFAULT_REDIS_MAX_CHANNELS;

  @Option(names = "--redis-probe-interval", description = "How often the Redis pub/sub connection is probed through the hub's own channel.")
  Duration redisProbeInterval = HubConfig.DEFAULT_REDIS_PROBE_INTERVAL;

  @Option(names = "--redis-probe-timeout", description = "A probe not back within this marks the Redis link down and restarts the pub/sub connection.")
  Duration redisProbeTimeout = HubConfig.DEFAULT_REDIS_PROBE_TIMEOUT;

  @Option(names = "--presence-ttl", description = "With --redis: a hub not heard from for this long is forgotten by the others and its peers reported gone; each hub beats every third of it.")
  Duration presenceTtl = HubConfig.DEFAULT_PRESENCE_TTL;

  @Option(names = "--max-remote-peers", description = "With --redis: peers on other hubs this hub keeps track of (in the networks it has members in); past it they are not reachable from here.")
  int maxRemotePeers = HubConfig.DEFAULT_MAX_REMOTE_PEERS;

  /** fast or library, any case (the enum's names are upper case). */
  static final class InboundParserConverter implements CommandLine.ITypeConverter<HubConfig.InboundParser> {
    @Override
    public HubConfig.InboundParser convert(String value) {
      try {
        return HubConfig.InboundParser.parse(value);
      } catch (IllegalArgumentException e) {
        throw new CommandLine.TypeConversionException("'" + value + "' is not fast or library");
      }
    }
  }

  /** Levels for Loft's loggers. */
  enum LogLevel { ERROR, WARN, INFO, DEBUG, TRACE }

  @Option(names = "--log-level", description = "Level for Loft's loggers: ${COMPLETION-CANDIDATES}.")
  LogLevel logLevel = LogLevel.INFO;

  HubConfig toConfig() {
    return HubConfig.builder()
        .host(host)
        .port(port)
        .adminPort(adminPort)
        .adminToken(adminToken)
        .maxPeers(maxPeers)
        .maxPeersPerAddress(maxPeersPerAddress)
        .maxFrameBytes(maxFrameBytes)
        .maxTopicsPerPeer(maxTopicsPerPeer)
        .maxTopics(maxTopics)
        .maxNetworks(maxNetworks)
        .discoveryLimit(discoveryLimit)
        .maxPresenceResults(maxPresenceResults)
        .outboundHighWatermarkBytes(outboundHighWatermarkBytes)
        .maxQueuedFrames(maxQueuedFrames)
        .rateLimitPerSecond(rateLimitPerSecond)
        .rateLimitBurst(rateLimitBurst)
        .rateLimitMaxStrikes(rateLimitMaxStrikes)
        .connectionLostTimeout(connectionLostTimeout)
        .announceGrace(announceGrace)
        .monitorInterval(monitorInterval)
        .memoryPressureRatio(memoryPressureRatio)
        .memoryRecoveryRatio(memoryRecoveryRatio)
        .dedupeCacheSize(dedupeCacheSize)
        .dedupeTtl(dedupeTtl)
        .shutdownGrace(shutdownGrace)
        .decoderThreads(decoderThreads)
        .adminMaxBodyBytes(adminMaxBodyBytes)
        .adminPublishPerSecond(adminPublishPerSecond)
        .writeStallCheck(writeStallCheck)
        .maxListenersPerType(maxListenersPerType)
        .handshakeTimeout(handshakeTimeout)
        .maxPendingHandshakes(maxPendingHandshakes)
        .addressCooldown(addressCooldown)
        .adminHost(adminHost)
        .maxAdminConnections(maxAdminConnections)
        .maxHandshakeBytes(maxHandshakeBytes)
        .maxPendingHandshakesPerAddress(maxPendingHandshakesPerAddress)
        .maxFragmentsPerMessage(maxFragmentsPerMessage)
        .maxAnnounceBytes(maxAnnounceBytes)
        .memoryBudgetRatio(memoryBudgetRatio)
        .memoryBudgetHighMark(memoryBudgetHighMark)
        .maxErrorRepliesPerSecond(maxErrorRepliesPerSecond)
        .maxNetworkChangesPerMinute(maxNetworkChangesPerMinute)
        .maxAmplification(maxAmplification)
        .maxSubscriptionsPerAddress(maxSubscriptionsPerAddress)
        .maxNetworksPerAddress(maxNetworksPerAddress)
        .inboundParser(inboundParser)
        .redis(redis)
        .nodeId(nodeId)
        .redisCommandTimeout(redisCommandTimeout)
        .redisMaxPendingBytes(redisMaxPendingBytes)
        .redisRequestQueue(redisRequestQueue)
        .redisMaxMessageBytes(redisMaxMessageBytes)
        .redisMaxChannels(redisMaxChannels)
        .redisProbeInterval(redisProbeInterval)
        .redisProbeTimeout(redisProbeTimeout)
        .presenceTtl(presenceTtl)
        .maxRemotePeers(maxRemotePeers)
        .build();
  }

  @Spec CommandSpec spec;

  @Override
  public Integer call() {
    setLogLevel(logLevel);
    Logger log = LoggerFactory.getLogger(LoftHubMain.class);
    HubConfig config;
    try {
      config = toConfig();
    } catch (IllegalArgumentException e) {
      // An option parsed but out of range: a usage error with the builder's message, no stack trace.
      throw new ParameterException(spec.commandLine(), e.getMessage(), e);
    }
    CountDownLatch stopped = new CountDownLatch(1);
    HubServer hub = new HubServer(config, error -> {
      // Out of memory: no cleanup (it could fail too, and would take the shutdown grace); the
      // sockets close with the process. Anything else arrives here after the hub cleaned up.
      log.error(error instanceof VirtualMachineError
          ? "fatal error ({}); exiting {} at once" : "fatal error ({}); hub cleaned up, exiting {}",
          error.getClass().getSimpleName(), EXIT_FATAL);
      flushLogs();
      Runtime.getRuntime().halt(EXIT_FATAL);
    });
    // Anything uncaught anywhere in this process (library threads too): the same path.
    Thread.setDefaultUncaughtExceptionHandler(hub::fail);
    Runtime.getRuntime().addShutdownHook(new Thread(() -> {
      log.info("shutdown requested; closing peers with 1001");
      hub.close();
      stopped.countDown();
      flushLogs();
      // A signal would otherwise exit 143; a graceful stop is a success.
      Runtime.getRuntime().halt(0);
    }, "loft-shutdown"));
    hub.start();
    try {
      stopped.await();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    return 0;
  }

  private static void setLogLevel(LogLevel level) {
    if (LoggerFactory.getILoggerFactory() instanceof LoggerContext ctx) {
      ctx.getLogger("dev.loft").setLevel(Level.toLevel(level.name()));
    }
  }

  private static void flushLogs() {
    if (LoggerFactory.getILoggerFactory() instanceof LoggerContext ctx) {
      ctx.stop();
    }
  }

  /** Builds the command line with environment defaults (exposed for tests). */
  static CommandLine commandLine(LoftHubMain main, Map<String, String> env) {
    CommandLine cmd = new CommandLine(main);
    cmd.registerConverter(Duration.class, new DurationConverter());
    cmd.setDefaultValueProvider(new EnvironmentDefaults(env));
    return cmd;
  }

  /**
   * The configuration these command-line arguments describe, with the same defaults, environment
   * variables and checks as {@code java -jar loft-hub.jar} (for tools that start a hub in their
   * own JVM, such as the stress tool). Throws IllegalArgumentException for a bad argument.
   */
  public static HubConfig parseConfig(List<String> args) {
    LoftHubMain main = new LoftHubMain();
    try {
      commandLine(main, System.getenv()).parseArgs(args.toArray(String[]::new));
    } catch (picocli.CommandLine.ParameterException e) {
      throw new IllegalArgumentException(e.getMessage(), e);
    }
    return main.toConfig();
  }

  public static void main(String[] args) {
    int code = commandLine(new LoftHubMain(), System.getenv()).execute(args);
    System.exit(code);
  }
}
