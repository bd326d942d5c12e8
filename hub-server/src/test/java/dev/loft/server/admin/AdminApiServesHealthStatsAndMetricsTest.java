package dev.loft.server.admin;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonArray;
import com.google.gson.JsonObject;
import dev.loft.protocol.CloseCodes;
import dev.loft.server.HubServer;
import dev.loft.server.stats.Stat;
import dev.loft.server.support.AdminHttp;
import dev.loft.server.support.Hubs;
import dev.loft.server.support.Json;
import dev.loft.server.support.ManualTicker;
import dev.loft.server.support.TestPeer;
import java.net.Socket;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The operators' HTTP surface on its own port: open read endpoints, token-guarded write endpoints,
 * and the bounds on the write endpoints (body size, publish rate).
 */
class AdminApiServesHealthStatsAndMetricsTest {
  private static final String TOKEN = "s3cret-admin-token";
  private static final Duration WAIT = Duration.ofSeconds(5);

  private final ManualTicker ticker = new ManualTicker();
  private HubServer hub;
  private AdminHttp admin;

  @BeforeEach
  void start() {
    hub = Hubs.start(Hubs.config()
        .adminPort(0)
        .adminToken(TOKEN)
        .adminPublishPerSecond(2)
        .adminMaxBodyBytes(1024)
        .ticker(ticker));
    admin = new AdminHttp(hub.adminPort());
  }

  @AfterEach
  void stop() {
    hub.close();
  }

  /** A peer that has announced into {@code network} (acknowledged, so the hub has recorded it). */
  private TestPeer announcedPeer(String network) {
    TestPeer peer = TestPeer.connect(hub.uri());
    peer.send(Json.obj("type", "announce", "id", "a1", "networkName", network, "data", Json.obj()));
    peer.expectMatching(f -> f.get("type").getAsString().equals("ack"), "ack of the announce");
    return peer;
  }

  @Test
  void adminPortIsItsOwnPortAndBound() {
    assertTrue(hub.adminPort() > 0);
    assertTrue(hub.adminPort() != hub.port(), "admin and WebSocket ports differ");
  }

  @Test
  void healthIsOkWhileRunning() {
    HttpResponse<String> r = admin.get("/health");
    assertEquals(200, r.statusCode(), r.body());
    assertEquals("ok", AdminHttp.json(r).get("status").getAsString());
    assertTrue(r.headers().firstValue("Content-Type").orElse("").startsWith("application/json"));
  }

  @Test
  void statsReflectAConnectedAnnouncedPeer() {
    JsonObject empty = AdminHttp.json(admin.get("/stats"));
    for (String field : List.of("peers", "announcedPeers", "networks", "topics", "subscriptions",
        "busListeners", "busListenersByType", "framesIn", "framesOut", "dropped", "rateLimited",
        "errorsByCode", "listenerErrors", "evictedSlow", "kicked", "rejectedPressure",
        "memoryPressure", "heapUsedBytes", "heapMaxBytes", "threads", "uptimeMillis")) {
      assertTrue(empty.has(field), () -> "/stats has no '" + field + "': " + empty);
    }
    assertEquals(0, empty.get("peers").getAsInt());
    assertTrue(empty.get("busListeners").getAsInt() >= 1, "the router is a bus listener");

    try (TestPeer peer = announcedPeer("room")) {
      HttpResponse<String> r = admin.get("/stats");
      assertEquals(200, r.statusCode());
      JsonObject stats = AdminHttp.json(r);
      assertEquals(1, stats.get("peers").getAsInt(), stats::toString);
      assertEquals(1, stats.get("announcedPeers").getAsInt(), stats::toString);
      assertEquals(1, stats.get("networks").getAsInt(), stats::toString);
      assertTrue(stats.get("framesIn").getAsLong() >= 1, stats::toString);
      assertTrue(stats.get("framesOut").getAsLong() >= 2, "connected + ack: " + stats);
      assertEquals(hub.bus().listenerCount(), stats.get("busListeners").getAsInt());
    }
  }

  @Test
  void statsWithGcStillAnswers() {
    HttpResponse<String> r = admin.get("/stats?gc=true", TOKEN);
    assertEquals(200, r.statusCode(), r.body());
    assertTrue(AdminHttp.json(r).get("heapUsedBytes").getAsLong() > 0);
    // A second forced GC within a second is skipped, not refused.
    assertEquals(200, admin.get("/stats?gc=true", TOKEN).statusCode());
  }

