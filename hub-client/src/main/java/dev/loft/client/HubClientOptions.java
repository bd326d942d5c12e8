package dev.loft.client;

import static com.google.common.base.Preconditions.checkArgument;
import static com.google.common.base.Preconditions.checkNotNull;
import static com.google.common.base.Preconditions.checkState;

import com.google.gson.JsonObject;
import dev.loft.bus.EventBus;
import dev.loft.protocol.PeerIds;
import dev.loft.protocol.ProtocolException;
import dev.loft.protocol.ProtocolLimits;
import dev.loft.protocol.Validation;
import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.ThreadLocalRandom;
import java.util.function.DoubleSupplier;
import java.util.function.LongSupplier;

/**
 * Everything a {@link HubClient} is told, immutable once built. Build with {@link #builder()}; a
 * builder is sealed by {@link Builder#build()} (HikariCP-style), so options cannot change under a
 * running client.
 *
 * <p>Every setter checks its value at once, so a bad one fails where it was set, not at connect
 * time: {@link NullPointerException} for null, {@link IllegalArgumentException} for a bad value,
 * each message naming the option and the value.
 */
public final class HubClientOptions {
  public static final Duration DEFAULT_CONNECT_TIMEOUT = Duration.ofSeconds(10);
  public static final Duration DEFAULT_REQUEST_TIMEOUT = Duration.ofSeconds(10);
  public static final Duration DEFAULT_PING_INTERVAL = Duration.ofSeconds(15);
  public static final Duration DEFAULT_CLOSE_TIMEOUT = Duration.ofSeconds(2);
  public static final ReconnectPolicy DEFAULT_RECONNECT =
      ReconnectPolicy.exponential(Duration.ofMillis(250), Duration.ofSeconds(30));
  public static final int DEFAULT_MAX_PENDING_REQUESTS = 1_000;
  public static final int DEFAULT_MAX_BUFFERED_FRAMES = 1_000;
  public static final long DEFAULT_MAX_BUFFERED_BYTES = 1024 * 1024;
  /**
   * Events waiting for slow listeners, at most. Seconds of traffic for a listener that merely
   * lags (the hub lets a peer send 200 frames a second), yet a fixed ceiling for one that is stuck.
   */
  public static final int DEFAULT_MAX_QUEUED_EVENTS = 10_000;

  private final List<URI> uris;
  private final String peerId;
  private final String networkName;
  private final JsonObject announceData;
  private final Duration connectTimeout;
  private final Duration requestTimeout;
  private final Duration pingInterval;
  private final Duration closeTimeout;
  private final ReconnectPolicy reconnectPolicy;
  private final int maxPendingRequests;
  private final int maxBufferedFrames;
  private final long maxBufferedBytes;
  private final int maxQueuedEvents;
  private final int maxListenersPerType;
  private final ErrorListener errorListener;
  private final DoubleSupplier random;
  private final LongSupplier ticker;

  private HubClientOptions(Builder b) {
    uris = List.copyOf(b.uris);
    peerId = b.peerId == null ? PeerIds.random() : b.peerId;
    networkName = b.networkName;
    announceData = b.announceData.deepCopy();
    connectTimeout = b.connectTimeout;
    requestTimeout = b.requestTimeout;
    pingInterval = b.pingInterval;
    closeTimeout = b.closeTimeout;
    reconnectPolicy = b.reconnectPolicy;
    maxPendingRequests = b.maxPendingRequests;
    maxBufferedFrames = b.maxBufferedFrames;
    maxBufferedBytes = b.maxBufferedBytes;
    maxQueuedEvents = b.maxQueuedEvents;
    maxListenersPerType = b.maxListenersPerType;
    errorListener = b.errorListener;
    random = b.random;
    ticker = b.ticker;
  }

  public static Builder builder() {
    return new Builder();
  }

  /** Hubs to connect to, in order of preference; a failed attempt moves on to the next. */
  public List<URI> uris() {
    return uris;
  }

  /** This peer's id: 40 hex characters, generated when the builder was given none. */
  public String peerId() {
    return peerId;
  }

  public String networkName() {
    return networkName;
  }

  /** The announce data sent on every (re)connect; a copy, so callers cannot change it. */
  public JsonObject announceData() {
    return announceData.deepCopy();
  }

