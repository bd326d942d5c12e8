package dev.loft.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.loft.server.stats.Stat;
import dev.loft.server.support.AdminHttp;
import dev.loft.server.support.Hubs;
import dev.loft.server.support.Json;
import dev.loft.server.support.TestPeer;
import org.junit.jupiter.api.Test;

/**
 * The hub published a LimitHit event for every refusal and nobody listened: an operator could not
 * see which bound refused what. Each refusal is now counted under its option's name.
 */
class RefusalsAreCountedByTheBoundThatRefusedThemTest {

  @Test
  void everyRefusalIsCountedUnderItsOptionsName() {
    try (HubServer hub = Hubs.start(Hubs.config().adminPort(0).maxTopicsPerPeer(1).maxAnnounceBytes(64));
         TestPeer peer = TestPeer.connect(hub.uri())) {
      peer.send(Json.obj("type", "subscribe", "id", "s1", "topic", "a"));
      peer.expect("ack");
      peer.send(Json.obj("type", "subscribe", "id", "s2", "topic", "b"));
      peer.expectError("TOO_MANY_TOPICS");
      peer.send(Json.obj("type", "announce", "id", "a", "data", Json.obj("blob", "x".repeat(100))));
      peer.expectError("ANNOUNCE_TOO_LARGE");

      assertEquals(1L, hub.stats().keyed(Stat.LIMIT_HITS).get("maxTopicsPerPeer"), hub.stats().keyed(Stat.LIMIT_HITS)::toString);
      assertEquals(1L, hub.stats().keyed(Stat.LIMIT_HITS).get("maxAnnounceBytes"), hub.stats().keyed(Stat.LIMIT_HITS)::toString);
      String metrics = new AdminHttp(hub.adminPort()).get("/metrics").body();
      assertTrue(metrics.contains("loft_limit_hits_total{limit=\"maxTopicsPerPeer\"} 1.0"), metrics);
    }
  }
}
