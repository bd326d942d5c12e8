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
import dev.loft.server.stats.Stat;
import dev.loft.server.support.Hubs;
import dev.loft.server.support.Json;
import dev.loft.server.support.TestPeer;
import java.time.Duration;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * A bus listener that throws is isolated: observers' errors are counted and the hub carries on,
 * whatever event they observed, the peers' frames included; only the router's own failure on a
 * frame closes that peer (1011). The bus's listener cap holds for observers, the hub's own
 * listeners not counted.
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
      await().atMost(WAIT).until(() -> hub.stats().get(Stat.LISTENER_ERRORS) == 4);
      // Counted as listener errors; no error frame went to a peer, so none is counted as sent.
      assertEquals(null, hub.stats().keyed(Stat.ERRORS_BY_CODE).get("INTERNAL"), () -> hub.stats().keyed(Stat.ERRORS_BY_CODE).toString());
      assertEquals(2, hub.stats().get(Stat.PEERS));
      assertEquals(2, hub.stats().get(Stat.ANNOUNCED_PEERS));
      assertTrue(hub.isRunning());
      // The throwing listeners are still registered and still isolated on the next peer.
      try (TestPeer c = TestPeer.connect(hub.uri())) {
        c.send(Json.obj("type", "ping"));
        c.expect("pong");
      }
      await().atMost(WAIT).until(() -> hub.stats().get(Stat.LISTENER_ERRORS) == 5);
    }
  }

  /**
   * An observer of received frames that throws used to get the peer whose frame it observed
   * closed with 1011: one operator's buggy plugin disconnected peers that did nothing wrong.
   */
  @Test
  void anObserverThatFailsOnAFrameLeavesThatPeerConnected() {
    hub = Hubs.start();
    String victimId = PeerIds.random();
    // Registered after the hub's router: runs after the frame was handled, and throws.
    hub.bus().subscribe(HubEvents.FrameReceived.class, "bad-frame-observer", e -> {
      if (e.peer().id().equals(victimId)) {
        throw listenerBug("a frame");
      }
    });
    try (TestPeer a = TestPeer.connect(hub.uri());
        TestPeer b = TestPeer.connect(hub.uri());
        TestPeer victim = TestPeer.connectRaw(hub.uri(), victimId)) {
      victim.expect("connected");
      for (int i = 0; i < 3; i++) {
        victim.send(Json.obj("type", "ping"));
        victim.expect("pong"); // the router handled it; the observer's failure changed nothing for the peer
      }
      await().atMost(WAIT).until(() -> hub.stats().get(Stat.LISTENER_ERRORS) == 3);
      assertEquals(3, hub.stats().get(Stat.PEERS), "no peer was closed");
      assertEquals(null, hub.stats().keyed(Stat.ERRORS_BY_CODE).get("INTERNAL"), "the victim was sent no error");

      meetAndRelayAnOffer(a, b, "room");
      victim.send(Json.obj("type", "ping"));
      victim.expect("pong");
    }
  }

  /**
   * An eviction explains itself: the error frame that earned it reaches the peer before the close
   * frame, whatever the race between the evictor and the selector (here: strikes for flooding).
   */
  @Test
  void anEvictedPeerIsAlwaysToldWhyBeforeTheClose() {
    hub = Hubs.start(Hubs.config().rateLimitPerSecond(10).rateLimitBurst(10).rateLimitMaxStrikes(3));
    for (int i = 0; i < 20; i++) {
      try (TestPeer victim = TestPeer.connect(hub.uri())) {
        // One frame at a time, each answered before the next: no frame of the victim is left
        // unread when the hub closes (unread data would make the close a reset, and a reset
        // may discard what the victim had not read yet: that would be the test's race, not the hub's).
        boolean warned = false;
        boolean closed = false;
        for (int f = 0; f < 100 && !closed; f++) {
          victim.send(Json.obj("type", "ping"));
          try {
            JsonObject answer = victim.next();
            warned |= answer.get("type").getAsString().equals("error")
                && answer.get("code").getAsString().equals("RATE_LIMITED");
          } catch (AssertionError closedByTheHub) {
            closed = true;
          }
        }
        assertTrue(warned, "victim " + i + " was told RATE_LIMITED before the close");
        victim.expectClosed(CloseCodes.RATE_LIMIT_EXCEEDED);
      }
    }
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

    // The hub's own router does not take an observer's place under the cap of FrameReceived.
    for (int i = 1; i <= 3; i++) {
      hub.bus().subscribe(HubEvents.FrameReceived.class, "frame-" + i, x -> {});
    }
    ListenerCapExceededException frames = assertThrows(ListenerCapExceededException.class,
        () -> hub.bus().subscribe(HubEvents.FrameReceived.class, "frame-4", x -> {}));
    assertTrue(frames.existingListeners().contains("router"), frames.existingListeners()::toString);

    // Refused registrations leave nothing behind and the hub keeps working.
    assertEquals(3, hub.bus().listenerCount(HubEvents.PeerConnected.class));
    assertEquals(4, hub.bus().listenerCount(HubEvents.FrameReceived.class), "the router and three observers");
    try (TestPeer peer = TestPeer.connect(hub.uri())) {
      peer.send(Json.obj("type", "ping"));
      peer.expect("pong");
    }
  }
}
