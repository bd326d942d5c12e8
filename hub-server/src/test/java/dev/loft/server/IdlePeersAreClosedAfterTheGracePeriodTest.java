package dev.loft.server;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.loft.protocol.CloseCodes;
import dev.loft.server.stats.Stat;
import dev.loft.server.support.Hubs;
import dev.loft.server.support.Json;
import dev.loft.server.support.TestPeer;
import java.time.Duration;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * A peer that connects but neither announces nor subscribes within the grace period is closed
 * with 4002; a peer that does either is left alone for as long as it likes.
 */
class IdlePeersAreClosedAfterTheGracePeriodTest {
  private static final Duration GRACE = Duration.ofMillis(300);

  private HubServer hub;

  @BeforeEach
  void start() {
    hub = Hubs.start(Hubs.config().announceGrace(GRACE));
  }

  @AfterEach
  void stop() {
    hub.close();
  }

  @Test
  void aPeerThatOnlyConnectsIsClosedWith4002AndCounted() {
    TestPeer idle = TestPeer.connect(hub.uri());
    String reason = idle.expectClosed(CloseCodes.IDLE_TIMEOUT);
    assertTrue(reason.toLowerCase().contains("grace"), reason);
    await().atMost(Duration.ofSeconds(5)).until(() -> hub.stats().get(Stat.PEERS) == 0);
    assertEquals(1, hub.stats().get(Stat.CLOSED_IDLE));
  }

  @Test
  void pingingIsNotEngaging() {
    TestPeer pinger = TestPeer.connect(hub.uri());
    pinger.send(Json.obj("type", "ping"));
    pinger.expect("pong");
    pinger.expectClosed(CloseCodes.IDLE_TIMEOUT);
    await().atMost(Duration.ofSeconds(5)).until(() -> hub.stats().get(Stat.CLOSED_IDLE) == 1);
  }

  @Test
  void peersThatAnnounceOrSubscribeInTimeAreNotClosed() {
    try (TestPeer announcer = TestPeer.connect(hub.uri());
        TestPeer subscriber = TestPeer.connect(hub.uri());
        TestPeer idle = TestPeer.connect(hub.uri())) {
      announcer.send(Json.obj("type", "announce", "id", "a", "networkName", "n", "data", Json.obj()));
      announcer.expect("ack");
      subscriber.send(Json.obj("type", "subscribe", "id", "s", "topic", "t"));
      subscriber.expect("ack");

      idle.expectClosed(CloseCodes.IDLE_TIMEOUT); // the grace has passed for all three
      await().during(Duration.ofSeconds(1)).atMost(Duration.ofSeconds(2))
          .until(() -> !announcer.isClosed() && !subscriber.isClosed());

      announcer.send(Json.obj("type", "ping"));
      announcer.expect("pong");
      subscriber.send(Json.obj("type", "ping"));
      subscriber.expect("pong");
      assertEquals(2, hub.stats().get(Stat.PEERS));
      assertEquals(1, hub.stats().get(Stat.CLOSED_IDLE));
    }
  }

  @Test
  void aPeerThatLeavesItsNetworkIsNotClosedAsIdleLater() {
    try (TestPeer peer = TestPeer.connect(hub.uri())) {
      peer.send(Json.obj("type", "announce", "id", "a", "networkName", "n", "data", Json.obj()));
      peer.expect("ack");
      peer.send(Json.obj("type", "goodbye", "id", "g"));
      peer.expect("ack");
      await().during(Duration.ofMillis(800)).atMost(Duration.ofSeconds(2)).until(() -> !peer.isClosed());
      peer.send(Json.obj("type", "ping"));
      peer.expect("pong");
      assertEquals(0, hub.stats().get(Stat.CLOSED_IDLE));
    }
  }
}
