package dev.loft.server.admin;

import com.google.gson.Gson;
import com.google.gson.GsonBuilder;
import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParseException;
import com.google.gson.JsonParser;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import dev.loft.protocol.ProtocolException;
import dev.loft.protocol.Validation;
import dev.loft.server.config.HubConfig;
import dev.loft.server.core.HubCore;
import dev.loft.server.stats.Stat;
import dev.loft.server.stats.StatStore;
import dev.loft.server.core.Peer;
import dev.loft.server.limits.TokenBucket;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import dev.loft.server.core.LogText;

/**
 * The operators' HTTP surface, on its own port (the JDK's HttpServer, {@link #THREADS} threads):
 * {@code GET /health}, {@code GET /stats}, {@code GET /metrics} open; {@code GET /peers},
 * {@code DELETE /peers/{id}}, {@code POST /publish} with {@code Authorization: Bearer <token>}.
 */
public final class AdminServer {
  private static final Logger LOG = LoggerFactory.getLogger(AdminServer.class);
  private static final Gson GSON = new GsonBuilder().disableHtmlEscaping().create();
  /** Handler threads: one slow or stalled client must not hold up /health for everyone. */
  public static final int THREADS = 4;
  /** Seconds a request may take to arrive before the JDK's HttpServer drops it. */
  public static final int MAX_REQUEST_SECONDS = 10;

  static {
    // The JDK's HttpServer reads this JVM-wide setting once; without it a client that sends half
    // a request holds a handler thread forever. An operator's own -D value wins.
    if (System.getProperty("sun.net.httpserver.maxReqTime") == null) {
      System.setProperty("sun.net.httpserver.maxReqTime", Integer.toString(MAX_REQUEST_SECONDS));
    }
  }
  private static final int MAX_PEERS_LISTED = 10_000;
  /** The JDK HttpServer's cap on open connections (JDK 17.0.x: refused past it). */
  static final String MAX_CONNECTIONS_PROPERTY = "jdk.httpserver.maxConnections";
  private static final long GC_MIN_INTERVAL_NANOS = TimeUnit.SECONDS.toNanos(1);

  private final AdminHub hub;
  private final HubCore core;
  private final StatStore counters;
  private final HubConfig config;
  private final HubMetrics metrics;
  private final HttpServer http;
  private final ExecutorService executor;
  private final TokenBucket publishLimit;
  private final byte[] token;
  private volatile boolean stopping;
  private long lastGcNanos = Long.MIN_VALUE / 2; // guarded by this

  public AdminServer(AdminHub hub, HubCore core, StatStore counters, HubConfig config, HubMetrics metrics,
      ThreadFactory threads) {
    this.hub = hub;
    this.core = core;
    this.counters = counters;
    this.config = config;
    this.metrics = metrics;
    this.token = config.adminToken() == null ? null : config.adminToken().getBytes(StandardCharsets.UTF_8);
    this.publishLimit =
        new TokenBucket(config.adminPublishPerSecond(), config.adminPublishPerSecond(), config.ticker());
    // The JDK server's connection cap is process-wide and read once, when the first server starts:
    // an operator's own -D value wins, then the first hub's option.
    if (System.getProperty(MAX_CONNECTIONS_PROPERTY) == null) {
      System.setProperty(MAX_CONNECTIONS_PROPERTY, Integer.toString(config.maxAdminConnections()));
    }
    try {
      // Its own host (loopback by default): opening the WebSocket port to the world with --host
      // must not open the admin API with it.
      this.http = HttpServer.create(new InetSocketAddress(config.adminHost(), config.adminPort()), 16);
    } catch (IOException e) {
      throw new IllegalStateException("cannot bind the admin port " + config.adminPort() + ": " + e.getMessage(), e);
    }
    this.executor = Executors.newFixedThreadPool(THREADS, threads);
    http.setExecutor(executor);
    http.createContext("/", this::handle);
  }

  public void start() {
    http.start();
  }

  public int port() {
    return http.getAddress().getPort();
  }

  public InetSocketAddress address() {
    return http.getAddress();
  }

