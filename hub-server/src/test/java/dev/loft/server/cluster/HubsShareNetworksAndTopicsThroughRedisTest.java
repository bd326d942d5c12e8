package dev.loft.server.cluster;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonArray;
import com.google.gson.JsonObject;
import dev.loft.protocol.CloseCodes;
import dev.loft.protocol.PeerIds;
import dev.loft.server.HubServer;
import dev.loft.server.stats.Stat;
import dev.loft.server.support.ClusterHubs;
import dev.loft.server.support.Hubs;
import dev.loft.server.support.Json;
import dev.loft.server.support.RedisServer;
import dev.loft.server.support.TestPeer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Three hubs and one real Redis behave as one hub: a client cannot tell which hub holds the
 * other peer. Each test guards against one way a cluster fails its peers: a publication lost or
 * doubled on another hub, a peer on another hub that cannot be discovered or signalled, presence
 * that lists only one hub, a departure that other hubs never hear of.
 */
class HubsShareNetworksAndTopicsThroughRedisTest {
  private static RedisServer redis;
  private final List<HubServer> hubs = new ArrayList<>();

  @BeforeAll
  static void startRedis() {
    redis = RedisServer.onFreePort();
  }

  @AfterAll
  static void stopRedis() {
    redis.close();
  }

  @BeforeEach
  void startHubs() {
    for (int i = 0; i < 3; i++) {
      hubs.add(Hubs.start(ClusterHubs.config(redis, "hub" + i)));
    }
    ClusterHubs.awaitMesh(hubs);
  }

  @AfterEach
  void stopHubs() {
    hubs.forEach(HubServer::close);
  }

  @Test
  void aPublishOnOneHubReachesSubscribersOnEveryHubExactlyOnceInOrder() {
    int perHub = 33;
    int messages = 50;
    List<TestPeer> subscribers = new ArrayList<>();
    try {
      for (HubServer hub : hubs) {
        for (int i = 0; i < perHub; i++) {
          TestPeer s = TestPeer.connect(hub.uri());
          s.send(Json.obj("type", "subscribe", "topic", "news", "id", "s"));
          s.expect("ack");
          subscribers.add(s);
        }
      }
      ClusterHubs.awaitFollowed(redis, "loft.t.news", 3);
      try (TestPeer publisher = TestPeer.connect(hubs.get(0).uri())) {
        for (int m = 0; m < messages; m++) {
          publisher.send(Json.obj("type", "publish", "topic", "news", "data", Json.obj("n", m)));
        }
        for (TestPeer s : subscribers) {
          for (int m = 0; m < messages; m++) {
            JsonObject message = s.expect("message");
            assertEquals(m, message.getAsJsonObject("data").get("n").getAsInt(), "in order, once each");
            assertEquals(publisher.id(), message.get("fromPeerId").getAsString());
          }
          s.expectNothingFor(0);
        }
        subscribers.get(0).expectNothingFor(300); // and nothing doubled later
      }
    } finally {
      subscribers.forEach(TestPeer::close);
    }
  }

  @Test
  void peersOnTwoHubsDiscoverEachOtherAndSignalAsOnOneHub() {
    try (TestPeer a = TestPeer.connect(hubs.get(0).uri()); TestPeer b = TestPeer.connect(hubs.get(1).uri())) {
      a.announce("room");
      ClusterHubs.awaitFollowed(redis, "loft.n.room", 1);
      b.announce("room");
      JsonObject aboutB = a.expect("peer-discovered");
      assertEquals(b.id(), aboutB.getAsJsonObject("data").get("peerId").getAsString());
      assertEquals(a.id(), aboutB.get("targetPeerId").getAsString());
      JsonObject aboutA = b.expect("peer-discovered");
      assertEquals(a.id(), aboutA.getAsJsonObject("data").get("peerId").getAsString());

      for (String type : new String[] {"offer", "answer", "ice-candidate"}) {
        TestPeer from = type.equals("answer") ? b : a;
        TestPeer to = from == a ? b : a;
        from.send(Json.obj("type", type, "targetPeerId", to.id(), "networkName", "room",
            "data", Json.obj("sdp", "v=0 " + type)));
        JsonObject relayed = to.expect(type);
        assertEquals(from.id(), relayed.get("fromPeerId").getAsString());
        assertEquals("v=0 " + type, relayed.getAsJsonObject("data").get("sdp").getAsString());
      }
      a.send(Json.obj("type", "direct", "targetPeerId", b.id(), "id", "d1", "data", Json.obj("hi", 1)));
      a.expect("ack");
      assertEquals(a.id(), b.expect("direct").get("fromPeerId").getAsString());
    }
  }

