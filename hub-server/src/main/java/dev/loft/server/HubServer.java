package dev.loft.server;

import dev.loft.bus.EventBus;
import dev.loft.server.admin.AdminHub;
import dev.loft.server.admin.AdminServer;
import dev.loft.server.admin.HubMetrics;
import dev.loft.server.budget.MemoryBudget;
import dev.loft.server.cluster.RedisLink;
import dev.loft.server.config.HubConfig;
import dev.loft.server.core.BudgetSweeper;
import dev.loft.server.core.HubCore;
import dev.loft.server.events.HubEvents;
import dev.loft.server.monitor.FileDescriptors;
import dev.loft.server.monitor.MemoryMonitor;
import dev.loft.server.stats.HubStats;
import dev.loft.server.stats.Stat;
import dev.loft.server.stats.StatStore;
import dev.loft.server.transport.HandshakeGuard;
import dev.loft.server.monitor.ProcessMemory;
import dev.loft.server.transport.WebSocketTransport;
import java.net.InetSocketAddress;
import java.net.URI;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import java.util.LinkedHashMap;
import java.util.Locale;

/**
 * A Loft hub: owns the transport, the core, the bus, the housekeeper thread, the memory monitor,
 * the admin server and, with {@code --redis}, the Redis link, and stops all of them in {@link #close()}.
 *
 * <p>{@link #start()} and {@link #close()} are idempotent; a closed hub cannot be restarted (build
 * a new one). After close, every thread the hub started has ended or is ending.
 */