  /** How long one attempt may take from opening the socket to announced and re-subscribed. */
  public Duration connectTimeout() {
    return connectTimeout;
  }

  /** How long a request waits for {@code ack} or {@code error}, counted from the call. */
  public Duration requestTimeout() {
    return requestTimeout;
  }

  /** Interval of WebSocket pings; a connection silent for two intervals is dropped. Zero: off. */
  public Duration pingInterval() {
    return pingInterval;
  }

  /** How long {@link HubClient#close()} waits for the close handshake before cutting the socket. */
  public Duration closeTimeout() {
    return closeTimeout;
  }

  public ReconnectPolicy reconnectPolicy() {
    return reconnectPolicy;
  }

  /** Requests sent and not yet answered, at most; past it requests fail fast. */
  public int maxPendingRequests() {
    return maxPendingRequests;
  }

  /** Frames held while disconnected, at most; past it sends fail fast. */
  public int maxBufferedFrames() {
    return maxBufferedFrames;
  }

  /** UTF-8 bytes held while disconnected, at most; past it sends fail fast. */
  public long maxBufferedBytes() {
    return maxBufferedBytes;
  }

  /**
   * Listener deliveries waiting for the event thread, at most; past it events are dropped,
   * counted and reported (connection state changes have a small reserve beyond it).
   */
  public int maxQueuedEvents() {
    return maxQueuedEvents;
  }

  /** Listener cap per event type on the client's bus (and per topic). */
  public int maxListenersPerType() {
    return maxListenersPerType;
  }

  public ErrorListener errorListener() {
    return errorListener;
  }

  /** Source of jitter for reconnect delays: values in [0, 1). Injected by tests. */
  public DoubleSupplier random() {
    return random;
  }

  /** Monotonic nanoseconds, for liveness checks. Injected by tests (Caffeine's Ticker idea). */
  public LongSupplier ticker() {
    return ticker;
  }

  @Override
  public String toString() {
    return "HubClientOptions[uris=" + uris + ", peerId=" + peerId + ", network=" + networkName
        + ", reconnect=" + reconnectPolicy + "]";
  }

  /** Mutable until {@link #build()}, then sealed: every setter throws after it. */
  public static final class Builder {
    private final List<URI> uris = new ArrayList<>();
    private String peerId;
    private String networkName = ProtocolLimits.DEFAULT_NETWORK;
    private JsonObject announceData = new JsonObject();
    private Duration connectTimeout = DEFAULT_CONNECT_TIMEOUT;
    private Duration requestTimeout = DEFAULT_REQUEST_TIMEOUT;
    private Duration pingInterval = DEFAULT_PING_INTERVAL;
    private Duration closeTimeout = DEFAULT_CLOSE_TIMEOUT;
    private ReconnectPolicy reconnectPolicy = DEFAULT_RECONNECT;
    private int maxPendingRequests = DEFAULT_MAX_PENDING_REQUESTS;
    private int maxBufferedFrames = DEFAULT_MAX_BUFFERED_FRAMES;
    private long maxBufferedBytes = DEFAULT_MAX_BUFFERED_BYTES;
    private int maxQueuedEvents = DEFAULT_MAX_QUEUED_EVENTS;
    private int maxListenersPerType = EventBus.DEFAULT_MAX_LISTENERS_PER_TYPE;
    private ErrorListener errorListener = new ErrorListener() {};
    private DoubleSupplier random = () -> ThreadLocalRandom.current().nextDouble();
    private LongSupplier ticker = System::nanoTime;
    private boolean sealed;

    private Builder() {}

    /** Adds a hub ({@code ws://} or {@code wss://}); the client adds the {@code peerId} query. */
    public Builder uri(URI uri) {
      check();
      checkNotNull(uri, "uri");
      String scheme = uri.getScheme() == null ? "" : uri.getScheme().toLowerCase(Locale.ROOT);
      checkArgument(scheme.equals("ws") || scheme.equals("wss"), "uri must be ws:// or wss://, got %s", uri);
      checkArgument(uri.getHost() != null, "uri must name a host, got %s", uri);
      checkArgument(
          uri.getRawQuery() == null || !uri.getRawQuery().contains("peerId="),
          "uri must not carry the peer id (set it with peerId()), got %s",
          uri);
      uris.add(uri);
      return this;
    }

