package dev.loft.server;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.loft.server.stats.Stat;
import dev.loft.server.support.Hubs;
import dev.loft.server.support.Json;
import dev.loft.server.support.TestPeer;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/**
 * A peer that stops answering pings (half-open socket, frozen process) is reaped by the
 * heartbeat; one that keeps reading stays.
 */
class SilentPeersAreReapedByTheHeartbeatTest {
  @Test
  void peerThatStopsReadingIsClosedWithinTheLostTimeoutWhileALivePeerStays() {
    try (HubServer hub = Hubs.start(Hubs.config().connectionLostTimeout(Duration.ofSeconds(1)));
        TestPeer silent = TestPeer.connect(hub.uri());
        TestPeer alive = TestPeer.connect(hub.uri())) {
      silent.announce("n");
      alive.announce("n");
      silent.stopReading(); // it no longer sees pings, so it never answers them
      // 1.5 x 1 s in theory; generous for a loaded CI machine (the checker thread must get to run).
      await().atMost(Duration.ofSeconds(20)).until(() -> hub.stats().get(Stat.REAPED_SILENT) == 1);
      await().atMost(Duration.ofSeconds(5)).until(() -> hub.stats().get(Stat.PEERS) == 1);
      alive.send(Json.obj("type", "ping"));
      alive.expectMatching(f -> f.get("type").getAsString().equals("pong"), "pong");
      assertEquals(1, hub.stats().get(Stat.PEERS));
    }
  }
}
