package dev.loft.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonObject;
import dev.loft.server.stats.Stat;
import dev.loft.server.support.Hubs;
import dev.loft.server.support.Json;
import dev.loft.server.support.TestPeer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** PeerPigeon signaling between peers: discovery both ways, relay, and isolation of networks. */
class SignalingStaysInsideItsNetworkTest {
  private HubServer hub;

  @BeforeEach
  void start() {
    hub = Hubs.start();
  }

  @AfterEach
  void stop() {
    hub.close();
  }

  @Test
  void announcedPeersDiscoverEachOtherAndRelayOfferAnswerAndIce() {
    try (TestPeer a = TestPeer.connect(hub.uri()); TestPeer b = TestPeer.connect(hub.uri())) {
      a.announce("room");
      b.announce("room");
      JsonObject aboutB = a.expect("peer-discovered");
      assertEquals(b.id(), aboutB.getAsJsonObject("data").get("peerId").getAsString());
      assertEquals("room", aboutB.get("networkName").getAsString());
      assertEquals(a.id(), aboutB.get("targetPeerId").getAsString());
      assertEquals("system", aboutB.get("fromPeerId").getAsString());
      JsonObject aboutA = b.expect("peer-discovered");
      assertEquals(a.id(), aboutA.getAsJsonObject("data").get("peerId").getAsString());
      assertFalse(aboutA.getAsJsonObject("data").get("isHub").getAsBoolean());

      for (String type : new String[] {"offer", "answer", "ice-candidate"}) {
        a.send(Json.obj("type", type, "targetPeerId", b.id(), "networkName", "room",
            "data", Json.obj("sdp", "v=0 " + type)));
        JsonObject relayed = b.expect(type);
        assertEquals(a.id(), relayed.get("fromPeerId").getAsString());
        assertEquals(b.id(), relayed.get("targetPeerId").getAsString());
        assertEquals("room", relayed.get("networkName").getAsString());
        assertEquals("v=0 " + type, relayed.getAsJsonObject("data").get("sdp").getAsString());
        assertTrue(relayed.get("timestamp").getAsLong() > 0);
      }
    }
  }

  @Test
  void spoofedFromPeerIdIsOverwrittenWithTheSender() {
    try (TestPeer a = TestPeer.connect(hub.uri()); TestPeer b = TestPeer.connect(hub.uri())) {
      a.announce("n");
      b.announce("n");
      a.expect("peer-discovered");
      b.expect("peer-discovered");
      String forged = "f".repeat(40);
      a.send(Json.obj("type", "offer", "targetPeerId", b.id(), "fromPeerId", forged, "data", Json.obj()));
      assertEquals(a.id(), b.expect("offer").get("fromPeerId").getAsString());
      // Re-announcing into the same network tells no one (discovery runs when the network
      // changes), so the forged data is seen by the next peer to join.
      a.send(Json.obj("type", "announce", "networkName", "n", "data", Json.obj("peerId", forged, "isHub", true)));
      try (TestPeer c = TestPeer.connect(hub.uri())) {
        c.announce("n");
        JsonObject aSeenByC = c.expectMatching(f -> f.get("type").getAsString().equals("peer-discovered")
            && !f.getAsJsonObject("data").get("peerId").getAsString().equals(b.id()), "a's discovery").getAsJsonObject("data");
        assertEquals(a.id(), aSeenByC.get("peerId").getAsString(), "announce data cannot claim another id");
        assertFalse(aSeenByC.get("isHub").getAsBoolean(), "announce data cannot claim to be a hub");
      }
    }
  }

  @Test
  void signalToAPeerInAnotherNetworkGetsAnErrorAndIsNotDelivered() {
    try (TestPeer a = TestPeer.connect(hub.uri());
        TestPeer b = TestPeer.connect(hub.uri());
        TestPeer c = TestPeer.connect(hub.uri())) {
      a.announce("red");
      b.announce("red");
      c.announce("blue");
      a.expect("peer-discovered");
      b.expect("peer-discovered");
      a.send(Json.obj("type", "offer", "id", "o1", "targetPeerId", c.id(), "data", Json.obj()));
      JsonObject error = a.expectError("PEER_NOT_FOUND");
      assertEquals("o1", error.get("id").getAsString());
      a.send(Json.obj("type", "offer", "targetPeerId", "0".repeat(40), "data", Json.obj()));
      a.expectError("PEER_NOT_FOUND");
      c.expectNothingFor(200);
    }
  }

  @Test
  void signalBeforeAnnounceIsRefusedWithNotAnnounced() {
    try (TestPeer a = TestPeer.connect(hub.uri()); TestPeer b = TestPeer.connect(hub.uri())) {
      b.announce("n");
      a.send(Json.obj("type", "offer", "targetPeerId", b.id(), "data", Json.obj()));
      a.expectError("NOT_ANNOUNCED");
    }
  }

  @Test
  void disconnectIsAnnouncedOnlyToPeersOfTheSameNetwork() {
    try (TestPeer a = TestPeer.connect(hub.uri());
        TestPeer b = TestPeer.connect(hub.uri());
        TestPeer other = TestPeer.connect(hub.uri())) {
      a.announce("red");
      b.announce("red");
      other.announce("blue");
      a.expect("peer-discovered");
      b.expect("peer-discovered");
      b.close();
      JsonObject gone = a.expect("peer-disconnected");
      assertEquals(b.id(), gone.getAsJsonObject("data").get("peerId").getAsString());
      assertEquals("red", gone.get("networkName").getAsString());
      other.expectNothingFor(300);
    }
  }

  @Test
  void goodbyeLeavesTheNetworkButKeepsTheSocket() {
    try (TestPeer a = TestPeer.connect(hub.uri()); TestPeer b = TestPeer.connect(hub.uri())) {
      a.announce("n");
      b.announce("n");
      a.expect("peer-discovered");
      b.expect("peer-discovered");
      b.send(Json.obj("type", "goodbye", "id", "g", "fromPeerId", "e".repeat(40), "data", Json.obj("peerId", b.id())));
      b.expect("ack");
      JsonObject relayed = a.expect("goodbye"); // what PeerPigeon's client acts on
      assertEquals(b.id(), relayed.get("fromPeerId").getAsString());
      assertEquals("n", relayed.get("networkName").getAsString());
      a.expect("peer-disconnected");
      b.send(Json.obj("type", "ping"));
      JsonObject pong = b.expect("pong");
      assertEquals(b.id(), pong.get("targetPeerId").getAsString());
      assertEquals(0, hub.stats().get(Stat.NETWORKS) - 1, "only a's network is left");
    }
  }
}
