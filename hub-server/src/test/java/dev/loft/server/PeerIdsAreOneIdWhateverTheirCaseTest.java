package dev.loft.server;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.google.gson.JsonObject;
import dev.loft.protocol.CloseCodes;
import dev.loft.protocol.PeerIds;
import dev.loft.server.stats.Stat;
import dev.loft.server.support.Hubs;
import dev.loft.server.support.Json;
import dev.loft.server.support.TestPeer;
import java.util.Locale;
import org.junit.jupiter.api.Test;

/**
 * Ids are hex: {@code AB…} and {@code ab…} were two peers (two registry slots, two members of a
 * network for one client), and a signal to the other case missed its target.
 */
class PeerIdsAreOneIdWhateverTheirCaseTest {

  @Test
  void upperAndLowerCaseOfOneIdAreOnePeer() {
    String lower = PeerIds.random();
    String upper = lower.toUpperCase(Locale.ROOT);
    try (HubServer hub = Hubs.start();
         TestPeer first = TestPeer.connectRaw(hub.uri(), upper)) {
      JsonObject connected = first.expect("connected");
      assertEquals(lower, connected.getAsJsonObject("data").get("peerId").getAsString(), "known by its lower-case id");
      try (TestPeer second = TestPeer.connectRaw(hub.uri(), lower)) {
        second.expectClosed(CloseCodes.POLICY); // "Peer already connected": one id, one peer
      }
      assertEquals(1, hub.stats().get(Stat.PEERS));
    }
  }

  @Test
  void aDirectToTheOtherCaseOfAnIdReachesItsTarget() {
    try (HubServer hub = Hubs.start();
         TestPeer a = TestPeer.connect(hub.uri());
         TestPeer b = TestPeer.connect(hub.uri())) {
      a.announce("n");
      b.announce("n");
      a.expect("peer-discovered");
      b.expect("peer-discovered");
      a.send(Json.obj("type", "direct", "id", "d1", "targetPeerId", b.id().toUpperCase(Locale.ROOT), "data", "hi"));
      assertEquals("hi", b.expect("direct").get("data").getAsString());
      a.expect("ack");
    }
  }
}
