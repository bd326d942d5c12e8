package dev.loft.server;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonObject;
import dev.loft.protocol.CloseCodes;
import dev.loft.server.config.HubConfig;
import dev.loft.server.stats.Stat;
import dev.loft.server.support.Hubs;
import dev.loft.server.support.Json;
import dev.loft.server.support.ManualTicker;
import dev.loft.server.support.TestPeer;
import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** Each configured bound, hit on a real hub, refused with its code and counted in stats. */
class EveryBoundIsHitAndCountedTest {
  private HubServer hub;
  private final List<TestPeer> peers = new ArrayList<>();

  private URI start(HubConfig.Builder config) {
    hub = Hubs.start(config);
    return hub.uri();
  }

  private TestPeer peer() {
    TestPeer p = TestPeer.connect(hub.uri());
    peers.add(p);
    return p;
  }

  @AfterEach
  void stop() {
    peers.forEach(TestPeer::close);
    if (hub != null) {
      hub.close();
    }
  }

  @Test
  void peerOverMaxPeersIsClosedWithPolicyAndReason() {
    URI uri = start(Hubs.config().maxPeers(2));
    peer();
    peer();
    TestPeer third = TestPeer.connectRaw(uri, "a".repeat(40));
    assertEquals(CloseCodes.REASON_MAX_CONNECTIONS, third.expectClosed(CloseCodes.POLICY));
    assertEquals(1, hub.stats().get(Stat.REJECTED_MAX_PEERS));
    assertEquals(2, hub.stats().get(Stat.PEERS));
  }

  @Test
  void peerOverMaxPeersPerAddressIsClosedWithPolicyAndReason() {
    URI uri = start(Hubs.config().maxPeersPerAddress(1));
    peer();
    TestPeer second = TestPeer.connectRaw(uri, "b".repeat(40));
    assertEquals(CloseCodes.REASON_MAX_PER_ADDRESS, second.expectClosed(CloseCodes.POLICY));
    assertEquals(1, hub.stats().get(Stat.REJECTED_PER_ADDRESS));
  }

  @Test
  void frameOverMaxFrameBytesClosesWithTooBig() {
    start(Hubs.config().maxFrameBytes(4096));
    TestPeer p = peer();
    TestPeer bystander = peer();
    p.send(Json.obj("type", "publish", "topic", "t", "data", "x".repeat(5000)));
    p.expectClosed(CloseCodes.TOO_BIG);
    await().atMost(Duration.ofSeconds(5)).until(() -> hub.stats().get(Stat.CLOSED_TOO_BIG) == 1);
    bystander.send(Json.obj("type", "ping"));
    bystander.expect("pong");
  }

  @Test
  void subscriptionPastMaxTopicsPerPeerIsRefused() {
    start(Hubs.config().maxTopicsPerPeer(2));
    TestPeer p = peer();
    for (String t : new String[] {"a", "b"}) {
      p.send(Json.obj("type", "subscribe", "id", t, "topic", t));
      p.expect("ack");
    }
    p.send(Json.obj("type", "subscribe", "id", "c", "topic", "c"));
    assertEquals("c", p.expectError("TOO_MANY_TOPICS").get("id").getAsString());
    p.send(Json.obj("type", "subscribe", "id", "a2", "topic", "a"));
    p.expect("ack"); // re-subscribing to a held topic is not a new one
    assertEquals(1, hub.stats().get(Stat.TOPIC_LIMIT_HITS));
    assertEquals(2, hub.stats().get(Stat.SUBSCRIPTIONS));
  }

  @Test
  void topicPastMaxTopicsOnTheHubIsRefused() {
    start(Hubs.config().maxTopics(2));
    TestPeer a = peer();
    TestPeer b = peer();
    a.send(Json.obj("type", "subscribe", "id", "1", "topic", "one")).expect("ack");
    b.send(Json.obj("type", "subscribe", "id", "2", "topic", "two")).expect("ack");
    b.send(Json.obj("type", "subscribe", "id", "3", "topic", "three"));
    b.expectError("HUB_TOPIC_LIMIT");
    a.send(Json.obj("type", "subscribe", "id", "4", "topic", "two")).expect("ack");
    assertEquals(2, hub.stats().get(Stat.TOPICS));
  }