  /** From now on /health answers 503, so load balancers stop sending peers here. */
  public void markStopping() {
    stopping = true;
  }

  public void stop() {
    http.stop(0);
    executor.shutdownNow();
    try {
      executor.awaitTermination(2, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  private void handle(HttpExchange ex) throws IOException {
    try (ex) {
      String path = ex.getRequestURI().getPath();
      String method = ex.getRequestMethod();
      if (path.equals("/health") && method.equals("GET")) {
        health(ex);
      } else if (path.equals("/stats") && method.equals("GET")) {
        stats(ex);
      } else if (path.equals("/metrics") && method.equals("GET")) {
        ByteArrayOutputStream out = new ByteArrayOutputStream(16 * 1024);
        metrics.write(out);
        send(ex, 200, metrics.contentType(), out.toByteArray());
      } else if (path.equals("/peers") && method.equals("GET")) {
        if (authorized(ex)) {
          listPeers(ex);
        }
      } else if (path.startsWith("/peers/") && method.equals("DELETE")) {
        if (authorized(ex)) {
          kick(ex, path.substring("/peers/".length()));
        }
      } else if (path.equals("/publish") && method.equals("POST")) {
        if (authorized(ex)) {
          publish(ex);
        }
      } else {
        json(ex, 404, error("no such endpoint: " + method + " " + path));
      }
    } catch (RuntimeException e) {
      LOG.warn("admin request {} failed", LogText.safe(String.valueOf(ex.getRequestURI())), e);
      try {
        json(ex, 500, error("internal error"));
      } catch (IOException | RuntimeException ignored) {
        // the response may already be committed
      }
    }
  }

  private void health(HttpExchange ex) throws IOException {
    JsonObject body = new JsonObject();
    boolean pressure = core.memoryPressure();
    boolean fatal = hub.failed();
    boolean ok = !fatal && hub.running() && hub.listening() && !stopping && !pressure;
    body.addProperty("status", ok ? "ok" : fatal ? "fatal" : stopping ? "stopping" : pressure ? "memory-pressure"
        : !hub.listening() ? "listener-down" : "down");
    body.addProperty("peers", core.peerCount());
    String[] redis = hub.redis();
    if (redis != null) {
      JsonObject link = new JsonObject();
      link.addProperty("status", redis[0]);
      if (redis[1] != null) {
        link.addProperty("reason", redis[1]);
      }
      body.add("redis", link);
    }
    json(ex, ok ? 200 : 503, body);
  }

  private void stats(HttpExchange ex) throws IOException {
    String query = ex.getRequestURI().getQuery();
    if (query != null && query.contains("gc=true")) {
      // A forced full GC stops the world: only an operator may ask for it.
      if (!authorized(ex)) {
        return;
      }
      synchronized (this) {
        long now = System.nanoTime();
        if (now - lastGcNanos >= GC_MIN_INTERVAL_NANOS) { // at most one forced GC per second
          lastGcNanos = now;
          System.gc();
        }
      }
    }
    send(ex, 200, "application/json", GSON.toJson(hub.stats().toJson()).getBytes(StandardCharsets.UTF_8));
  }

  private void listPeers(HttpExchange ex) throws IOException {
    JsonArray peers = new JsonArray();
    int limit = MAX_PEERS_LISTED;
    for (Peer p : core.peers()) {
      if (peers.size() >= limit) {
        break;
      }
      JsonObject o = new JsonObject();
      o.addProperty("peerId", p.id());
      o.addProperty("address", p.address().getHostAddress());
      o.addProperty("network", p.network());
      o.addProperty("connectedAt", p.connectedAtMillis());
      o.addProperty("topics", p.topics().size());
      o.addProperty("pendingBytes", p.pendingBytes());
      o.addProperty("framesIn", p.framesIn());
      o.addProperty("framesOut", p.framesOut());
      o.addProperty("errors", p.errors());
      peers.add(o);
    }
    JsonObject body = new JsonObject();
    body.add("peers", peers);
    body.addProperty("count", core.peerCount());
    json(ex, 200, body);
  }

  private void kick(HttpExchange ex, String peerId) throws IOException {
    HubCore.Kick kick = core.kick(peerId);
    if (kick == HubCore.Kick.DISCONNECTED) {
      JsonObject body = new JsonObject();
      body.addProperty("disconnected", peerId);
      json(ex, 200, body);
    } else if (kick == HubCore.Kick.FORWARDED) {
      JsonObject body = new JsonObject();
      body.addProperty("forwarded", peerId); // to the other hubs: the one holding it closes it
      json(ex, 202, body);
    } else {
      json(ex, 404, error("no connected peer " + peerId));
    }
  }

  private void publish(HttpExchange ex) throws IOException {
    boolean allowed;
    long waitNanos;
    synchronized (publishLimit) {
      allowed = publishLimit.tryAcquire();
      waitNanos = allowed ? 0 : publishLimit.nanosUntilNextToken();
    }
    if (!allowed) {
      counters.increment(Stat.ADMIN_RATE_LIMITED);
      ex.getResponseHeaders().set("Retry-After", Long.toString(Math.max(1, TimeUnit.NANOSECONDS.toSeconds(waitNanos) + 1)));
      json(ex, 429, error("publish rate limit of " + config.adminPublishPerSecond() + "/s exceeded"));
      return;
    }
    byte[] body = readBounded(ex.getRequestBody(), config.adminMaxBodyBytes());
    if (body == null) {
      counters.increment(Stat.ADMIN_BODY_TOO_LARGE);
      json(ex, 413, error("body larger than " + config.adminMaxBodyBytes() + " bytes"));
      return;
    }
    JsonObject request;
    String topic;
    try {
      JsonElement parsed = JsonParser.parseString(new String(body, StandardCharsets.UTF_8));
      if (!parsed.isJsonObject() || !parsed.getAsJsonObject().has("topic")
          || !parsed.getAsJsonObject().get("topic").isJsonPrimitive()) {
        json(ex, 400, error("body must be {\"topic\": \"...\", \"data\": ...}"));
        return;
      }
      request = parsed.getAsJsonObject();
      topic = Validation.topic(request.get("topic").getAsString());
    } catch (JsonParseException e) {
      json(ex, 400, error("body is not valid JSON"));
      return;
    } catch (ProtocolException e) {
      json(ex, 400, error(e.getMessage()));
      return;
    }
    int delivered = core.publishAsHub(topic, request.get("data"));
    JsonObject result = new JsonObject();
    result.addProperty("topic", topic);
    result.addProperty("delivered", delivered);
    json(ex, 200, result);
  }

  private boolean authorized(HttpExchange ex) throws IOException {
    if (token == null) {
      json(ex, 403, error("admin endpoints are disabled: no admin token is configured"));
      return false;
    }
    String header = ex.getRequestHeaders().getFirst("Authorization");
    byte[] given = header != null && header.startsWith("Bearer ")
        ? header.substring(7).trim().getBytes(StandardCharsets.UTF_8)
        : new byte[0];
    if (!MessageDigest.isEqual(token, given)) {
      ex.getResponseHeaders().set("WWW-Authenticate", "Bearer");
      json(ex, 401, error("missing or wrong bearer token"));
      return false;
    }
    return true;
  }

  /** Reads at most {@code limit} bytes; null if the body is longer. */
  private static byte[] readBounded(InputStream in, int limit) throws IOException {
    byte[] buf = in.readNBytes(limit + 1);
    return buf.length > limit ? null : buf;
  }

  private static JsonObject error(String message) {
    JsonObject o = new JsonObject();
    o.addProperty("error", message);
    return o;
  }

  private static void json(HttpExchange ex, int status, JsonElement body) throws IOException {
    send(ex, status, "application/json", GSON.toJson(body).getBytes(StandardCharsets.UTF_8));
  }

  private static void send(HttpExchange ex, int status, String type, byte[] body) throws IOException {
    ex.getResponseHeaders().set("Content-Type", type);
    ex.sendResponseHeaders(status, body.length == 0 ? -1 : body.length);
    try (OutputStream out = ex.getResponseBody()) {
      out.write(body);
    }
  }

}