  @Test
  void anonymousCallerCannotForceAFullGc() {
    // A forced GC stops the world: a loop of anonymous ?gc=true would be a pause-the-hub button.
    assertEquals(401, admin.get("/stats?gc=true").statusCode());
    assertEquals(401, admin.get("/stats?gc=true", TOKEN + "x").statusCode());
    assertEquals(200, admin.get("/stats").statusCode());
  }

  @Test
  void metricsArePrometheusText() {
    try (TestPeer peer = announcedPeer("room")) {
      HttpResponse<String> r = admin.get("/metrics");
      assertEquals(200, r.statusCode());
      String type = r.headers().firstValue("Content-Type").orElse("");
      assertTrue(type.startsWith("text/plain"), type);
      String body = r.body();
      assertTrue(body.contains("# TYPE loft_peers gauge"), body);
      assertTrue(body.lines().anyMatch(l -> l.matches("loft_peers 1(\\.0)?")), body);
      assertTrue(body.contains("loft_frames_in"), body);
      assertTrue(body.lines().anyMatch(l -> l.startsWith("loft_frames_in_total ")), body);
    }
  }

  @Test
  void peersNeedTheBearerToken() {
    try (TestPeer peer = announcedPeer("room")) {
      HttpResponse<String> none = admin.get("/peers");
      assertEquals(401, none.statusCode(), none.body());
      assertEquals("Bearer", none.headers().firstValue("WWW-Authenticate").orElse(null));
      assertEquals(401, admin.get("/peers", "wrong-token").statusCode());
      assertEquals(401, admin.get("/peers", TOKEN + "x").statusCode());

      HttpResponse<String> ok = admin.get("/peers", TOKEN);
      assertEquals(200, ok.statusCode(), ok.body());
      JsonObject body = AdminHttp.json(ok);
      assertEquals(1, body.get("count").getAsInt());
      JsonArray peers = body.getAsJsonArray("peers");
      assertEquals(1, peers.size(), body::toString);
      assertEquals(peer.id(), peers.get(0).getAsJsonObject().get("peerId").getAsString());
      assertEquals("room", peers.get(0).getAsJsonObject().get("network").getAsString());
    }
  }

  @Test
  void writeEndpointsAreForbiddenWithoutAConfiguredToken() {
    try (HubServer open = Hubs.start(Hubs.config().adminPort(0))) {
      AdminHttp http = new AdminHttp(open.adminPort());
      assertEquals(403, http.get("/peers").statusCode());
      assertEquals(403, http.get("/peers", "anything").statusCode());
      assertEquals(403, http.delete("/peers/" + "a".repeat(40), "anything").statusCode());
      assertEquals(403, http.post("/publish", "anything", "{\"topic\":\"t\",\"data\":1}").statusCode());
      assertEquals(200, http.get("/health").statusCode(), "read endpoints stay open");
    }
  }

  @Test
  void deleteDisconnectsThePeerAndCountsAKick() {
    TestPeer peer = announcedPeer("room");
    HttpResponse<String> r = admin.delete("/peers/" + peer.id(), TOKEN);
    assertEquals(200, r.statusCode(), r.body());
    assertEquals(peer.id(), AdminHttp.json(r).get("disconnected").getAsString());
    await().atMost(WAIT).until(peer::isClosed);
    await().atMost(WAIT).until(() -> hub.stats().get(Stat.PEERS) == 0);
    assertEquals(1, hub.stats().get(Stat.KICKED));
    assertEquals(0, hub.stats().get(Stat.NETWORKS));
    assertEquals(404, admin.delete("/peers/" + peer.id(), TOKEN).statusCode(), "already gone");
  }

  /** The peer must learn why: a kick is a close frame with 4003, not a dropped TCP connection. */
  @Test
  void kickedPeerIsToldKicked4003() {
    TestPeer peer = announcedPeer("room");
    assertEquals(200, admin.delete("/peers/" + peer.id(), TOKEN).statusCode());
    peer.expectClosed(CloseCodes.KICKED);
  }

  @Test
  void deleteOfAnUnknownPeerIs404() {
    assertEquals(404, admin.delete("/peers/" + "0".repeat(40), TOKEN).statusCode());
    assertEquals(404, admin.delete("/peers/not-a-peer", TOKEN).statusCode());
    assertEquals(0, hub.stats().get(Stat.KICKED));
  }

