package dev.loft.client;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonObject;
import com.google.gson.JsonPrimitive;
import dev.loft.client.support.Recorder;
import dev.loft.client.support.TestClients;
import dev.loft.client.support.TestHub;
import dev.loft.protocol.ErrorCode;
import dev.loft.protocol.PeerIds;
import dev.loft.protocol.SignalKind;
import dev.loft.server.HubServer;
import java.time.Duration;
import java.util.concurrent.CompletionException;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Guards the PeerPigeon path: announce, discovery both ways, signals relayed with the hub's stamp. */
class TwoClientsDiscoverAndRelaySignalsTest {
  private static final Duration WAIT = Duration.ofSeconds(10);

  private HubServer hub;
  private HubClient alice;
  private HubClient bob;

  @BeforeEach
  void start() {
    hub = TestHub.start();
    JsonObject aliceData = new JsonObject();
    aliceData.addProperty("nick", "alice");
    alice = HubClients.create(TestClients.options(TestHub.uri(hub)).networkName("room-1").announceData(aliceData).build());
    bob = HubClients.create(TestClients.options(TestHub.uri(hub)).networkName("room-1").build());
  }

  @AfterEach
  void stop() {
    alice.close();
    bob.close();
    hub.close();
  }

  @Test
  void peersDiscoverEachOtherAndRelayOfferAnswerAndIce() {
    Recorder<PeerDiscovered> bobSees = new Recorder<>();
    Recorder<PeerDiscovered> aliceSees = new Recorder<>();
    Recorder<IncomingSignal> bobSignals = new Recorder<>();
    Recorder<IncomingSignal> aliceSignals = new Recorder<>();
    bob.onPeerDiscovered("test", bobSees);
    alice.onPeerDiscovered("test", aliceSees);
    bob.onSignal("test", bobSignals);
    alice.onSignal("test", aliceSignals);

    alice.connect().orTimeout(10, java.util.concurrent.TimeUnit.SECONDS).join();
    bob.connect().orTimeout(10, java.util.concurrent.TimeUnit.SECONDS).join();

    // Bob joined second: he is told about Alice (with her announce data), Alice about him.
    await().atMost(WAIT).until(() -> bobSees.any(p -> p.peerId().equals(alice.peerId())));
    await().atMost(WAIT).until(() -> aliceSees.any(p -> p.peerId().equals(bob.peerId())));
    PeerDiscovered seenAlice = bobSees.all().stream().filter(p -> p.peerId().equals(alice.peerId())).findFirst().orElseThrow();
    assertEquals("alice", seenAlice.data().get("nick").getAsString());
    assertEquals("room-1", seenAlice.networkName());

    JsonObject sdp = new JsonObject();
    sdp.addProperty("sdp", "v=0 offer");
    alice.sendOffer(bob.peerId(), sdp).join();
    await().atMost(WAIT).until(() -> bobSignals.size() == 1);
    IncomingSignal offer = bobSignals.all().get(0);
    assertEquals(SignalKind.OFFER, offer.kind());
    assertEquals(alice.peerId(), offer.fromPeerId(), "the hub stamps the sender");
    assertEquals("v=0 offer", offer.data().getAsJsonObject().get("sdp").getAsString());

    bob.sendAnswer(offer.fromPeerId(), new JsonPrimitive("answer")).join();
    bob.sendIceCandidate(offer.fromPeerId(), new JsonPrimitive("candidate:1")).join();
    await().atMost(WAIT).until(() -> aliceSignals.size() == 2);
    assertEquals(SignalKind.ANSWER, aliceSignals.all().get(0).kind());
    assertEquals(SignalKind.ICE_CANDIDATE, aliceSignals.all().get(1).kind());
    assertTrue(aliceSignals.all().stream().allMatch(s -> s.fromPeerId().equals(bob.peerId())));
  }

  @Test
  void directMessagesArriveAndLeavingIsSeen() {
    Recorder<DirectMessage> bobInbox = new Recorder<>();
    Recorder<PeerLeft> aliceSeesLeaving = new Recorder<>();
    bob.onDirectMessage("inbox", bobInbox);
    alice.onPeerLeft("test", aliceSeesLeaving);
    alice.connect().join();
    bob.connect().join();

    alice.sendDirect(bob.peerId(), new JsonPrimitive("hi bob")).join();
    await().atMost(WAIT).until(() -> bobInbox.size() == 1);
    assertEquals(alice.peerId(), bobInbox.all().get(0).fromPeerId());
    assertEquals("hi bob", bobInbox.all().get(0).data().getAsString());

    Presence room = alice.presence("room-1").join();
    assertTrue(room.peers().containsAll(java.util.List.of(alice.peerId(), bob.peerId())), room.toString());

    bob.close();
    await().atMost(WAIT).until(() -> aliceSeesLeaving.any(p -> p.peerId().equals(bob.peerId())));
  }

  @Test
  void signalToUnknownPeerFailsWithTheHubsCode() {
    alice.connect().join();
    CompletionException failure =
        assertThrows(CompletionException.class, () -> alice.sendOffer(PeerIds.random(), new JsonObject()).join());
    HubRequestException error = (HubRequestException) failure.getCause();
    assertEquals(ErrorCode.PEER_NOT_FOUND, error.errorCode());
    assertEquals("PEER_NOT_FOUND", error.code());
  }
}
