package dev.loft.server.cluster;

import static com.google.common.base.Preconditions.checkArgument;
import static com.google.common.base.Preconditions.checkNotNull;

import dev.loft.server.config.HubConfig;
import dev.loft.server.stats.Stat;
import dev.loft.server.stats.StatStore;
import io.lettuce.core.ClientOptions;
import io.lettuce.core.RedisChannelHandler;
import io.lettuce.core.RedisClient;
import io.lettuce.core.RedisCommandTimeoutException;
import io.lettuce.core.RedisConnectionStateListener;
import io.lettuce.core.RedisFuture;
import io.lettuce.core.RedisURI;
import io.lettuce.core.SocketOptions;
import io.lettuce.core.TimeoutOptions;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.api.async.RedisAsyncCommands;
import io.lettuce.core.codec.ByteArrayCodec;
import io.lettuce.core.codec.RedisCodec;
import io.lettuce.core.codec.StringCodec;
import io.lettuce.core.metrics.CommandLatencyRecorder;
import io.lettuce.core.pubsub.RedisPubSubListener;
import io.lettuce.core.pubsub.StatefulRedisPubSubConnection;
import io.lettuce.core.resource.ClientResources;
import io.lettuce.core.resource.DefaultClientResources;
import io.lettuce.core.resource.Delay;
import io.netty.util.concurrent.DefaultThreadFactory;
import java.net.SocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.Function;
import java.util.function.LongSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * This hub's link to the Redis that the hubs of a cluster share: one Lettuce client with its own
 * threads, one connection for commands and publishes, one for subscriptions. It moves bytes on
 * channels and knows nothing of peers, topics or frames (that is the core's, which is not here yet).
 *
 * <p><b>Bounded, never blocking.</b> {@link #publish} is called on WebSocket threads: it never
 * waits for Redis. Past {@code --redis-max-message-bytes}, past {@code --redis-max-pending-bytes}
 * of publishes Redis has not answered yet, or while the command connection is down it returns
 * false and counts why ({@link Stat#REDIS_PUBLISH_DROPPED}); nothing queues. Lettuce's own queue
 * (unbounded by default) is bounded by {@code --redis-request-queue}, commands are rejected while
 * disconnected instead of buffered, and the link counts what is not answered yet so that it stops
 * {@link #RESERVED_COMMANDS} short of that bound itself; every command times out after
 * {@code --redis-command-timeout}. The caller's thread only takes Lettuce's short write lock (no
 * I/O under it: Netty writes on its own thread). Cross-hub traffic is at most once.
 *
 * <p><b>Subscriptions follow interest.</b> {@link #subscribe} and {@link #unsubscribe} count
 * interest per channel: the first subscribes on Redis, the last unsubscribes; at most
 * {@code --redis-max-channels} channels at once. Sharded pub/sub (SSUBSCRIBE, SPUBLISH) is used
 * where the server has it (Redis 7.0 and later, read from {@code INFO server} on every connect of
 * the command connection), plain pub/sub otherwise (Redis 6.2). Every message goes to the one
 * {@link Listener}, on Lettuce's I/O thread; what it throws is caught and counted.
 *
 * <p><b>Reconnects, and distrusts a quiet connection.</b> Lettuce reconnects both connections by
 * itself (and re-subscribes what its endpoint had confirmed); on every (re)connect of the pub/sub
 * connection the link also subscribes its whole current set, and a confirmation of a channel
 * nobody wants any more is answered with an unsubscribe, so what Redis holds follows interest
 * whatever was refused while disconnected. Every {@code --redis-probe-interval} the link publishes
 * a probe to its own node channel; one not back within {@code --redis-probe-timeout} marks the
 * link {@link Status#DOWN} and the pub/sub connection is closed and made anew (also the command
 * connection, if the probe's publish was not answered either): a connection that went silent
 * without closing (Centrifugo's incident #1189, "silent delivery loss, /health green") is
 * restarted, not trusted.
 *
 * <p><b>Threads.</b> The link's lifecycle (connecting, restarting, what was sent to the pub/sub
 * connection, probes) is owned by the {@code scheduler} given at construction (the hub's
 * housekeeper): every field marked "link thread" is read and written only in tasks run there.
 * Lettuce's callbacks hop onto it. Callers' threads only touch the interest counts (concurrent
 * map), the pending counters and the current connection (volatile). {@link #close()} is idempotent, unsubscribes, closes both
 * connections and shuts down the client and its threads ({@code loft-redis-*}).
 *
 * <p><b>The node channel.</b> {@code loft.node.<nodeId>} is always subscribed; it is where what is
 * addressed to one hub goes. Payloads on it that start with a NUL byte are the link's own probes
 * and never reach the listener.
 */
public final class RedisLink implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(RedisLink.class);

  /** Every Redis channel a Loft hub uses starts with this. */
  public static final String CHANNEL_PREFIX = "loft.";
  /** TCP connect plus Lettuce's handshake; a silent server fails a connect within this, and it is tried again. */
  static final Duration CONNECT_TIMEOUT = Duration.ofSeconds(2);
  /** Lettuce's reconnect delay grows (with jitter) from 50 ms up to this; Centrifugo retries every 250 ms. */
  static final Duration RECONNECT_DELAY_MAX = Duration.ofSeconds(1);
  /** Channels per SUBSCRIBE command when the whole set is subscribed again. */
  static final int SUBSCRIBE_BATCH = 512;
  /** Lettuce's floor for both of its pools (asking for 1 gets 2 and a log line). */
  static final int LETTUCE_THREADS = DefaultClientResources.MIN_IO_THREADS;
  /**
   * Slots of {@code --redis-request-queue} kept for the link's own commands (probe, INFO): publishes
   * and {@link #command}s stop one short of Lettuce's own bound, which would refuse them too but
   * log a warning with a stack trace for each.
   */
  static final int RESERVED_COMMANDS = 4;
  /** How long {@link #close()} waits for Lettuce's threads to end. */
  static final Duration SHUTDOWN_TIMEOUT = Duration.ofSeconds(2);

  private static final RedisCodec<String, byte[]> CODEC = RedisCodec.of(StringCodec.UTF8, ByteArrayCodec.INSTANCE);
  private static final byte[] PROBE_MARKER = "\u0000probe:".getBytes(StandardCharsets.US_ASCII);

  // Reasons, the keys of the keyed counters.
  static final String DOWN = "down";
  static final String QUEUE_FULL = "queue-full";
  static final String TOO_LARGE = "too-large";
  static final String TIMEOUT = "timeout";
  static final String FAILED = "failed";

  /** Receives every message from Redis but the link's probes, on Lettuce's I/O thread: hand work off, do not block. */
  @FunctionalInterface
  public interface Listener {
    void onMessage(String channel, byte[] payload);

    /**
     * The link is up again (or for the first time), every channel of interest subscribed: what
     * was published meanwhile is lost, so the core asks the other hubs again. On the link thread.
     */
    default void onUp() {}
  }

  /** What {@link #state()} says. */
  public enum Status {
    /** Never up since it was made: the first connect is under way (or keeps failing). */
    CONNECTING,
    /** Both connections open, the current set subscribed, the last probe back in time. */
    UP,
    /** Was up and is not now (see the state's reason), or closed. */
    DOWN
  }

  /** The link's status, since when (wall clock, for /health), and why when not up. */
  public record State(Status status, Instant since, String reason) {}

  /** Why {@link #command} refused a command without sending it: {@code down} or {@code queue-full}. */
  public static final class RefusedException extends RuntimeException {
    private static final long serialVersionUID = 1L;
    private final String reason;

    RefusedException(String reason, String message) {
      super(message, null, false, false);
      this.reason = reason;
    }

    public String reason() {
      return reason;
    }
  }

  private final String nodeId;
  private final String nodeChannel;
  private final Listener listener;
  private final ScheduledExecutorService scheduler;
  private final LongSupplier ticker;
  private final StatStore stats;
  private final long maxPendingBytes;
  private final int maxMessageBytes;
  private final int maxChannels;
  private final long probeIntervalNanos;
  private final long probeTimeoutNanos;
  private final Duration commandTimeout;
  private final RedisURI uri;
  private final ClientResources resources;
  private final RedisClient client;

  /** Interest per channel (callers' threads); a channel is in the map while its count is above zero. */
  private final ConcurrentHashMap<String, Integer> interest = new ConcurrentHashMap<>();
  private final AtomicInteger channels = new AtomicInteger();
  private final AtomicLong pendingBytes = new AtomicLong();
  /** Publishes and commands sent on the command connection and not yet answered (callers' threads, Lettuce's). */
  private final AtomicInteger pendingCommands = new AtomicInteger();
  private final int maxPendingCommands;
  private final LongAdder published;
  private final LongAdder received;

  // The connections: written on the link thread only, read anywhere.
  private volatile StatefulRedisConnection<String, byte[]> command;
  private volatile StatefulRedisPubSubConnection<String, byte[]> pubSub;
  /** Sharded pub/sub or plain, as detected on the last connect of the command connection; null until known. */
  private volatile Boolean sharded;
  /** What the pub/sub connection was set up with (written on the link thread, read by close too). */
  private volatile boolean pubSubSharded;
  // Written on the link thread (commandUp also by Lettuce's disconnect callback), read anywhere.
  private volatile boolean commandUp;
  private volatile boolean pubSubReady;
  private volatile boolean probeOk = true;
  private volatile boolean closed;
  /** Tests only: plain pub/sub whatever the server has (the Redis 6.2 path on a 7.x server). */
  private volatile boolean plainOnly;
  // Link thread.
  private boolean commandConnecting;
  private boolean pubSubConnecting;
  /** The command connection whose INFO is asked and not answered yet, or null. */
  private StatefulRedisConnection<String, byte[]> detectingOn;
  /** Channels whose subscribe failed on an open connection: tried again on the next tick. */
  private final Set<String> retry = new HashSet<>();
  /** The node channel's subscribe is sent and not confirmed yet. */
  private boolean subscribingAll;
  private boolean commandEverConnected;
  private boolean pubSubEverConnected;
  /** Channels subscribed (sent) on the current pub/sub connection. */
  private final Set<String> told = new HashSet<>();
  private long probeSeq;
  private long probeSentAt;
  private boolean probeOutstanding;
  private CompletableFuture<Long> probePublish;
  private boolean connectFailureLogged;
  private ScheduledFuture<?> ticks;
  /** Highest probe sequence number that came back (Lettuce's thread writes, the link thread reads). */
  private final AtomicLong probeAnswered = new AtomicLong();
  /** Channels whose interest went from none to some or back, not yet looked at by the link thread (any thread adds). */
  private final Set<String> dirty = ConcurrentHashMap.newKeySet();
  private final java.util.concurrent.atomic.AtomicBoolean flushQueued = new java.util.concurrent.atomic.AtomicBoolean();
  /** Probes that came back, for tests. */
  private final LongAdder probesAnswered = new LongAdder();

  private final Object stateLock = new Object();
  private volatile State state = new State(Status.CONNECTING, Instant.now(), "not connected yet");
  // Guarded by stateLock.
  private boolean everUp;

  /**
   * Makes the link; nothing connects before {@link #start()}. Binds the link's gauges in
   * {@code stats} (so one link per store).
   *
   * @param config the {@code redis*} settings ({@link HubConfig#redis()} must be set) and the ticker
   * @param nodeId this hub's id among the hubs sharing the Redis
   * @param listener receives every message on the channels subscribed and on the node channel
   * @param scheduler runs the link's lifecycle and its probe: one thread, never blocked by the link
   */
  public RedisLink(HubConfig config, String nodeId, Listener listener, ScheduledExecutorService scheduler, StatStore stats) {
    checkArgument(config.redis() != null, "no Redis URI in the configuration");
    this.nodeId = checkNotNull(nodeId, "nodeId");
    checkArgument(nodeId.matches("[A-Za-z0-9_-]{1,64}"), "bad node id %s", nodeId);
    this.nodeChannel = CHANNEL_PREFIX + "node." + nodeId;
    this.listener = checkNotNull(listener, "listener");
    this.scheduler = checkNotNull(scheduler, "scheduler");
    this.ticker = config.ticker();
    this.stats = checkNotNull(stats, "stats");
    this.maxPendingBytes = config.redisMaxPendingBytes();
    this.maxMessageBytes = config.redisMaxMessageBytes();
    this.maxChannels = config.redisMaxChannels();
    this.maxPendingCommands = config.redisRequestQueue() - RESERVED_COMMANDS;
    this.probeIntervalNanos = config.redisProbeInterval().toNanos();
    this.probeTimeoutNanos = config.redisProbeTimeout().toNanos();
    this.commandTimeout = config.redisCommandTimeout();
    this.published = stats.adder(Stat.REDIS_PUBLISHED);
    this.received = stats.adder(Stat.REDIS_RECEIVED);

    this.uri = RedisURI.create(config.redis());
    uri.setTimeout(CONNECT_TIMEOUT); // the handshake's; commands have their own below
    uri.setClientName("loft-" + nodeId);
    this.resources = DefaultClientResources.builder()
        .ioThreadPoolSize(LETTUCE_THREADS)
        .computationThreadPoolSize(LETTUCE_THREADS)
        .threadFactoryProvider(RedisLink::threadFactory)
        .reconnectDelay(() -> Delay.equalJitter(Duration.ofMillis(50), RECONNECT_DELAY_MAX, 50, TimeUnit.MILLISECONDS))
        .commandLatencyRecorder(CommandLatencyRecorder.disabled())
        .build();
    this.client = RedisClient.create(resources);
    client.setOptions(ClientOptions.builder()
        .autoReconnect(true)
        .disconnectedBehavior(ClientOptions.DisconnectedBehavior.REJECT_COMMANDS)
        .requestQueueSize(config.redisRequestQueue())
        .timeoutOptions(TimeoutOptions.enabled(commandTimeout))
        .socketOptions(SocketOptions.builder().connectTimeout(CONNECT_TIMEOUT).keepAlive(true).build())
        .build());
    client.addListener(new ConnectionEvents());

    stats.bindFlag(Stat.REDIS_LINK_UP, () -> state.status() == Status.UP)
        .bind(Stat.REDIS_CHANNELS, channels::get)
        .bind(Stat.REDIS_PENDING_BYTES, pendingBytes::get);
  }

  /** Binds the link's gauges for a hub without Redis: down, no channels, nothing pending. */
  public static void bindStatisticsWithoutRedis(StatStore stats) {
    stats.bindFlag(Stat.REDIS_LINK_UP, () -> false)
        .bind(Stat.REDIS_CHANNELS, () -> 0)
        .bind(Stat.REDIS_PENDING_BYTES, () -> 0);
  }

  private static java.util.concurrent.ThreadFactory threadFactory(String lettucePool) {
    String role = switch (lettucePool) {
      case "lettuce-nioEventLoop", "lettuce-epollEventLoop", "lettuce-kqueueEventLoop", "lettuce-io_uringEventLoop" -> "io";
      case "lettuce-eventExecutorLoop" -> "computation";
      case "lettuce-timer" -> "timer";
      default -> lettucePool.replace("lettuce-", "");
    };
    return new DefaultThreadFactory("loft-redis-" + role, true);
  }

  /** Connects (in the background: the first connect may fail and is tried again) and starts the probe. */
  public RedisLink start() {
    synchronized (stateLock) {
      if (closed || ticks != null) {
        return this;
      }
      ticks = scheduler.scheduleWithFixedDelay(this::tick, probeIntervalNanos, probeIntervalNanos, TimeUnit.NANOSECONDS);
    }
    onLinkThread(this::connectCommand);
    return this;
  }

  // ------------------------------------------------------------------------------ publish

  /**
   * Publishes {@code payload} on {@code channel} without waiting for Redis. False, counted by
   * reason, when it was not sent: {@code too-large}, {@code down} (the command connection is not
   * open, or the server's pub/sub kind is not known yet), {@code queue-full} (pending bytes or
   * Lettuce's queue over their bound). A publish sent and then lost counts {@code timeout} or
   * {@code failed} later. Any thread.
   */
  public boolean publish(String channel, byte[] payload) {
    checkNotNull(channel, "channel");
    checkNotNull(payload, "payload");
    if (payload.length > maxMessageBytes) {
      return dropped(TOO_LARGE, "redisMaxMessageBytes");
    }
    StatefulRedisConnection<String, byte[]> c = command;
    Boolean shardedNow = sharded;
    if (closed || c == null || shardedNow == null || !c.isOpen()) {
      return dropped(DOWN, null);
    }
    long bytes = payload.length + channel.length();
    if (pendingBytes.addAndGet(bytes) > maxPendingBytes) {
      pendingBytes.addAndGet(-bytes);
      return dropped(QUEUE_FULL, "redisMaxPendingBytes");
    }
    if (pendingCommands.incrementAndGet() > maxPendingCommands) {
      pendingCommands.decrementAndGet();
      pendingBytes.addAndGet(-bytes);
      return dropped(QUEUE_FULL, "redisRequestQueue");
    }
    CompletableFuture<Long> f = send(c, shardedNow, channel, payload);
    if (f.isCompletedExceptionally()) { // refused by Lettuce itself: queue full, or disconnected just now
      pendingCommands.decrementAndGet();
      pendingBytes.addAndGet(-bytes);
      String reason = reasonOf(causeOf(f));
      return dropped(reason, QUEUE_FULL.equals(reason) ? "redisRequestQueue" : null);
    }
    f.whenComplete((receivers, error) -> {
      pendingCommands.decrementAndGet();
      pendingBytes.addAndGet(-bytes);
      if (error == null) {
        published.increment();
      } else {
        stats.increment(Stat.REDIS_PUBLISH_DROPPED, reasonOf(error));
      }
    });
    return true;
  }

  private static CompletableFuture<Long> send(StatefulRedisConnection<String, byte[]> c, boolean sharded, String channel, byte[] payload) {
    RedisFuture<Long> f = sharded ? c.async().spublish(channel, payload) : c.async().publish(channel, payload);
    return f.toCompletableFuture();
  }

  private boolean dropped(String reason, String limit) {
    stats.increment(Stat.REDIS_PUBLISH_DROPPED, reason);
    if (limit != null) {
      stats.increment(Stat.LIMIT_HITS, limit);
    }
    return false;
  }

  // ------------------------------------------------------------------------------ other commands

  /**
   * Runs one command on the command connection (presence keys and the like), with the same bounds
   * as a publish: refused at once, completed exceptionally with a {@link RefusedException}, when
   * the connection is down or the pending publishes or Lettuce's queue are over their bound; a
   * command Redis does not answer within {@code --redis-command-timeout} fails. Counted in
   * {@link Stat#REDIS_COMMANDS_REFUSED} by reason. Any thread; completes on Lettuce's thread.
   */
  public <T> CompletionStage<T> command(Function<RedisAsyncCommands<String, byte[]>, RedisFuture<T>> call) {
    checkNotNull(call, "call");
    StatefulRedisConnection<String, byte[]> c = command;
    if (closed || c == null || !c.isOpen()) {
      return refused(DOWN, "the Redis command connection is down");
    }
    if (pendingBytes.get() >= maxPendingBytes) {
      stats.increment(Stat.LIMIT_HITS, "redisMaxPendingBytes");
      return refused(QUEUE_FULL, "--redis-max-pending-bytes of publishes not yet answered");
    }
    if (pendingCommands.incrementAndGet() > maxPendingCommands) {
      pendingCommands.decrementAndGet();
      stats.increment(Stat.LIMIT_HITS, "redisRequestQueue");
      return refused(QUEUE_FULL, "--redis-request-queue commands not yet answered");
    }
    CompletableFuture<T> f;
    try {
      f = call.apply(c.async()).toCompletableFuture();
    } catch (RuntimeException e) {
      pendingCommands.decrementAndGet();
      stats.increment(Stat.REDIS_COMMANDS_REFUSED, FAILED);
      return CompletableFuture.failedFuture(e);
    }
    if (f.isCompletedExceptionally()) {
      pendingCommands.decrementAndGet();
      String reason = reasonOf(causeOf(f));
      if (QUEUE_FULL.equals(reason)) {
        stats.increment(Stat.LIMIT_HITS, "redisRequestQueue");
      }
      stats.increment(Stat.REDIS_COMMANDS_REFUSED, reason);
      return f;
    }
    f.whenComplete((value, error) -> {
      pendingCommands.decrementAndGet();
      if (error != null) {
        stats.increment(Stat.REDIS_COMMANDS_REFUSED, reasonOf(error));
      }
    });
    return f;
  }

  private <T> CompletionStage<T> refused(String reason, String message) {
    stats.increment(Stat.REDIS_COMMANDS_REFUSED, reason);
    return CompletableFuture.failedFuture(new RefusedException(reason, message));
  }

  private static Throwable causeOf(CompletableFuture<?> failed) {
    try {
      failed.getNow(null);
      return null;
    } catch (java.util.concurrent.CompletionException | java.util.concurrent.CancellationException e) {
      return e.getCause() == null ? e : e.getCause();
    }
  }

  /** Which counter key a Lettuce failure goes under. */
  static String reasonOf(Throwable error) {
    Throwable e = error instanceof java.util.concurrent.CompletionException && error.getCause() != null ? error.getCause() : error;
    if (e instanceof RedisCommandTimeoutException || e instanceof TimeoutException) {
      return TIMEOUT;
    }
    String m = e == null || e.getMessage() == null ? "" : e.getMessage();
    if (m.startsWith("Request queue size exceeded") || m.startsWith("Command buffer size exceeded")) {
      return QUEUE_FULL;
    }
    if (m.contains("not connected") || m.contains("Connection disconnected") || m.contains("Connection closed")
        || m.contains("Connection is closed")) {
      return DOWN;
    }
    return FAILED;
  }

  // ------------------------------------------------------------------------------ subscriptions

  /**
   * Counts one more interest in {@code channel}; the first subscribes it on Redis (soon, on the link
   * thread). False, counted, when it would be one channel more than {@code --redis-max-channels}.
   * Any thread.
   */
  public boolean subscribe(String channel) {
    checkNotNull(channel, "channel");
    checkArgument(!channel.equals(nodeChannel), "the node channel is the link's own");
    if (closed) {
      return false;
    }
    boolean[] first = {false};
    boolean[] refused = {false};
    interest.compute(channel, (k, n) -> {
      if (n != null) {
        return n + 1;
      }
      if (channels.get() >= maxChannels) {
        refused[0] = true;
        return null;
      }
      channels.incrementAndGet();
      first[0] = true;
      return 1;
    });
    if (refused[0]) {
      stats.increment(Stat.REDIS_CHANNEL_LIMIT_HITS);
      stats.increment(Stat.LIMIT_HITS, "redisMaxChannels");
      return false;
    }
    if (first[0]) {
      markDirty(channel);
    }
    return true;
  }

  /** Counts one interest less; the last unsubscribes {@code channel} on Redis. Unbalanced calls are ignored. Any thread. */
  public void unsubscribe(String channel) {
    checkNotNull(channel, "channel");
    boolean[] last = {false};
    interest.computeIfPresent(channel, (k, n) -> {
      if (n > 1) {
        return n - 1;
      }
      channels.decrementAndGet();
      last[0] = true;
      return null;
    });
    if (last[0] && !closed) {
      markDirty(channel);
    }
  }

  /**
   * Asks the link thread to look at {@code channel}: many changes at once (a burst of new topics)
   * become one task and a few commands of up to {@link #SUBSCRIBE_BATCH} channels each.
   */
  private void markDirty(String channel) {
    dirty.add(channel);
    if (flushQueued.compareAndSet(false, true)) {
      onLinkThread(this::flush);
    }
  }

  /** Makes the pub/sub connection agree with the interest in every dirty channel. Link thread. */
  private void flush() {
    flushQueued.set(false); // a change from now on queues another flush
    StatefulRedisPubSubConnection<String, byte[]> p = pubSub;
    if (closed || p == null || !pubSubReady) {
      dirty.clear(); // the whole set is subscribed once the connection is (back) up
      return;
    }
    List<String> subscribe = new ArrayList<>();
    List<String> unsubscribe = new ArrayList<>();
    for (java.util.Iterator<String> it = dirty.iterator(); it.hasNext(); ) {
      String channel = it.next();
      it.remove();
      boolean wanted = interest.containsKey(channel);
      if (wanted && told.add(channel)) {
        subscribe.add(channel);
      } else if (!wanted && told.remove(channel)) {
        unsubscribe.add(channel);
      }
    }
    inBatches(subscribe, batch -> sendSubscribe(p, batch));
    inBatches(unsubscribe, batch -> sendUnsubscribe(p, batch));
  }

  private static void inBatches(List<String> channels, java.util.function.Consumer<List<String>> send) {
    for (int from = 0; from < channels.size(); from += SUBSCRIBE_BATCH) {
      send.accept(List.copyOf(channels.subList(from, Math.min(channels.size(), from + SUBSCRIBE_BATCH))));
    }
  }

  private void sendSubscribe(StatefulRedisPubSubConnection<String, byte[]> p, List<String> batch) {
    String[] names = batch.toArray(String[]::new);
    RedisFuture<Void> f = pubSubSharded ? p.async().ssubscribe(names) : p.async().subscribe(names);
    f.whenComplete((ok, error) -> {
      if (error != null) {
        onLinkThread(() -> subscribeFailed(p, batch, error));
      }
    });
  }

  private void sendUnsubscribe(StatefulRedisPubSubConnection<String, byte[]> p, List<String> batch) {
    String[] names = batch.toArray(String[]::new);
    RedisFuture<Void> f = pubSubSharded ? p.async().sunsubscribe(names) : p.async().unsubscribe(names);
    f.exceptionally(error -> null); // a connection lost meanwhile drops its subscriptions anyway
  }

  /**
   * A subscribe not confirmed (timed out, refused by a full queue, lost with the connection):
   * forget it was sent and try again on the next tick; a reconnect subscribes the whole set anyway.
   * Link thread.
   */
  private void subscribeFailed(StatefulRedisPubSubConnection<String, byte[]> p, List<String> batch, Throwable error) {
    if (p != pubSub || closed) {
      return;
    }
    LOG.debug("Redis subscribe of {} channel(s) failed: {}", batch.size(), error.toString());
    batch.forEach(told::remove);
    retry.addAll(batch);
  }

  /**
   * Redis confirmed a subscription change on {@code p}: answer one nobody wants any more (Lettuce
   * re-subscribes what its endpoint had confirmed, including what was unsubscribed while
   * disconnected) with an unsubscribe, and one that went away while wanted with a subscribe.
   * Link thread.
   */
  private void confirmed(StatefulRedisPubSubConnection<String, byte[]> p, String channel, boolean subscribed) {
    if (closed || p != pubSub || channel.equals(nodeChannel)) {
      return;
    }
    boolean wanted = interest.containsKey(channel);
    if (subscribed && !wanted) {
      told.remove(channel);
      sendUnsubscribe(p, List.of(channel));
    } else if (!subscribed && wanted && pubSubReady) {
      told.add(channel);
      sendSubscribe(p, List.of(channel));
    }
  }

  /** Subscribes the node channel and every channel of interest on a new or reconnected pub/sub connection. Link thread. */
  private void subscribeAll(StatefulRedisPubSubConnection<String, byte[]> p) {
    told.clear();
    pubSubReady = false;
    probeOutstanding = false;
    subscribingAll = true;
    RedisFuture<Void> node = pubSubSharded ? p.async().ssubscribe(nodeChannel) : p.async().subscribe(nodeChannel);
    node.whenComplete((ok, error) -> onLinkThread(() -> {
      if (closed || p != pubSub) {
        return;
      }
      subscribingAll = false;
      if (error != null) {
        LOG.warn("Redis subscribe of the node channel failed ({}); trying again", error.toString());
        return; // the next tick restarts a connection that is open but not ready
      }
      pubSubReady = true;
      retry.clear();
      List<String> all = new ArrayList<>(interest.keySet());
      told.addAll(all);
      inBatches(all, batch -> sendSubscribe(p, batch));
      refreshState();
    }));
  }

  // ------------------------------------------------------------------------------ connecting (link thread)

  private void connectCommand() {
    if (closed || command != null || commandConnecting) {
      return;
    }
    commandConnecting = true;
    try {
      client.connectAsync(CODEC, uri).whenComplete((c, error) -> onLinkThread(() -> commandConnected(c, error), c));
    } catch (RuntimeException e) { // the client was shut down meanwhile (close), or cannot connect at all
      commandConnecting = false;
      if (!closed) {
        connectFailed("command", e);
      }
    }
  }

  private void commandConnected(StatefulRedisConnection<String, byte[]> c, Throwable error) {
    commandConnecting = false;
    if (closed) {
      if (c != null) {
        c.closeAsync();
      }
      return;
    }
    if (error != null) {
      connectFailed("command", error);
      return;
    }
    connectFailureLogged = false;
    command = c;
    commandUp = c.isOpen();
    if (commandEverConnected) {
      stats.increment(Stat.REDIS_RECONNECTS); // a restart after a failed probe
    }
    commandEverConnected = true;
    detectPubSubKind(c);
    refreshState();
  }

  /** {@code INFO server}: sharded pub/sub from Redis 7.0 on. Once per connect of the command connection. Link thread. */
  private void detectPubSubKind(StatefulRedisConnection<String, byte[]> c) {
    if (detectingOn == c) {
      return;
    }
    detectingOn = c;
    c.async().info("server").whenComplete((info, error) -> onLinkThread(() -> {
      if (detectingOn == c) {
        detectingOn = null;
      }
      if (closed || c != command) {
        return;
      }
      if (error != null) {
        LOG.warn("Redis INFO server failed ({}); asking again on the next tick", error.toString());
        return;
      }
      String version = versionOf(info);
      boolean shardedNow = !plainOnly && majorOf(version) >= 7;
      Boolean before = sharded;
      sharded = shardedNow;
      if (before == null || before != shardedNow) {
        LOG.info("Redis {} at {}: {} pub/sub; this hub is node {}", version, address(),
            shardedNow ? "sharded" : "plain", nodeId);
      }
      StatefulRedisPubSubConnection<String, byte[]> p = pubSub;
      if (p == null) {
        connectPubSub();
      } else if (pubSubSharded != shardedNow) {
        restartPubSub("the server's pub/sub kind changed");
      }
    }));
  }

  static String versionOf(String info) {
    for (String line : info.split("\r?\n")) {
      if (line.startsWith("redis_version:")) {
        return line.substring("redis_version:".length()).trim();
      }
    }
    return "0.0.0";
  }

  static int majorOf(String version) {
    try {
      return Integer.parseInt(version.split("\\.")[0]);
    } catch (NumberFormatException e) {
      return 0;
    }
  }

  private void connectPubSub() {
    if (closed || pubSub != null || pubSubConnecting || sharded == null) {
      return;
    }
    pubSubConnecting = true;
    boolean shardedNow = sharded;
    try {
      client.connectPubSubAsync(CODEC, uri).whenComplete((p, error) -> onLinkThread(() -> pubSubConnected(p, shardedNow, error), p));
    } catch (RuntimeException e) {
      pubSubConnecting = false;
      if (!closed) {
        connectFailed("pub/sub", e);
      }
    }
  }

  private void pubSubConnected(StatefulRedisPubSubConnection<String, byte[]> p, boolean shardedNow, Throwable error) {
    pubSubConnecting = false;
    if (closed) {
      if (p != null) {
        p.closeAsync();
      }
      return;
    }
    if (error != null) {
      connectFailed("pub/sub", error);
      return;
    }
    connectFailureLogged = false;
    p.addListener(new Messages(p));
    pubSub = p;
    pubSubSharded = shardedNow;
    probeOk = true;
    if (pubSubEverConnected) {
      stats.increment(Stat.REDIS_RECONNECTS);
    }
    pubSubEverConnected = true;
    subscribeAll(p);
  }

  private void connectFailed(String which, Throwable error) {
    if (!connectFailureLogged) {
      connectFailureLogged = true;
      LOG.warn("Redis {} connection to {} failed ({}); trying again every {} ms", which, address(),
          rootMessage(error), TimeUnit.NANOSECONDS.toMillis(probeIntervalNanos));
    }
    refreshState();
  }

  private static String rootMessage(Throwable error) {
    Throwable e = error;
    while (e.getCause() != null && e.getCause() != e) {
      e = e.getCause();
    }
    return e.toString();
  }

  /** Closes the pub/sub connection and makes a new one (which subscribes the current set). Link thread. */
  private void restartPubSub(String why) {
    StatefulRedisPubSubConnection<String, byte[]> old = pubSub;
    pubSub = null;
    pubSubReady = false;
    subscribingAll = false;
    told.clear();
    retry.clear();
    probeOutstanding = false;
    if (old != null) {
      LOG.warn("Redis pub/sub connection restarted: {}", why);
      old.closeAsync();
    }
    connectPubSub();
  }

  /** Closes the command connection and makes a new one. In-flight publishes fail (and are counted). Link thread. */
  private void restartCommand(String why) {
    StatefulRedisConnection<String, byte[]> old = command;
    command = null;
    commandUp = false;
    if (old != null) {
      LOG.warn("Redis command connection restarted: {}", why);
      old.closeAsync();
    }
    connectCommand();
  }

  // ------------------------------------------------------------------------------ the probe (link thread)

  /** Every probe interval: connects what is not connected, and probes the pub/sub connection. */
  private void tick() {
    try {
      if (closed) {
        return;
      }
      StatefulRedisConnection<String, byte[]> c = command;
      if (c == null) {
        connectCommand();
      } else if (sharded == null) {
        detectPubSubKind(c);
      } else if (pubSub == null) {
        connectPubSub();
      } else if (!pubSubReady && !subscribingAll && pubSub.isOpen()) {
        subscribeAll(pubSub); // the node channel's subscribe failed on an open connection: again
      } else if (!retry.isEmpty() && pubSubReady) {
        dirty.addAll(retry);
        retry.clear();
        flush();
      }
      probe();
      refreshState();
    } catch (RuntimeException e) {
      if (!closed) {
        LOG.error("Redis link tick failed; it runs again", e);
      }
    }
  }

  private void probe() {
    StatefulRedisConnection<String, byte[]> c = command;
    if (!pubSubReady || c == null || !c.isOpen()) {
      probeOutstanding = false; // nothing to learn about a connection known to be down
      return;
    }
    long now = ticker.getAsLong();
    if (probeOutstanding) {
      if (probeAnswered.get() >= probeSeq) {
        probeOutstanding = false;
      } else if (now - probeSentAt >= probeTimeoutNanos) {
        probeFailed();
        return;
      } else {
        return;
      }
    }
    probeSeq++;
    probeSentAt = now;
    probeOutstanding = true;
    byte[] payload = probePayload(probeSeq);
    probePublish = send(c, pubSubSharded, nodeChannel, payload);
    if (probePublish.isCompletedExceptionally()) {
      probeOutstanding = false; // refused locally: the connection is going down, its events will say so
    }
  }

  private void probeFailed() {
    stats.increment(Stat.REDIS_PROBE_FAILURES);
    probeOk = false;
    probeOutstanding = false;
    refreshState();
    String why = "probe " + probeSeq + " not back within " + TimeUnit.NANOSECONDS.toMillis(probeTimeoutNanos) + " ms";
    CompletableFuture<Long> sent = probePublish;
    if (sent != null && (!sent.isDone() || sent.isCompletedExceptionally())) {
      restartCommand(why + ", and its publish was not answered either");
    }
    restartPubSub(why);
  }

  private static byte[] probePayload(long seq) {
    byte[] digits = Long.toString(seq).getBytes(StandardCharsets.US_ASCII);
    byte[] out = new byte[PROBE_MARKER.length + digits.length];
    System.arraycopy(PROBE_MARKER, 0, out, 0, PROBE_MARKER.length);
    System.arraycopy(digits, 0, out, PROBE_MARKER.length, digits.length);
    return out;
  }

  private static boolean isProbe(byte[] payload) {
    return payload.length > 0 && payload[0] == 0;
  }

  private void probeCameBack(byte[] payload) {
    if (payload.length <= PROBE_MARKER.length) {
      return;
    }
    try {
      long seq = Long.parseLong(new String(payload, PROBE_MARKER.length, payload.length - PROBE_MARKER.length, StandardCharsets.US_ASCII));
      probeAnswered.accumulateAndGet(seq, Math::max);
      probesAnswered.increment();
    } catch (NumberFormatException e) {
      // not one of ours
    }
  }

  // ------------------------------------------------------------------------------ state

  /** Recomputes {@link #state()} from the connections' flags. Any thread. */
  private void refreshState() {
    boolean turnedUp = false;
    synchronized (stateLock) {
      String reason;
      if (closed) {
        reason = "closed";
      } else if (!probeOk) {
        reason = "pub/sub probe not back in time; restarting the connection";
      } else if (!commandUp) {
        reason = command == null ? "command connection not connected" : "command connection lost";
      } else if (!pubSubReady) {
        reason = "pub/sub connection not connected";
      } else {
        reason = null;
      }
      Status status = reason == null ? Status.UP : everUp || closed ? Status.DOWN : Status.CONNECTING;
      if (status == Status.UP) {
        everUp = true;
      }
      State before = state;
      if (before.status() != status) {
        state = new State(status, Instant.now(), reason);
        if (status == Status.UP) {
          LOG.info("Redis link up (node {})", nodeId);
          turnedUp = true;
        } else if (status == Status.DOWN && !closed) {
          LOG.warn("Redis link down: {}", reason);
        }
      } else if (!java.util.Objects.equals(before.reason(), reason)) {
        state = new State(status, before.since(), reason);
      }
    }
    if (turnedUp) {
      try {
        listener.onUp();
      } catch (RuntimeException e) {
        stats.increment(Stat.REDIS_LISTENER_ERRORS);
        LOG.error("the Redis link listener threw on onUp", e);
      }
    }
  }

  /** UP, DOWN or CONNECTING, since when, and why. For /health. */
  public State state() {
    return state;
  }

  /** True while {@link #state()} is UP. */
  public boolean isUp() {
    return state.status() == Status.UP;
  }

  public String nodeId() {
    return nodeId;
  }

  /** {@code host:port} of the Redis server (no credentials: fit for a log line). */
  public String address() {
    return uri.getHost() + ":" + uri.getPort();
  }

  /** {@code loft.node.<nodeId>}: this hub's own channel, always subscribed. */
  public String nodeChannel() {
    return nodeChannel;
  }

  /** A random node id for a hub not given one: 10 lower-case letters and digits. */
  public static String newNodeId() {
    java.security.SecureRandom random = new java.security.SecureRandom();
    StringBuilder b = new StringBuilder(10);
    for (int i = 0; i < 10; i++) {
      b.append(Character.forDigit(random.nextInt(36), 36));
    }
    return b.toString();
  }

  /** The channel another hub's node channel has. */
  public static String nodeChannelOf(String nodeId) {
    return CHANNEL_PREFIX + "node." + nodeId;
  }

  /** Whether the server has sharded pub/sub (as of the last connect), or null before the first connect. */
  public Boolean sharded() {
    return sharded;
  }

  /** Publishes and commands sent and not yet answered. */
  public int pendingCommands() {
    return pendingCommands.get();
  }

  /** Bytes of publishes sent and not yet answered. */
  public long pendingBytes() {
    return pendingBytes.get();
  }

  /** Channels subscribed for interest now (the node channel not counted). */
  public int channels() {
    return channels.get();
  }

  /** Interest counted in {@code channel} (0 when none). */
  public int interestIn(String channel) {
    return interest.getOrDefault(channel, 0);
  }

  /** Runs one tick on the link thread now (tests drive the probe with a manual ticker this way). */
  CompletableFuture<Void> tickNow() {
    return CompletableFuture.runAsync(this::tick, scheduler);
  }

  /** Uses plain pub/sub even where the server has sharded pub/sub; before {@link #start()}, for tests. */
  void forcePlainPubSub() {
    plainOnly = true;
  }

  /** Probes that came back since the link was made. */
  long probesAnswered() {
    return probesAnswered.sum();
  }

  // ------------------------------------------------------------------------------ Lettuce's callbacks

  private void onLinkThread(Runnable task) {
    onLinkThread(task, null);
  }

  /** Hands {@code task} to the link thread; when that has stopped, closes {@code orphan} (a connection just made). */
  private void onLinkThread(Runnable task, AutoCloseable orphan) {
    try {
      scheduler.execute(task);
    } catch (RejectedExecutionException e) {
      if (orphan != null) {
        try {
          orphan.close();
        } catch (Exception ignored) {
          // closing anyway
        }
      }
      if (!closed) {
        LOG.warn("Redis link: the scheduler refused a task (stopped?)");
      }
    }
  }

  /** Which of the link's connections went up or down (the client's connections are only these two). */
  private final class ConnectionEvents implements RedisConnectionStateListener {
    @Override
    public void onRedisConnected(RedisChannelHandler<?, ?> connection, SocketAddress address) {
      // Fired after Lettuce activated the connection (and re-sent its own subscriptions). The first
      // connect of each is handled where the connect completes, before the field is set.
      if (connection == command) {
        onLinkThread(() -> {
          if (connection != command || closed) {
            return;
          }
          commandUp = command.isOpen();
          stats.increment(Stat.REDIS_RECONNECTS);
          detectPubSubKind(command);
          refreshState();
        });
      } else if (connection == pubSub) {
        onLinkThread(() -> {
          StatefulRedisPubSubConnection<String, byte[]> p = pubSub;
          if (connection != p || closed) {
            return;
          }
          stats.increment(Stat.REDIS_RECONNECTS);
          subscribeAll(p);
        });
      }
    }

    @Override
    public void onRedisDisconnected(RedisChannelHandler<?, ?> connection) {
      if (connection == command) {
        commandUp = false;
        refreshState();
      } else if (connection == pubSub) {
        onLinkThread(() -> {
          if (connection != pubSub) {
            return;
          }
          pubSubReady = false;
          probeOutstanding = false;
          refreshState();
        });
      }
    }

    @Override
    public void onRedisExceptionCaught(RedisChannelHandler<?, ?> connection, Throwable cause) {
      LOG.debug("Redis connection error: {}", cause.toString());
    }
  }

  /** One pub/sub connection's messages and confirmations, on Lettuce's I/O thread. */
  private final class Messages implements RedisPubSubListener<String, byte[]> {
    private final StatefulRedisPubSubConnection<String, byte[]> connection;

    Messages(StatefulRedisPubSubConnection<String, byte[]> connection) {
      this.connection = connection;
    }

    private void deliver(String channel, byte[] payload) {
      if (channel.equals(nodeChannel) && isProbe(payload)) {
        probeCameBack(payload);
        return;
      }
      received.increment();
      try {
        listener.onMessage(channel, payload);
      } catch (RuntimeException e) {
        stats.increment(Stat.REDIS_LISTENER_ERRORS);
        long n = stats.sum(Stat.REDIS_LISTENER_ERRORS);
        if (Long.bitCount(n) == 1) { // the 1st, 2nd, 4th, 8th...: a broken listener cannot flood the log
          LOG.error("the Redis message listener threw (error {}); the message is dropped", n, e);
        }
      }
    }

    @Override
    public void message(String channel, byte[] message) {
      deliver(channel, message);
    }

    @Override
    public void message(String pattern, String channel, byte[] message) {
      deliver(channel, message);
    }

    @Override
    public void smessage(String shardChannel, byte[] message) {
      deliver(shardChannel, message);
    }

    @Override
    public void subscribed(String channel, long count) {
      onLinkThread(() -> confirmed(connection, channel, true));
    }

    @Override
    public void unsubscribed(String channel, long count) {
      onLinkThread(() -> confirmed(connection, channel, false));
    }

    @Override
    public void ssubscribed(String shardChannel, long count) {
      onLinkThread(() -> confirmed(connection, shardChannel, true));
    }

    @Override
    public void sunsubscribed(String shardChannel, long count) {
      onLinkThread(() -> confirmed(connection, shardChannel, false));
    }

    @Override
    public void psubscribed(String pattern, long count) {}

    @Override
    public void punsubscribed(String pattern, long count) {}
  }

  // ------------------------------------------------------------------------------ close

  /**
   * Unsubscribes everything (waiting at most the command timeout), closes both connections, shuts
   * down the client and its threads (no quiet period; waits at most {@link #SHUTDOWN_TIMEOUT}).
   * Publishes and commands after it are refused. Idempotent; any thread but Lettuce's own.
   */
  @Override
  public void close() {
    synchronized (stateLock) {
      if (closed) {
        return;
      }
      closed = true;
      if (ticks != null) {
        ticks.cancel(false);
      }
    }
    refreshState();
    StatefulRedisPubSubConnection<String, byte[]> p = pubSub;
    StatefulRedisConnection<String, byte[]> c = command;
    if (p != null && p.isOpen()) {
      List<String> all = new ArrayList<>(interest.keySet());
      all.add(nodeChannel);
      String[] names = all.toArray(String[]::new);
      RedisFuture<Void> f = pubSubSharded ? p.async().sunsubscribe(names) : p.async().unsubscribe(names);
      await(f.toCompletableFuture(), commandTimeout);
    }
    List<CompletableFuture<Void>> closing = new ArrayList<>();
    if (p != null) {
      closing.add(p.closeAsync());
    }
    if (c != null) {
      closing.add(c.closeAsync());
    }
    await(CompletableFuture.allOf(closing.toArray(CompletableFuture[]::new)), commandTimeout);
    long timeoutMillis = SHUTDOWN_TIMEOUT.toMillis();
    await(client.shutdownAsync(0, timeoutMillis, TimeUnit.MILLISECONDS), SHUTDOWN_TIMEOUT.plusSeconds(1));
    try {
      resources.shutdown(0, timeoutMillis, TimeUnit.MILLISECONDS).get(timeoutMillis + 1_000, TimeUnit.MILLISECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    } catch (ExecutionException | java.util.concurrent.TimeoutException e) {
      LOG.warn("Redis client resources did not shut down in time: {}", e.toString());
    }
    interest.clear();
    channels.set(0);
  }

  private static void await(CompletableFuture<?> f, Duration timeout) {
    try {
      f.get(timeout.toMillis(), TimeUnit.MILLISECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    } catch (ExecutionException | java.util.concurrent.TimeoutException e) {
      LOG.debug("Redis link close: {}", e.toString());
    }
  }
}