  @Test
  void networkPastMaxNetworksIsRefused() {
    start(Hubs.config().maxNetworks(1));
    TestPeer a = peer();
    TestPeer b = peer();
    a.send(Json.obj("type", "announce", "id", "a1", "networkName", "first")).expect("ack");
    b.send(Json.obj("type", "announce", "id", "b1", "networkName", "second"));
    b.expectError("HUB_NETWORK_LIMIT");
    assertEquals(1, hub.stats().get(Stat.NETWORK_LIMIT_HITS));
    assertEquals(1, hub.stats().get(Stat.NETWORKS));
  }

  @Test
  void discoveryIsCappedAtTheDiscoveryLimitEachWay() {
    start(Hubs.config().discoveryLimit(3));
    List<TestPeer> early = new ArrayList<>();
    for (int i = 0; i < 6; i++) {
      TestPeer p = peer();
      p.send(Json.obj("type", "announce", "id", "a" + i, "networkName", "big"));
      early.add(p);
    }
    TestPeer late = peer();
    late.send(Json.obj("type", "announce", "id", "late", "networkName", "big"));
    int discovered = 0;
    while (true) {
      JsonObject f = late.next();
      if (f.get("type").getAsString().equals("ack")) {
        break;
      }
      assertEquals("peer-discovered", f.get("type").getAsString());
      discovered++;
    }
    assertEquals(3, discovered, "the newcomer hears of at most discoveryLimit peers");
    assertTrue(hub.stats().get(Stat.DISCOVERY_CAPPED) >= 1);
    late.send(Json.obj("type", "presence", "id", "all", "networkName", "big"));
    JsonObject all = late.expectMatching(f -> f.has("id") && f.get("id").getAsString().equals("all"), "presence ack");
    assertEquals(7, all.getAsJsonObject("data").get("count").getAsInt(), "presence still lists everyone");
  }

  @Test
  void floodingPeerGetsRateLimitedThenDisconnectedWhileOthersAreServed() {
    ManualTicker clock = new ManualTicker();
    start(Hubs.config().ticker(clock).rateLimitPerSecond(10).rateLimitBurst(5).rateLimitMaxStrikes(3));
    TestPeer flood = peer();
    TestPeer calm = peer();
    for (int i = 0; i < 5; i++) {
      flood.send(Json.obj("type", "ping"));
      flood.expect("pong");
    }
    for (int i = 0; i < 3; i++) {
      flood.send(Json.obj("type", "ping"));
      flood.expectError("RATE_LIMITED");
    }
    flood.send(Json.obj("type", "ping"));
    flood.expectClosed(CloseCodes.RATE_LIMIT_EXCEEDED);
    assertEquals(4, hub.stats().get(Stat.RATE_LIMITED));
    assertEquals(1, hub.stats().get(Stat.EVICTED_RATE_LIMIT));
    calm.send(Json.obj("type", "ping"));
    calm.expect("pong");
  }

  @Test
  void rateLimitRefillsWithTime() {
    ManualTicker clock = new ManualTicker();
    start(Hubs.config().ticker(clock).rateLimitPerSecond(10).rateLimitBurst(2).rateLimitMaxStrikes(5));
    TestPeer p = peer();
    p.send(Json.obj("type", "ping")).expect("pong");
    p.send(Json.obj("type", "ping")).expect("pong");
    p.send(Json.obj("type", "ping")).expectError("RATE_LIMITED");
    clock.advance(Duration.ofMillis(100)); // one token at 10/s
    p.send(Json.obj("type", "ping")).expect("pong");
  }
}