  @Test
  void presenceFromAnyHubListsThePeersOfEveryHub() {
    List<TestPeer> peers = new ArrayList<>();
    try {
      Set<String> ids = new HashSet<>();
      for (HubServer hub : hubs) {
        TestPeer p = TestPeer.connect(hub.uri());
        p.announce("lobby");
        peers.add(p);
        ids.add(p.id());
        ClusterHubs.awaitFollowed(redis, "loft.n.lobby", peers.size());
      }
      for (TestPeer asker : peers) {
        await().atMost(Duration.ofSeconds(5)).until(() -> {
          asker.send(Json.obj("type", "presence", "networkName", "lobby", "id", "p"));
          JsonObject ack = asker.expectMatching(f -> f.get("type").getAsString().equals("ack"), "presence ack");
          JsonArray listed = ack.getAsJsonObject("data").getAsJsonArray("peers");
          Set<String> seen = new HashSet<>();
          listed.forEach(e -> seen.add(e.getAsString()));
          return seen.equals(ids) && ack.getAsJsonObject("data").get("count").getAsInt() == 3;
        });
      }
    } finally {
      peers.forEach(TestPeer::close);
    }
  }

  @Test
  void aPeerThatLeavesOneHubIsReportedDisconnectedOnTheOthers() {
    try (TestPeer a = TestPeer.connect(hubs.get(0).uri()); TestPeer b = TestPeer.connect(hubs.get(2).uri())) {
      ClusterHubs.meet(redis, a, b, "room");
      b.close();
      JsonObject gone = a.expect("peer-disconnected");
      assertEquals(b.id(), gone.getAsJsonObject("data").get("peerId").getAsString());
      await().atMost(Duration.ofSeconds(5)).until(() -> hubs.get(0).stats().get(Stat.CLUSTER_REMOTE_PEERS) == 0);
    }
  }

  @Test
  void aStoppedHubsPeersAreGoneFromTheOthersAtOnce() {
    try (TestPeer a = TestPeer.connect(hubs.get(0).uri()); TestPeer b = TestPeer.connect(hubs.get(1).uri())) {
      a.announce("room");
      ClusterHubs.awaitFollowed(redis, "loft.n.room", 1);
      b.announce("room");
      a.expect("peer-discovered");
      hubs.get(1).close();
      JsonObject gone = a.expect("peer-disconnected");
      assertEquals(b.id(), gone.getAsJsonObject("data").get("peerId").getAsString());
      a.expectNothingFor(300); // once, whether the close or the hub's goodbye said it first
    }
  }

  @Test
  void theSamePeerIdOnTwoHubsKeepsTheFirstConnectionAndRefusesTheSecond() {
    String id = PeerIds.random();
    try (TestPeer first = TestPeer.connectRaw(hubs.get(0).uri(), id);
         TestPeer watcher = TestPeer.connect(hubs.get(2).uri())) {
      first.expect("connected");
      ClusterHubs.meet(redis, first, watcher, "room");
      try (TestPeer second = TestPeer.connectRaw(hubs.get(1).uri(), id)) {
        second.expect("connected");
        second.announce("room");
        assertEquals(CloseCodes.REASON_ALREADY_CONNECTED, second.expectClosed(CloseCodes.POLICY));
      }
      first.expectNothingFor(300); // the first keeps its connection and its id
      assertTrue(hubs.get(1).stats().get(Stat.CLUSTER_DUPLICATES_REFUSED) == 1);
      watcher.send(Json.obj("type", "direct", "targetPeerId", id, "id", "d", "data", 1));
      // (the second connection was introduced too before it was refused: same id, nothing new)
      watcher.expectMatching(f -> f.get("type").getAsString().equals("ack"), "the direct's ack");
      assertEquals(watcher.id(), first.expect("direct").get("fromPeerId").getAsString(), "still reachable");
    }
  }