public final class HubServer implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(HubServer.class);
  private static final long START_TIMEOUT_MILLIS = 10_000;

  private enum State {
    NEW,
    RUNNING,
    CLOSED
  }

  private final HubConfig config;
  private final Consumer<Throwable> fatalHandler;
  private final EventBus bus;
  private final Housekeeper housekeeper;
  private final HubCore core;
  private final WebSocketTransport transport;
  private final MemoryMonitor memoryMonitor;
  private final HandshakeGuard handshakes;
  private final MemoryBudget budget;
  /** The link to the Redis the hubs of a cluster share; null without {@code --redis} (a single hub). */
  private final RedisLink redis;
  private final StatStore stats = new StatStore();
  /** Set once, by the first fatal error: /health answers 503 from then on. */
  private volatile Throwable fatal;
  private final long createdAtNanos = System.nanoTime();
  private volatile boolean listening = true;

  /** How often the listener is probed (a plain TCP connect to it). */
  public static final long LISTENER_PROBE_MILLIS = 5_000;

  // Guarded by this.
  private State state = State.NEW;
  private AdminServer admin;
  private HubMetrics metrics;

  public HubServer(HubConfig config) {
    this(config, null);
  }

  /**
   * @param fatalHandler called after the hub has cleaned up following an uncaught error on one of
   *     its threads; the command line uses it to exit non-zero. Null just logs.
   */
  public HubServer(HubConfig requested, Consumer<Throwable> fatalHandler) {
    this.config = withinFileDescriptorLimit(requested);
    this.fatalHandler = fatalHandler;
    this.housekeeper = new Housekeeper(NamedThreads.of("housekeeper", this::onUncaught), this::fail);
    HubCore[] coreRef = new HubCore[1];
    this.bus =
        EventBus.builder()
            .name("hub")
            .maxListenersPerType(config.maxListenersPerType())
            // The hub's own listener of these types (router, load shedder) takes no observer's slot.
            .maxListeners(HubEvents.FrameReceived.class, config.maxListenersPerType() + 1)
            .maxListeners(HubEvents.MemoryPressure.class, config.maxListenersPerType() + 1)
            .maxListeners(HubEvents.LimitHit.class, config.maxListenersPerType() + 1)
            .errorHandler((name, event, error) -> coreRef[0].onListenerError(name, event, error))
            .build();
    this.budget = budgetFor(config);
    RedisBroker broker = null;
    if (config.redis() != null) {
      String nodeId = config.nodeId() != null ? config.nodeId() : RedisLink.newNodeId();
      broker = new RedisBroker();
      this.redis = new RedisLink(config, nodeId, broker, housekeeper, stats);
      broker.link(redis);
    } else {
      this.redis = null;
      RedisLink.bindStatisticsWithoutRedis(stats);
    }
    this.core = new HubCore(config, bus, housekeeper, budget, stats, broker);
    coreRef[0] = core;
    this.handshakes = new HandshakeGuard(
        config.maxPendingHandshakes(),
        config.maxPendingHandshakesPerAddress(),
        config.handshakeTimeout().toNanos(),
        config.ticker(),
        new HandshakeGuard.Listener() {
          @Override
          public void handshakeTimedOut() {
            stats.increment(Stat.HANDSHAKE_TIMEOUTS);
          }

          @Override
          public void rejectedTooManyPending() {
            stats.increment(Stat.REJECTED_PENDING_HANDSHAKES);
          }

          @Override
          public void rejectedPendingPerAddress() {
            stats.increment(Stat.REJECTED_PENDING_PER_ADDRESS);
          }
        });
    this.transport =
        new WebSocketTransport(
            new InetSocketAddress(config.host(), config.port()),
            config.decoderThreads(),
            config.maxFrameBytes(),
            config.maxHandshakeBytes(),
            config.maxFragmentsPerMessage(),
            config.inboundParser(),
            (int) Math.max(1, config.connectionLostTimeout().toSeconds()),
            handshakes,
            budget,
            stats,
            core,
            error -> fail(Thread.currentThread(), error));
    core.batchSendsFromOtherHubs(WebSocketTransport::inOneBatch);
    this.memoryMonitor =
        new MemoryMonitor(
            bus,
            config.memoryPressureRatio(),
            config.memoryRecoveryRatio(),
            ProcessMemory::heapLiveAfterLastGc,
            this::loadSummary);
    bindStatistics();
  }

  /** Creates and starts a hub. */
  public static HubServer start(HubConfig config) {
    return new HubServer(config).start();
  }

  /** Binds the WebSocket port (and the admin port), starts timers. Returns once listening. */
  public synchronized HubServer start() {
    if (state == State.RUNNING) {
      return this;
    }
    if (state == State.CLOSED) {
      throw new IllegalStateException("a closed hub cannot be restarted; create a new HubServer");
    }
    core.wire();
    try {
      transport.start(START_TIMEOUT_MILLIS);
      schedulePeriodic(memoryMonitor, config.monitorInterval().toMillis());
      schedulePeriodic(transport::recoverStalledWrites, config.writeStallCheck().toMillis());
      schedulePeriodic(handshakes::sweep, Math.max(50, Math.min(1_000, config.handshakeTimeout().toMillis() / 2)));
      schedulePeriodic(this::probeListener, LISTENER_PROBE_MILLIS);
      schedulePeriodic(core::sweepBudget, BudgetSweeper.INTERVAL.toMillis());
      if (redis != null) {
        LOG.info("node id {}; linking to Redis at {}", redis.nodeId(), redis.address()); // no password in the log
        redis.start();
      }
      metrics = new HubMetrics(this::stats);
      if (config.adminPort() >= 0) {
        admin = new AdminServer(adminView(), core, stats, config, metrics, NamedThreads.of("admin", this::onUncaught));
        admin.start();
      }
    } catch (RuntimeException e) {
      state = State.RUNNING; // so that close() releases whatever did start
      close();
      throw e;
    }
    state = State.RUNNING;
    LOG.info("Loft hub listening on ws://{}:{}/ (admin {})", config.host(), port(),
        admin == null ? "disabled" : "http://" + config.adminHost() + ":" + admin.port() + "/");
    return this;
  }

  private void schedulePeriodic(Runnable task, long periodMillis) {
    housekeeper.scheduleWithFixedDelay(
        () -> {
          try {
            task.run();
          } catch (RuntimeException e) {
            LOG.error("periodic task failed; it will run again", e);
          } catch (Error e) {
            // The executor would keep this in a Future nobody reads: treat it as uncaught.
            onUncaught(Thread.currentThread(), e);
            throw e;
          }
        },
        periodMillis,
        periodMillis,
        TimeUnit.MILLISECONDS);
  }

  /**
   * The heap the hub may spend on peers: a share of the max heap, logged with its arithmetic so an
   * operator can see what {@code -Xmx} buys.
   */
  private static MemoryBudget budgetFor(HubConfig config) {
    long heapMax = ProcessMemory.heapMax();
    long limit = (long) (heapMax * config.memoryBudgetRatio());
    MemoryBudget budget = new MemoryBudget(limit, config.memoryBudgetHighMark());
    LOG.info("memory budget for peers: {} MiB max heap x {} = {} MiB; past {} MiB (x {}) the largest accounts are evicted; "
            + "an idle peer is charged {} KiB, so the budget alone admits about {} of them",
        heapMax >> 20, config.memoryBudgetRatio(), limit >> 20, budget.highMarkBytes() >> 20,
        config.memoryBudgetHighMark(), HubCore.RETAINED_PER_PEER >> 10, limit / HubCore.RETAINED_PER_PEER);
    return budget;
  }

  /** Max peers as requested, or lowered to what the transport can carry with this process's file limit. */
  private static HubConfig withinFileDescriptorLimit(HubConfig requested) {
    int capacity = WebSocketTransport.peerCapacity(requested.maxPendingHandshakes());
    if (requested.maxPeers() <= capacity) {
      return requested;
    }
    LOG.warn("max peers lowered from {} to {}: the process may open {} files "
        + "(raise `ulimit -n` for more peers)", requested.maxPeers(), capacity, FileDescriptors.max());
    return requested.toBuilder().maxPeers(capacity).build();
  }

  /** The listener died (the transport's probe says so): unhealthy, and fatal for the process. */
  private void probeListener() {
    if (!transport.probeListener() && listening) {
      listening = false;
      onUncaught(Thread.currentThread(), new IllegalStateException(
          "the WebSocket listener on port " + port() + " refuses connections (out of file descriptors?)"));
    }
  }

  /** The first fatal error, or null: while set, /health answers 503. */
  public Throwable fatalError() {
    return fatal;
  }

  /** False once the WebSocket listener was found dead. */
  public boolean isListening() {
    return listening;
  }

  /**
   * Stops the hub: refuses new peers, tells every peer {@code 1001} (spread over half the shutdown
   * grace so that they do not all reconnect elsewhere at once), force-closes whoever has not gone
   * when the grace ends, then stops the transport, timers, admin server and bus. Idempotent.
   */
  @Override
  public void close() {
    synchronized (this) {
      if (state == State.CLOSED) {
        return;
      }
      boolean wasRunning = state == State.RUNNING;
      state = State.CLOSED;
      if (!wasRunning) {
        if (redis != null) {
          redis.close();
        }
        housekeeper.shutdownNow();
        bus.close();
        return;
      }
    }
    long graceNanos = config.shutdownGrace().toNanos();
    long deadline = System.nanoTime() + graceNanos;
    core.stopAccepting();
    bus.publish(new HubEvents.HubStopping("close"));
    if (admin != null) {
      admin.markStopping();
    }
    core.closeEveryPeer(graceNanos);
    core.leaveCluster();
    transport.stop((int) Math.max(100, TimeUnit.NANOSECONDS.toMillis(deadline - System.nanoTime())));
    if (admin != null) {
      admin.stop();
    }
    if (redis != null) {
      redis.close();
    }
    housekeeper.shutdownNow();
    try {
      housekeeper.awaitTermination(2, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    bus.close();
    if (metrics != null) {
      metrics.close();
    }
    LOG.info("Loft hub on port {} stopped", config.port() == 0 ? "(ephemeral)" : config.port());
  }

  /** An error nothing caught on one of the hub's own threads: clean up, then tell the owner. */
  private void onUncaught(Thread thread, Throwable error) {
    fail(thread, error);
  }

  /**
   * A fatal error on any thread (the hub's, the library's, or the process's default handler):
   * from now on {@code /health} answers 503. A {@link VirtualMachineError} (out of memory) is not
   * cleaned up after: a heap that failed once may fail the cleanup too, and a process whose
   * listener the library already stopped must not look alive; the owner is told at once (the
   * command line exits within the second). Anything else: graceful close first, then the owner.
   */
  public void fail(Thread thread, Throwable error) {
    boolean first = fatal == null;
    if (first) {
      fatal = error;
    }
    if (error instanceof VirtualMachineError) {
      if (fatalHandler != null) {
        fatalHandler.accept(error);
      }
      if (!first) {
        return;
      }
    } else if (!first) {
      return;
    }
    LOG.error("uncaught error on {}; stopping the hub", thread.getName(), error);
    Thread closer = new Thread(() -> {
      try {
        close();
      } finally {
        if (fatalHandler != null && !(error instanceof VirtualMachineError)) { // that one was told at once
          fatalHandler.accept(error);
        }
      }
    }, "loft-fatal-close");
    closer.setDaemon(true);
    closer.start();
  }

  // ------------------------------------------------------------------------------ accessors

  /** The configuration in force: as given, except max peers capped by the open-file limit. */
  public HubConfig config() {
    return config;
  }

  /** The WebSocket port actually bound (useful with port 0). */
  public int port() {
    return transport.port();
  }

  /** The admin HTTP port actually bound, or -1 when disabled. */
  public synchronized int adminPort() {
    return admin == null ? -1 : admin.port();
  }

  public URI uri() {
    return URI.create("ws://" + config.host() + ":" + port() + "/");
  }

  public EventBus bus() {
    return bus;
  }

  public synchronized boolean isRunning() {
    return state == State.RUNNING;
  }

  /** Runs the memory check now (normally periodic); for operators' tools and tests. */
  public void checkMemoryNow() {
    memoryMonitor.run();
  }

  /** The Redis link, or null without {@code --redis}; for tests in this package only. */
  RedisLink redisLink() {
    return redis;
  }

  /** The core, for tests in this package only: nothing outside the hub reaches its internals. */
  HubCore core() {
    return core;
  }

  private AdminHub adminView() {
    return new AdminHub() {
      @Override
      public boolean failed() {
        return fatal != null;
      }

      @Override
      public String[] redis() {
        if (redis == null) {
          return null;
        }
        RedisLink.State s = redis.state();
        return new String[] {s.status().name().toLowerCase(Locale.ROOT), s.reason()};
      }

      @Override
      public boolean running() {
        return isRunning();
      }

      @Override
      public boolean listening() {
        return listening;
      }

      @Override
      public HubStats stats() {
        return HubServer.this.stats();
      }
    };
  }

  /** Every statistic, read now (see {@link Stat} for what each one means). */
  public HubStats stats() {
    return stats.snapshot();
  }

  /** Where the admin API listens (null when disabled). */
  public synchronized InetSocketAddress adminAddress() {
    return admin == null ? null : admin.address();
  }

  /**
   * Binds the gauges (and the counters another component keeps) that the hub itself holds; the
   * core binds those of what it holds.
   */
  private void bindStatistics() {
    stats.bind(Stat.UPTIME_MILLIS, () -> TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - createdAtNanos))
        .bind(Stat.BUS_LISTENERS, bus::listenerCount)
        .bindKeyed(Stat.BUS_LISTENERS_BY_TYPE, this::busListenersByType)
        .bind(Stat.LISTENER_ERRORS, bus::listenerErrors)
        .bindFlag(Stat.LISTENING, () -> listening)
        .bind(Stat.MAX_PEERS_EFFECTIVE, config::maxPeers)
        .bind(Stat.HEAP_USED_BYTES, ProcessMemory::heapUsed)
        .bind(Stat.HEAP_MAX_BYTES, ProcessMemory::heapMax)
        .bind(Stat.RSS_BYTES, ProcessMemory::rss)
        .bind(Stat.DIRECT_BUFFER_BYTES, ProcessMemory::directBuffers)
        .bind(Stat.THREADS, ProcessMemory::threads)
        .bind(Stat.PROCESS_CPU_NANOS, ProcessMemory::processCpuNanos)
        .bind(Stat.GC_COUNT, ProcessMemory::gcCount)
        .bind(Stat.BUDGET_LIMIT_BYTES, budget::limitBytes)
        .bind(Stat.BUDGET_HIGH_MARK_BYTES, budget::highMarkBytes)
        .bind(Stat.BUDGET_CHARGED_BYTES, budget::charged)
        .bindKeyed(Stat.BUDGET_CHARGED_BY_KIND, this::chargedByKind)
        .bind(Stat.PENDING_HANDSHAKES, handshakes::pending)
        .bind(Stat.HOUSEKEEPER_TASK_FAILURES, housekeeper::failures)
        .checkComplete();
  }

  private Map<String, Long> busListenersByType() {
    Map<String, Long> byType = new TreeMap<>();
    bus.snapshot().listenersByType().forEach((type, names) -> byType.put(type, (long) names.size()));
    return byType;
  }

  private Map<String, Long> chargedByKind() {
    Map<String, Long> byKind = new LinkedHashMap<>();
    for (MemoryBudget.Kind k : MemoryBudget.Kind.values()) {
      byKind.put(k.name().toLowerCase(Locale.ROOT), budget.charged(k));
    }
    return byKind;
  }

  private String loadSummary() {
    return core.loadSummary() + " busListeners=" + bus.listenerCount();
  }
}