  @Test
  void publishReachesSubscribersAsTheSystem() {
    try (TestPeer sub = TestPeer.connect(hub.uri()); TestPeer other = TestPeer.connect(hub.uri())) {
      sub.send(Json.obj("type", "subscribe", "id", "s", "topic", "t"));
      assertEquals("s", sub.expect("ack").get("id").getAsString());
      other.send(Json.obj("type", "subscribe", "id", "s", "topic", "elsewhere"));
      other.expect("ack");

      HttpResponse<String> r =
          admin.post("/publish", TOKEN, Json.obj("topic", "t", "data", Json.obj("hello", "world")).toString());
      assertEquals(200, r.statusCode(), r.body());
      assertEquals(1, AdminHttp.json(r).get("delivered").getAsInt());

      JsonObject message = sub.expect("message");
      assertEquals("t", message.get("topic").getAsString());
      assertEquals("system", message.get("fromPeerId").getAsString());
      assertEquals("world", message.getAsJsonObject("data").get("hello").getAsString());
      other.expectNothingFor(200);
    }
  }

  @Test
  void publishNeedsTheTokenAndAValidBody() {
    String body = Json.obj("topic", "t", "data", 1).toString();
    assertEquals(401, admin.post("/publish", null, body).statusCode());
    assertEquals(400, admin.post("/publish", TOKEN, "{not json").statusCode());
    assertEquals(400, admin.post("/publish", TOKEN, "{\"data\":1}").statusCode());
  }

  @Test
  void bodyOverTheLimitIs413() {
    String big = Json.obj("topic", "t", "data", "x".repeat(4 * 1024)).toString();
    HttpResponse<String> r = admin.post("/publish", TOKEN, big);
    assertEquals(413, r.statusCode(), r.body());
    assertEquals(1, hub.stats().get(Stat.ADMIN_BODY_TOO_LARGE));
    // The hub is fine afterwards.
    assertEquals(200, admin.get("/health").statusCode());
  }

  @Test
  void publishingFasterThanTheLimitIs429WithRetryAfter() {
    String body = Json.obj("topic", "t", "data", 1).toString();
    assertEquals(200, admin.post("/publish", TOKEN, body).statusCode());
    assertEquals(200, admin.post("/publish", TOKEN, body).statusCode());
    HttpResponse<String> limited = admin.post("/publish", TOKEN, body);
    assertEquals(429, limited.statusCode(), limited.body());
    String retryAfter = limited.headers().firstValue("Retry-After").orElse(null);
    assertTrue(retryAfter != null && Long.parseLong(retryAfter) >= 1, "Retry-After: " + retryAfter);
    // The clock has not moved: still limited. After a second on the hub's clock: allowed again.
    assertEquals(429, admin.post("/publish", TOKEN, body).statusCode());
    ticker.advance(Duration.ofSeconds(1));
    assertEquals(200, admin.post("/publish", TOKEN, body).statusCode());
    assertEquals(2, hub.stats().get(Stat.ADMIN_RATE_LIMITED));
  }

  @Test
  void unknownPathsAndMethodsAre404() {
    assertEquals(404, admin.get("/nope").statusCode());
    assertEquals(404, admin.get("/").statusCode());
    assertEquals(404, admin.send("POST", "/health", null, "{}").statusCode());
    assertEquals(404, admin.get("/publish", TOKEN).statusCode());
  }

  /**
   * The JDK HttpServer reads each request on the admin executor with blocking IO: a client that
   * sends half a request line and stops must not freeze /health (load balancers, probes) and
   * /metrics for everyone else. No token is needed to do that, so it must not work.
   */
  @Test
  void aStalledRequestDoesNotFreezeTheAdminApi() throws Exception {
    try (Socket stalled = new Socket("127.0.0.1", hub.adminPort())) {
      stalled.getOutputStream().write("GET /hea".getBytes(StandardCharsets.US_ASCII));
      stalled.getOutputStream().flush();
      // Until an admin thread is reading the stalled request.
      await().atMost(WAIT).until(() -> Thread.getAllStackTraces().entrySet().stream()
          .anyMatch(t -> t.getKey().getName().startsWith("loft-admin")
              && Arrays.stream(t.getValue()).anyMatch(f -> f.getClassName().startsWith("sun.net.httpserver.Request"))));
      HttpResponse<String> health = CompletableFuture.supplyAsync(() -> admin.get("/health"))
          .get(3, TimeUnit.SECONDS);
      assertEquals(200, health.statusCode());
    } catch (TimeoutException e) {
      throw new AssertionError("/health did not answer within 3 s while one request was stalled", e);
    }
  }
}
