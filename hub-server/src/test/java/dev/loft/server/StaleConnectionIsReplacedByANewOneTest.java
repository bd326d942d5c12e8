package dev.loft.server;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.loft.protocol.PeerIds;
import dev.loft.server.core.Peer;
import dev.loft.server.stats.Stat;
import dev.loft.server.support.Hubs;
import dev.loft.server.support.Json;
import dev.loft.server.support.RawSocketPeer;
import dev.loft.server.support.TestPeer;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/**
 * PeerPigeon's policy, kept: a second connection with the id of a first one that is no longer
 * open replaces it instead of being refused. Here the first is a stuck peer that was kicked: its
 * close frame waits behind data it never reads, so it stays registered until the linger ends.
 */
class StaleConnectionIsReplacedByANewOneTest {
  @Test
  void reconnectWhileTheStuckConnectionIsStillClosingTakesItsPlace() throws Exception {
    String id = PeerIds.random();
    try (HubServer hub = Hubs.start(Hubs.config()
            .outboundHighWatermarkBytes(256L * 1024 * 1024).rateLimitPerSecond(10_000).rateLimitBurst(10_000));
        RawSocketPeer stuck = RawSocketPeer.connect(hub.uri(), id);
        TestPeer publisher = TestPeer.connect(hub.uri())) {
      stuck.sendText(Json.obj("type", "subscribe", "topic", "flood").toString());
      await().atMost(Duration.ofSeconds(5)).until(() -> hub.stats().get(Stat.SUBSCRIPTIONS) == 1);
      Peer stuckPeer = hub.core().peer(id);
      String payload = "x".repeat(32 * 1024);
      // Fill the stuck peer's socket buffers until frames have to wait in the hub's queue.
      // (Frames in the hub's own queue mean the socket took no more.)
      for (int i = 0; i < 4_000 && stuckPeer.queuedFrames() == 0; i++) {
        publisher.send(Json.obj("type", "publish", "topic", "flood", "data", payload));
      }
      await().atMost(Duration.ofSeconds(5)).until(() -> stuckPeer.queuedFrames() > 0);

      assertTrue(hub.core().kick(id) == dev.loft.server.core.HubCore.Kick.DISCONNECTED); // the close frame now waits behind the backlog
      try (TestPeer fresh = TestPeer.connectRaw(hub.uri(), id)) {
        fresh.expect("connected");
        assertEquals(1, hub.stats().get(Stat.REPLACED));
        assertEquals(0, hub.stats().get(Stat.REJECTED_DUPLICATE));
        fresh.announce("n");
        await().atMost(Duration.ofSeconds(10)).until(() -> hub.stats().get(Stat.PEERS) == 2);
        // The stuck one's late cleanup must not remove the fresh registration.
        assertEquals(1, hub.stats().get(Stat.ANNOUNCED_PEERS));
        assertEquals(fresh.id(), hub.core().peer(id).id());
        fresh.send(Json.obj("type", "ping"));
        fresh.expect("pong");
      }
    }
  }
}
