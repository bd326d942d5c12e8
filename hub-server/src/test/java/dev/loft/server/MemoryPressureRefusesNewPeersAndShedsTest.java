package dev.loft.server;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonObject;
import dev.loft.protocol.CloseCodes;
import dev.loft.server.core.Peer;
import dev.loft.server.events.HubEvents;
import dev.loft.server.stats.Stat;
import dev.loft.server.support.AdminHttp;
import dev.loft.server.support.Hubs;
import dev.loft.server.support.Json;
import dev.loft.server.support.TestPeer;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Above the heap threshold the monitor raises memory pressure on the bus and the hub sheds load:
 * new peers are refused with 1013, /health says 503, the worst backlogged peers are evicted with
 * 4005, and the peers that are fine keep being served.
 *
 * <p>The thresholds are set absurdly low (0.01% of the heap, whatever -Xmx is) so that any live
 * heap is "pressure"; the monitor's own period is an hour, and the test runs the check itself.
 */
class MemoryPressureRefusesNewPeersAndShedsTest {
  private static final long WATERMARK = 1024 * 1024;

  private HubServer hub;
  private final List<HubEvents.MemoryPressure> events = new CopyOnWriteArrayList<>();

  @BeforeEach
  void start() {
    hub = Hubs.start(Hubs.config()
        .adminPort(0)
        .memoryPressureRatio(0.0001)
        .memoryRecoveryRatio(0.00005)
        .monitorInterval(Duration.ofHours(1))
        .outboundHighWatermarkBytes(WATERMARK)
        .rateLimitPerSecond(10_000)
        .rateLimitBurst(10_000));
    hub.bus().subscribe(HubEvents.MemoryPressure.class, "test-observer", events::add);
  }

  @AfterEach
  void stop() {
    hub.close();
  }

  /** The live-heap figure is "after the last collection": make sure there has been one. */
  private void raisePressure() {
    System.gc();
    hub.checkMemoryNow();
    assertTrue(hub.stats().flag(Stat.MEMORY_PRESSURE), "pressure after the check; events: " + events);
  }

  @Test
  void noPressureUntilTheMonitorRuns() {
    assertFalse(hub.stats().flag(Stat.MEMORY_PRESSURE));
    assertEquals(List.of(), events);
    try (TestPeer peer = TestPeer.connect(hub.uri())) {
      peer.send(Json.obj("type", "ping"));
      peer.expect("pong");
    }
    assertEquals(200, new AdminHttp(hub.adminPort()).get("/health").statusCode());
  }

  @Test
  void underPressureNewPeersAreRefusedWith1013AndExistingOnesKeepWorking() {
    try (TestPeer existing = TestPeer.connect(hub.uri())) {
      raisePressure();

      assertEquals(1, events.size(), events::toString);
      HubEvents.MemoryPressure event = events.get(0);
      assertTrue(event.active());
      assertTrue(event.heapUsedBytes() > 0 && event.heapMaxBytes() >= event.heapUsedBytes(), event::toString);

      TestPeer refused = TestPeer.connectRaw(hub.uri(), "b".repeat(40));
      String reason = refused.expectClosed(CloseCodes.TRY_AGAIN_LATER);
      assertTrue(reason.toLowerCase().contains("memory"), reason);
      assertEquals(1, hub.stats().get(Stat.REJECTED_PRESSURE));
      assertEquals(1, hub.stats().get(Stat.PEERS), "the refused peer holds no slot");

      existing.send(Json.obj("type", "ping"));
      existing.expect("pong");
      existing.send(Json.obj("type", "subscribe", "id", "s", "topic", "t"));
      assertEquals("s", existing.expect("ack").get("id").getAsString());
      assertEquals(0, hub.stats().get(Stat.SHED_UNDER_PRESSURE), "a peer without a backlog is not shed");
    }
  }

  @Test
  void healthIs503UnderPressure() {
    AdminHttp admin = new AdminHttp(hub.adminPort());
    assertEquals(200, admin.get("/health").statusCode());
    raisePressure();
    HttpResponse<String> r = admin.get("/health");
    assertEquals(503, r.statusCode(), r.body());
    assertEquals("memory-pressure", AdminHttp.json(r).get("status").getAsString());
    JsonObject stats = AdminHttp.json(admin.get("/stats"));
    assertTrue(stats.get("memoryPressure").getAsBoolean());
  }

  @Test
  void theMonitorKeepsSheddingWhilePressureLasts() {
    raisePressure();
    hub.checkMemoryNow();
    assertEquals(2, events.size(), "still high: published again so that shedding continues");
    assertTrue(events.stream().allMatch(HubEvents.MemoryPressure::active));
    TestPeer refused = TestPeer.connectRaw(hub.uri(), "c".repeat(40));
    refused.expectClosed(CloseCodes.TRY_AGAIN_LATER);
  }

  @Test
  void aBackloggedPeerIsShedWith4005() {
    try (TestPeer publisher = TestPeer.connect(hub.uri()); TestPeer stuck = TestPeer.connect(hub.uri())) {
      stuck.send(Json.obj("type", "subscribe", "id", "s", "topic", "firehose"));
      stuck.expect("ack");
      stuck.stopReading();
      stuck.send(Json.obj("type", "ping")); // its answer is the last frame it reads
      Peer stuckOnHub = hub.core().peer(stuck.id());
      // Publish until the hub holds a backlog for it past a quarter of the watermark (the shedding
      // floor) but well below the watermark (where it would be evicted as a slow consumer instead).
      String payload = "x".repeat(96 * 1024);
      int published = 0;
      while (stuckOnHub.pendingBytes() < WATERMARK / 4 + 32 * 1024) {
        assertTrue(published < 2_000, "never built a backlog; pending " + stuckOnHub.pendingBytes());
        publisher.send(Json.obj("type", "publish", "id", "p" + published, "topic", "firehose", "data", payload));
        publisher.expect("ack");
        published++;
      }
      assertTrue(stuckOnHub.pendingBytes() < WATERMARK, "below the watermark: not yet a slow consumer");
      assertEquals(0, hub.stats().get(Stat.EVICTED_SLOW));

      raisePressure();

      await().atMost(Duration.ofSeconds(5)).until(() -> hub.stats().get(Stat.PEERS) == 1);
      assertEquals(1, hub.stats().get(Stat.SHED_UNDER_PRESSURE));
      assertEquals(0, hub.stats().get(Stat.EVICTED_SLOW));
      publisher.send(Json.obj("type", "ping"));
      publisher.expect("pong");
    }
  }

  /**
   * When live heap falls below the recovery ratio the monitor publishes an inactive
   * MemoryPressure event; the hub must then admit peers again. (The heap cannot be made to shrink
   * on demand, so the test publishes that event on the hub's bus as the monitor would.)
   */
  @Test
  void newPeersAreWelcomeAgainWhenPressureEnds() {
    raisePressure();
    TestPeer.connectRaw(hub.uri(), "e".repeat(40)).expectClosed(CloseCodes.TRY_AGAIN_LATER);

    hub.bus().publish(new HubEvents.MemoryPressure(false, 1, 100));

    assertFalse(hub.stats().flag(Stat.MEMORY_PRESSURE));
    try (TestPeer welcome = TestPeer.connect(hub.uri())) {
      welcome.send(Json.obj("type", "ping"));
      welcome.expect("pong");
    }
    assertEquals(200, new AdminHttp(hub.adminPort()).get("/health").statusCode());
    assertEquals(1, hub.stats().get(Stat.REJECTED_PRESSURE));
  }
}
