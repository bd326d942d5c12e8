package dev.loft.server;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.loft.protocol.PeerIds;
import dev.loft.server.stats.Stat;
import dev.loft.server.support.Hubs;
import dev.loft.server.support.Json;
import dev.loft.server.support.TestPeer;
import org.junit.jupiter.api.Test;

/**
 * The dedupe window remembered a direct's id before it was delivered: a client that retried after
 * PEER_NOT_FOUND (its target was still connecting) got an ack and the message was never sent.
 */
class RetryAfterPeerNotFoundIsDeliveredNotAckedTest {

  @Test
  void directRetriedOnceTheTargetIsThereIsDelivered() {
    String late = PeerIds.random();
    try (HubServer hub = Hubs.start(); TestPeer a = TestPeer.connect(hub.uri())) {
      a.announce("n");
      a.send(Json.obj("type", "direct", "id", "d1", "targetPeerId", late, "data", "first try"));
      a.expectError("PEER_NOT_FOUND");
      try (TestPeer b = TestPeer.connectRaw(hub.uri(), late)) {
        b.expect("connected");
        b.announce("n");
        b.expect("peer-discovered");
        a.expect("peer-discovered");
        a.send(Json.obj("type", "direct", "id", "d1", "targetPeerId", late, "data", "retry"));
        assertEquals("retry", b.expect("direct").get("data").getAsString());
        a.expect("ack");
        // Once delivered, the same id again is a duplicate: acked, not delivered twice.
        a.send(Json.obj("type", "direct", "id", "d1", "targetPeerId", late, "data", "again"));
        a.expect("ack");
        b.expectNothingFor(300);
        assertEquals(1, hub.stats().get(Stat.DEDUPE_HITS));
      }
    }
  }
}