    public Builder uri(String uri) {
      return uri(URI.create(uri));
    }

    /** Hubs in order of preference. */
    public Builder uris(List<URI> list) {
      checkNotNull(list, "uris").forEach(this::uri);
      return this;
    }

    public Builder peerId(String id) {
      check();
      checkArgument(PeerIds.isValid(id), "peerId must be 40 hexadecimal characters, got %s", id);
      peerId = id;
      return this;
    }

    public Builder networkName(String name) {
      check();
      try {
        networkName = Validation.networkName(checkNotNull(name, "networkName"));
      } catch (ProtocolException e) {
        // The protocol's own rule, so the hub never refuses what was accepted here.
        throw new IllegalArgumentException(e.getMessage() + ", got " + name, e);
      }
      return this;
    }

    /** Data other peers see in {@code peer-discovered}; copied, later changes are not seen. */
    public Builder announceData(JsonObject data) {
      check();
      announceData = checkNotNull(data, "announceData").deepCopy();
      return this;
    }

    public Builder connectTimeout(Duration d) {
      check();
      connectTimeout = positive("connectTimeout", d);
      return this;
    }

    public Builder requestTimeout(Duration d) {
      check();
      requestTimeout = positive("requestTimeout", d);
      return this;
    }

    /** Zero disables pings (and with them the detection of half-open connections). */
    public Builder pingInterval(Duration d) {
      check();
      checkNotNull(d, "pingInterval");
      checkArgument(!d.isNegative(), "pingInterval must not be negative, got %s", d);
      pingInterval = d;
      return this;
    }

    public Builder closeTimeout(Duration d) {
      check();
      closeTimeout = positive("closeTimeout", d);
      return this;
    }

    public Builder reconnectPolicy(ReconnectPolicy policy) {
      check();
      reconnectPolicy = checkNotNull(policy, "reconnectPolicy");
      return this;
    }

    public Builder maxPendingRequests(int n) {
      check();
      maxPendingRequests = atLeastOne("maxPendingRequests", n);
      return this;
    }

    /** Bound on frames held while disconnected; 0 refuses every send while disconnected. */
    public Builder maxBufferedFrames(int n) {
      check();
      checkArgument(n >= 0, "maxBufferedFrames must not be negative, got %s", n);
      maxBufferedFrames = n;
      return this;
    }

    public Builder maxBufferedBytes(long n) {
      check();
      checkArgument(n >= 0, "maxBufferedBytes must not be negative, got %s", n);
      maxBufferedBytes = n;
      return this;
    }

    /** Bound on events waiting for slow listeners; see {@link HubClientOptions#maxQueuedEvents()}. */
    public Builder maxQueuedEvents(int n) {
      check();
      maxQueuedEvents = atLeastOne("maxQueuedEvents", n);
      return this;
    }

    public Builder maxListenersPerType(int n) {
      check();
      maxListenersPerType = atLeastOne("maxListenersPerType", n);
      return this;
    }

    public Builder errorListener(ErrorListener listener) {
      check();
      errorListener = checkNotNull(listener, "errorListener");
      return this;
    }

    /** Jitter source returning values in [0, 1); for tests. */
    public Builder random(DoubleSupplier source) {
      check();
      random = checkNotNull(source, "random");
      return this;
    }

    /** Monotonic nanosecond clock; for tests. */
    public Builder ticker(LongSupplier nanoTime) {
      check();
      ticker = checkNotNull(nanoTime, "ticker");
      return this;
    }

    public HubClientOptions build() {
      check();
      checkState(!uris.isEmpty(), "at least one hub uri is required");
      sealed = true;
      return new HubClientOptions(this);
    }

    private void check() {
      checkState(!sealed, "this builder was built; start a new one with HubClientOptions.builder()");
    }

    private static Duration positive(String name, Duration d) {
      checkNotNull(d, name);
      checkArgument(!d.isNegative() && !d.isZero(), "%s must be positive, got %s", name, d);
      return d;
    }

    private static int atLeastOne(String name, int n) {
      checkArgument(n >= 1, "%s must be at least 1, got %s", name, n);
      return n;
    }
  }
}
