package dev.loft.server;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonObject;
import dev.loft.bus.ListenerCapExceededException;
import dev.loft.protocol.CloseCodes;
import dev.loft.protocol.PeerIds;
import dev.loft.server.events.HubEvents;
import dev.loft.server.support.Hubs;
import dev.loft.server.support.Json;
import dev.loft.server.support.TestPeer;
import java.time.Duration;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * A bus listener that throws is isolated: observers' errors are counted and the hub carries on;
 * an error while handling one peer's frame closes that peer (1011) and only that peer. The bus's
 * listener cap holds for the hub's own bus.
 */
class ThrowingBusListenerDoesNotKillTheHubTest {
  private static final Duration WAIT = Duration.ofSeconds(5);

  private HubServer hub;

  @AfterEach
  void stop() {
    if (hub != null) {
      hub.close();
    }
  }

  /** A stackless exception: the hub logs listener errors, and these are expected. */
  private static RuntimeException listenerBug(String what) {
    return new RuntimeException("listener bug on " + what + " (thrown by the test)", null, false, false) {};
  }

  private static void announce(TestPeer peer, String network) {
    peer.send(Json.obj("type", "announce", "id", "a", "networkName", network, "data", Json.obj()));
  }

  /** Two peers meet in {@code network} and relay an offer: the hub's main job works. */
  private static void meetAndRelayAnOffer(TestPeer a, TestPeer b, String network) {
    announce(a, network);
    a.expect("ack");
    announce(b, network);
    JsonObject aboutA = b.expect("peer-discovered");
    assertEquals(a.id(), aboutA.getAsJsonObject("data").get("peerId").getAsString());
    b.expect("ack");
    assertEquals(b.id(), a.expect("peer-discovered").getAsJsonObject("data").get("peerId").getAsString());
    a.send(Json.obj("type", "offer", "id", "o", "targetPeerId", b.id(), "data", Json.obj("sdp", "x")));
    JsonObject offer = b.expect("offer");
    assertEquals(a.id(), offer.get("fromPeerId").getAsString());
    assertEquals("o", a.expect("ack").get("id").getAsString());
  }

  @Test
  void throwingObserversOfConnectAndAnnounceAreCountedAndIgnored() {
    hub = Hubs.start();
    hub.bus().subscribe(HubEvents.PeerConnected.class, "bad-connected", e -> {
      throw listenerBug("connect");
    });
    hub.bus().subscribe(HubEvents.PeerAnnounced.class, "bad-announced", e -> {
      throw listenerBug("announce");
    });

    try (TestPeer a = TestPeer.connect(hub.uri()); TestPeer b = TestPeer.connect(hub.uri())) {
      meetAndRelayAnOffer(a, b, "room");
      await().atMost(WAIT).until(() -> hub.stats().listenerErrors() == 4);
      assertEquals(4L, hub.stats().errorsByCode().get("INTERNAL"), () -> hub.stats().errorsByCode().toString());
      assertEquals(2, hub.stats().peers());
      assertEquals(2, hub.stats().announcedPeers());
      assertTrue(hub.isRunning());
      // The throwing listeners are still registered and still isolated on the next peer.
      try (TestPeer c = TestPeer.connect(hub.uri())) {
        c.send(Json.obj("type", "ping"));
        c.expect("pong");
      }
      await().atMost(WAIT).until(() -> hub.stats().listenerErrors() == 5);
    }
  }

  @Test
  void anErrorWhileHandlingAFrameClosesThatPeerWith1011AndOnlyThatPeer() {
    hub = Hubs.start();
    String victimId = PeerIds.random();
    // Registered after the hub's "router": runs after the frame was handled, and throws.
    hub.bus().subscribe(HubEvents.FrameReceived.class, "bad-frame-observer", e -> {
      if (e.peer().id().equals(victimId)) {
        throw listenerBug("a frame");
      }
    });
    try (TestPeer a = TestPeer.connect(hub.uri());
        TestPeer b = TestPeer.connect(hub.uri());
        TestPeer victim = TestPeer.connectRaw(hub.uri(), victimId)) {
      victim.expect("connected");
      victim.send(Json.obj("type", "ping"));
      victim.expectClosed(CloseCodes.INTERNAL_ERROR);
      await().atMost(WAIT).until(() -> hub.stats().peers() == 2);
      assertEquals(1, hub.stats().listenerErrors());

      meetAndRelayAnOffer(a, b, "room");
      b.send(Json.obj("type", "ping"));
      b.expect("pong");
      assertEquals(2, hub.stats().peers(), "the other peers were not closed");
      assertEquals(1, hub.stats().listenerErrors());
    }
  }

  /**
   * The hub sends an INTERNAL error frame before the 1011 close; the close must not overtake or
   * discard it. Many victims, because losing it is a race between the selector and the evictor.
   */
  @Test
  void theVictimIsAlwaysToldWhatWentWrongBeforeTheClose() {
    hub = Hubs.start();
    Set<String> victims = ConcurrentHashMap.newKeySet();
    hub.bus().subscribe(HubEvents.FrameReceived.class, "bad-frame-observer", e -> {
      if (victims.contains(e.peer().id())) {
        throw listenerBug("a frame");
      }
    });
    for (int i = 0; i < 40; i++) {
      String victimId = PeerIds.random();
      victims.add(victimId);
      try (TestPeer victim = TestPeer.connectRaw(hub.uri(), victimId)) {
        victim.expect("connected");
        victim.send(Json.obj("type", "ping"));
        victim.expect("pong"); // the router ran first
        JsonObject error = victim.expectError("INTERNAL");
        assertTrue(error.get("error").getAsString().contains("internal error"), error::toString);
        victim.expectClosed(CloseCodes.INTERNAL_ERROR);
      }
    }
    assertEquals(40, hub.stats().listenerErrors());
  }

  @Test
  void theHubsBusEnforcesTheListenerCapPerType() {
    hub = Hubs.start(Hubs.config().maxListenersPerType(3));
    for (int i = 1; i <= 3; i++) {
      hub.bus().subscribe(HubEvents.PeerConnected.class, "observer-" + i, e -> {});
    }
    ListenerCapExceededException e = assertThrows(ListenerCapExceededException.class,
        () -> hub.bus().subscribe(HubEvents.PeerConnected.class, "observer-4", x -> {}));
    assertSame(HubEvents.PeerConnected.class, e.eventType());
    assertEquals(3, e.cap());
    assertTrue(e.getMessage().contains(HubEvents.PeerConnected.class.getName()), e::getMessage);
    assertTrue(e.getMessage().contains("observer-4"), e::getMessage);

    // The hub's own router counts against the cap of FrameReceived.
    hub.bus().subscribe(HubEvents.FrameReceived.class, "frame-1", x -> {});
    hub.bus().subscribe(HubEvents.FrameReceived.class, "frame-2", x -> {});
    ListenerCapExceededException frames = assertThrows(ListenerCapExceededException.class,
        () -> hub.bus().subscribe(HubEvents.FrameReceived.class, "frame-3", x -> {}));
    assertTrue(frames.existingListeners().contains("router"), frames.existingListeners()::toString);

    // Refused registrations leave nothing behind and the hub keeps working.
    assertEquals(3, hub.bus().listenerCount(HubEvents.PeerConnected.class));
    assertEquals(3, hub.bus().listenerCount(HubEvents.FrameReceived.class));
    try (TestPeer peer = TestPeer.connect(hub.uri())) {
      peer.send(Json.obj("type", "ping"));
      peer.expect("pong");
    }
  }
}
