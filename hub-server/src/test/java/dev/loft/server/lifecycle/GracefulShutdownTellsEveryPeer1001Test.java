package dev.loft.server.lifecycle;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.loft.protocol.CloseCodes;
import dev.loft.server.HubServer;
import dev.loft.server.events.HubEvents;
import dev.loft.server.stats.Stat;
import dev.loft.server.support.AdminHttp;
import dev.loft.server.support.Hubs;
import dev.loft.server.support.Json;
import dev.loft.server.support.TestPeer;
import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Closing a hub tells every peer {@code 1001} (going away) with a close frame, refuses newcomers,
 * and leaves the bus empty and closed.
 */
class GracefulShutdownTellsEveryPeer1001Test {
  private static final int PEERS = 20;

  private final List<TestPeer> peers = new ArrayList<>();

  @AfterEach
  void cleanUp() {
    peers.forEach(TestPeer::close);
  }

  private static void acked(TestPeer peer, Object... frame) {
    peer.send(Json.obj(frame));
    peer.expectMatching(f -> f.get("type").getAsString().equals("ack"), "ack");
  }

  @Test
  void everyPeerSeesGoingAwayAndTheHubLetsGoOfEverything() {
    HubServer hub = Hubs.start(Hubs.config().adminPort(0));
    List<HubEvents.HubStopping> stopping = new CopyOnWriteArrayList<>();
    hub.bus().subscribe(HubEvents.HubStopping.class, "test-stopping", stopping::add);
    for (int i = 0; i < PEERS; i++) {
      TestPeer peer = TestPeer.connect(hub.uri());
      peers.add(peer);
      if (i % 4 == 0 || i % 4 == 1) {
        acked(peer, "type", "announce", "id", "a", "networkName", i % 4 == 0 ? "red" : "blue", "data", Json.obj());
      } else if (i % 4 == 2) {
        acked(peer, "type", "subscribe", "id", "s", "topic", "news");
      } // else: connected only
    }
    assertEquals(PEERS, hub.stats().get(Stat.PEERS));
    assertEquals(2, hub.stats().get(Stat.NETWORKS));
    assertEquals(5, hub.stats().get(Stat.SUBSCRIPTIONS));
    URI uri = hub.uri();
    int adminPort = hub.adminPort();

    hub.close();

    assertFalse(hub.isRunning());
    for (TestPeer peer : peers) {
      String reason = peer.expectClosed(CloseCodes.GOING_AWAY);
      assertEquals("Hub shutting down", reason);
    }
    assertEquals(1, stopping.size(), "HubStopping is published once");
    assertEquals(0, hub.bus().listenerCount(), () -> "listeners left: " + hub.bus().snapshot());
    assertEquals(0, hub.bus().typeCount());
    assertTrue(hub.bus().isClosed());
    assertEquals(0, hub.stats().get(Stat.PEERS));
    assertEquals(0, hub.stats().get(Stat.NETWORKS));
    assertEquals(0, hub.stats().get(Stat.SUBSCRIPTIONS));

    assertThrows(AssertionError.class, () -> TestPeer.connectRaw(uri, "a".repeat(40)),
        "the WebSocket port no longer accepts connections");
    assertThrows(AssertionError.class, () -> new AdminHttp(adminPort).get("/health"),
        "the admin port is released");
  }

  @Test
  void closeReturnsWellWithinTheShutdownGrace() {
    HubServer hub = Hubs.start(Hubs.config().shutdownGrace(Duration.ofSeconds(2)));
    for (int i = 0; i < 5; i++) {
      peers.add(TestPeer.connect(hub.uri()));
    }
    long started = System.nanoTime();
    hub.close();
    long tookMillis = (System.nanoTime() - started) / 1_000_000;
    assertTrue(tookMillis < 2_000 + 1_000, "close took " + tookMillis + " ms with a 2 s grace");
    peers.forEach(p -> p.expectClosed(CloseCodes.GOING_AWAY));
  }

  @Test
  void aPeerThatDoesNotAnswerTheCloseIsDroppedWhenTheGraceEnds() {
    HubServer hub = Hubs.start(Hubs.config().shutdownGrace(Duration.ofMillis(600)));
    TestPeer stuck = TestPeer.connect(hub.uri());
    peers.add(stuck);
    TestPeer fine = TestPeer.connect(hub.uri());
    peers.add(fine);
    stuck.stopReading();
    // Give the stuck peer a frame it will not read, so that it never sees the close frame behind it.
    stuck.send(Json.obj("type", "ping"));
    await().atMost(Duration.ofSeconds(5)).until(() -> hub.stats().get(Stat.FRAMES_OUT) >= 3); // connected x2 + pong
    long started = System.nanoTime();
    hub.close();
    long tookMillis = (System.nanoTime() - started) / 1_000_000;
    assertTrue(tookMillis < 600 + 1_000, "close took " + tookMillis + " ms with a 600 ms grace");
    fine.expectClosed(CloseCodes.GOING_AWAY);
    assertEquals(0, hub.stats().get(Stat.PEERS), "the stuck peer was dropped when the grace ended");
    assertTrue(hub.bus().isClosed());
  }

  @Test
  void whileClosingHealthSays503AndNewcomersAreToldGoingAway() {
    // Ten peers: close() spreads their 1001s over half the grace (2 s): a window to look in.
    HubServer hub = Hubs.start(Hubs.config().adminPort(0).shutdownGrace(Duration.ofSeconds(4)));
    for (int i = 0; i < 10; i++) {
      peers.add(TestPeer.connect(hub.uri()));
    }
    AdminHttp admin = new AdminHttp(hub.adminPort());
    assertEquals(200, admin.get("/health").statusCode());
    URI uri = hub.uri();
    Thread closer = new Thread(hub::close, "test-closer");
    closer.start();

    await().atMost(Duration.ofSeconds(2)).pollInterval(Duration.ofMillis(20))
        .until(() -> admin.get("/health").statusCode() == 503);
    TestPeer late = TestPeer.connectRaw(uri, "d".repeat(40));
    peers.add(late);
    assertEquals("Hub shutting down", late.expectClosed(CloseCodes.GOING_AWAY));

    await().atMost(Duration.ofSeconds(10)).until(() -> !closer.isAlive());
    peers.forEach(p -> p.expectClosed(CloseCodes.GOING_AWAY));
    assertEquals(0, hub.stats().get(Stat.PEERS));
  }
}