  @Test
  void churnAcrossHubsLeavesNoChannelBehindAndNoRemotePeer() {
    for (int round = 0; round < 20; round++) {
      try (TestPeer a = TestPeer.connect(hubs.get(round % 3).uri());
           TestPeer b = TestPeer.connect(hubs.get((round + 1) % 3).uri())) {
        a.announce("churn-" + round);
        b.send(Json.obj("type", "subscribe", "topic", "churn-" + round, "id", "s"));
        b.expect("ack");
        a.send(Json.obj("type", "publish", "topic", "churn-" + round, "data", round));
      }
    }
    await().atMost(Duration.ofSeconds(10)).until(() -> redis.channels().stream().noneMatch(c -> c.contains("churn"))
        && hubs.stream().allMatch(h -> h.stats().get(Stat.CLUSTER_REMOTE_PEERS) == 0
            && h.stats().get(Stat.REDIS_CHANNELS) == 1)); // the heartbeat channel (the node channel is not counted)
    assertEquals(0L, ((List<?>) redis.command("KEYS", "*")).size(), "no Redis key at all");
  }

  /** The first members of a network arriving on two hubs at once (the relay stress scenario's start). */
  @Test
  void firstMembersOfANetworkOnTwoHubsAtOnceStillDiscoverEachOther() {
    for (int round = 0; round < 20; round++) {
      try (TestPeer a = TestPeer.connect(hubs.get(0).uri()); TestPeer b = TestPeer.connect(hubs.get(1).uri())) {
        a.announce("race-" + round);
        b.announce("race-" + round);
        assertEquals(b.id(), a.expect("peer-discovered").getAsJsonObject("data").get("peerId").getAsString());
        assertEquals(a.id(), b.expect("peer-discovered").getAsJsonObject("data").get("peerId").getAsString());
      }
    }
  }

  @Test
  void anOperatorsKickAndPublishOnOneHubReachPeersOnAnother() {
    try (HubServer operated = Hubs.start(ClusterHubs.config(redis, "operated").adminPort(0)
             .adminToken(dev.loft.server.support.AbuseTokens.ADMIN));
         TestPeer far = TestPeer.connect(hubs.get(2).uri())) {
      ClusterHubs.awaitMesh(List.of(operated, hubs.get(0), hubs.get(1), hubs.get(2)));
      dev.loft.server.support.AdminHttp admin = new dev.loft.server.support.AdminHttp(operated.adminPort());
      far.send(Json.obj("type", "subscribe", "topic", "ops", "id", "s"));
      far.expect("ack");
      ClusterHubs.awaitFollowed(redis, "loft.t.ops", 1);
      assertEquals(2, admin.post("/publish", dev.loft.server.support.AbuseTokens.ADMIN,
          Json.obj("topic", "ops", "data", "notice").toString()).statusCode() / 100);
      JsonObject notice = far.expect("message");
      assertEquals("system", notice.get("fromPeerId").getAsString());

      assertEquals(202, admin.delete("/peers/" + far.id(), dev.loft.server.support.AbuseTokens.ADMIN).statusCode(),
          "not on this hub: forwarded to the others");
      far.expectClosed(CloseCodes.KICKED);
      await().atMost(Duration.ofSeconds(5)).until(() -> hubs.get(2).stats().get(Stat.KICKED) == 1);
    }
  }

  @Test
  void topicPresenceFromAHubWithoutSubscribersListsThoseOfEveryOtherHub() {
    List<TestPeer> subscribers = new ArrayList<>();
    try (TestPeer asker = TestPeer.connect(hubs.get(0).uri())) {
      Set<String> ids = new HashSet<>();
      for (int i = 1; i < 3; i++) {
        for (int j = 0; j < 2; j++) {
          TestPeer s = TestPeer.connect(hubs.get(i).uri());
          s.send(Json.obj("type", "subscribe", "topic", "who", "id", "s"));
          s.expect("ack");
          subscribers.add(s);
          ids.add(s.id());
        }
      }
      asker.send(Json.obj("type", "presence", "topic", "who", "id", "p"));
      JsonObject data = asker.expect("ack").getAsJsonObject("data");
      assertEquals(4, data.get("count").getAsInt(), "two hubs' subscribers, none here");
      Set<String> listed = new HashSet<>();
      data.getAsJsonArray("peers").forEach(e -> listed.add(e.getAsString()));
      assertEquals(ids, listed);
      assertEquals(0, hubs.get(0).stats().get(Stat.CLUSTER_PRESENCE_TIMEOUTS), "every hub answered");
      assertEquals(0, hubs.get(0).stats().get(Stat.CLUSTER_PRESENCE_PENDING), "nothing left waiting");
    } finally {
      subscribers.forEach(TestPeer::close);
    }
  }
}
