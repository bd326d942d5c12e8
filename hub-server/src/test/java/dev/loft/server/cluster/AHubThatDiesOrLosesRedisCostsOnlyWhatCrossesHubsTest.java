package dev.loft.server.cluster;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonObject;
import dev.loft.server.HubServer;
import dev.loft.server.stats.Stat;
import dev.loft.server.support.AdminHttp;
import dev.loft.server.support.ChildHub;
import dev.loft.server.support.ClusterHubs;
import dev.loft.server.support.Json;
import dev.loft.server.support.RedisServer;
import dev.loft.server.support.TestPeer;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * What a cluster must survive: a hub killed without a word (its peers must not stay in the other
 * hubs' presence for ever, PeerPigeon's mesh's failure), and Redis going away (local delivery
 * must not notice; cross-hub delivery must come back by itself, not silently stay lost).
 */
class AHubThatDiesOrLosesRedisCostsOnlyWhatCrossesHubsTest {
  private RedisServer redis;
  private HubServer hub;

  @BeforeEach
  void start() {
    redis = RedisServer.onFreePort();
    hub = dev.loft.server.support.Hubs.start(ClusterHubs.config(redis, "survivor"));
  }

  @AfterEach
  void stop() {
    hub.close();
    redis.close();
  }

  @Test
  void aHubKilledWithSigkillIsForgottenAndItsPeersReportedGoneWithinTwoTtl() throws Exception {
    long ttlSeconds = ClusterHubs.TTL.toSeconds();
    try (ChildHub doomed = ChildHub.start("128m", "--redis", redis.uri(), "--node-id", "doomed",
            "--presence-ttl", ttlSeconds + "s");
         TestPeer a = TestPeer.connect(hub.uri());
         TestPeer b = TestPeer.connect(doomed.uri())) {
      await().atMost(10, TimeUnit.SECONDS).until(() -> hub.stats().get(Stat.CLUSTER_NODES) == 1); // it is linked
      a.announce("room");
      ClusterHubs.awaitFollowed(redis, "loft.n.room", 1);
      b.announce("room");
      a.expect("peer-discovered");
      await().atMost(5, TimeUnit.SECONDS).until(() -> hub.stats().get(Stat.CLUSTER_REMOTE_PEERS) == 1);

      doomed.process().destroyForcibly(); // SIGKILL: no goodbye, no leave
      await().atMost(2 * ttlSeconds, TimeUnit.SECONDS)
          .until(() -> hub.stats().get(Stat.CLUSTER_REMOTE_PEERS) == 0);
      JsonObject gone = a.expect("peer-disconnected");
      assertEquals(b.id(), gone.getAsJsonObject("data").get("peerId").getAsString());
      assertEquals(1, hub.stats().get(Stat.CLUSTER_NODES_EXPIRED));
      a.send(Json.obj("type", "presence", "networkName", "room", "id", "p"));
      assertEquals(1, a.expect("ack").getAsJsonObject("data").get("count").getAsInt(), "only a is left");
    }
  }

  @Test
  void whileRedisIsDownLocalDeliveryGoesOnAndCrossHubDeliveryComesBackByItself() {
    try (HubServer other = dev.loft.server.support.Hubs.start(ClusterHubs.config(redis, "other"));
         TestPeer here = TestPeer.connect(hub.uri());
         TestPeer there = TestPeer.connect(other.uri());
         TestPeer publisher = TestPeer.connect(hub.uri())) {
      for (TestPeer s : new TestPeer[] {here, there}) {
        s.send(Json.obj("type", "subscribe", "topic", "t", "id", "s"));
        s.expect("ack");
      }
      ClusterHubs.awaitFollowed(redis, "loft.t.t", 2);
      publisher.send(Json.obj("type", "publish", "topic", "t", "data", "before"));
      here.expect("message");
      there.expect("message");

      redis.stop();
      await().atMost(5, TimeUnit.SECONDS).until(() -> !hub.stats().flag(Stat.REDIS_LINK_UP));
      long droppedBefore = hub.stats().get(Stat.CLUSTER_SEND_DROPPED);
      publisher.send(Json.obj("type", "publish", "topic", "t", "data", "during"));
      assertEquals("during", here.expect("message").get("data").getAsString(), "local delivery untouched");
      await().atMost(5, TimeUnit.SECONDS).until(() -> hub.stats().get(Stat.CLUSTER_SEND_DROPPED) > droppedBefore);

      redis.start();
      AtomicInteger sent = new AtomicInteger();
      await().atMost(5, TimeUnit.SECONDS).until(() -> {
        publisher.send(Json.obj("type", "publish", "topic", "t", "data", "after-" + sent.incrementAndGet()));
        here.expect("message");
        JsonObject got = there.nextOrNull(200);
        return got != null && got.get("data").getAsString().startsWith("after-");
      });
      assertTrue(hub.stats().get(Stat.REDIS_RECONNECTS) > 0);
    }
  }

  @Test
  void healthSaysWhenTheRedisLinkIsDownAndStaysOkForThePeersHere() {
    try (HubServer watched = dev.loft.server.support.Hubs.start(ClusterHubs.config(redis, "watched").adminPort(0))) {
      AdminHttp admin = new AdminHttp(watched.adminPort());
      await().atMost(10, TimeUnit.SECONDS).until(() -> "up".equals(redisStatus(admin)));
      redis.stop();
      await().atMost(10, TimeUnit.SECONDS).until(() -> "down".equals(redisStatus(admin)));
      assertEquals(200, admin.get("/health").statusCode(), "the hub still serves its own peers");
      redis.start();
      await().atMost(10, TimeUnit.SECONDS).until(() -> "up".equals(redisStatus(admin)));
    }
  }

  private static String redisStatus(AdminHttp admin) {
    JsonObject body = com.google.gson.JsonParser.parseString(admin.get("/health").body()).getAsJsonObject();
    return body.has("redis") ? body.getAsJsonObject("redis").get("status").getAsString() : null;
  }

  @Test
  void aPeerThatAnnouncesWhileRedisIsDownMeetsTheOtherHubsPeersWhenItIsBack() {
    try (HubServer other = dev.loft.server.support.Hubs.start(ClusterHubs.config(redis, "other"));
         TestPeer early = TestPeer.connect(hub.uri());
         TestPeer late = TestPeer.connect(other.uri())) {
      ClusterHubs.awaitMesh(java.util.List.of(hub, other));
      early.announce("room");
      ClusterHubs.awaitFollowed(redis, "loft.n.room", 1);
      redis.stop();
      await().atMost(5, TimeUnit.SECONDS).until(() -> !other.stats().flag(Stat.REDIS_LINK_UP));
      late.announce("room"); // its join is dropped: kept to be sent again
      redis.start();
      assertEquals(late.id(), early.expect("peer-discovered").getAsJsonObject("data").get("peerId").getAsString());
      assertEquals(early.id(), late.expect("peer-discovered").getAsJsonObject("data").get("peerId").getAsString());
      assertEquals(0, other.stats().get(Stat.CLUSTER_JOINS_LOST));
    }
  }

  /**
   * A hub that hears no one (its own Redis link is down) must not tell its peers that every remote
   * peer left: PeerPigeon clients would drop WebRTC links that still work.
   */
  @Test
  void aRedisOutageLongerThanTheTtlDoesNotReportTheOtherHubsPeersGone() {
    try (HubServer other = dev.loft.server.support.Hubs.start(ClusterHubs.config(redis, "other"));
         TestPeer a = TestPeer.connect(hub.uri());
         TestPeer b = TestPeer.connect(other.uri())) {
      ClusterHubs.awaitMesh(java.util.List.of(hub, other));
      ClusterHubs.meet(redis, a, b, "room");
      redis.stop();
      a.expectNothingFor(2 * ClusterHubs.TTL.toMillis() + 500); // no peer-disconnected for b
      assertEquals(0, hub.stats().get(Stat.CLUSTER_NODES_EXPIRED));
      redis.start();
      await().atMost(10, TimeUnit.SECONDS).until(() -> hub.stats().flag(Stat.REDIS_LINK_UP)
          && other.stats().flag(Stat.REDIS_LINK_UP));
      a.send(Json.obj("type", "direct", "targetPeerId", b.id(), "id", "d", "data", 1));
      a.expect("ack");
      assertEquals(a.id(), b.expect("direct").get("fromPeerId").getAsString(), "still reachable across hubs");
    }
  }

  @Test
  void aPeerThatLeavesWhileRedisIsDownIsReportedGoneOnTheOtherHubWhenItIsBack() {
    try (HubServer other = dev.loft.server.support.Hubs.start(ClusterHubs.config(redis, "other"));
         TestPeer stays = TestPeer.connect(hub.uri())) {
      ClusterHubs.awaitMesh(java.util.List.of(hub, other));
      String goneId;
      try (TestPeer goes = TestPeer.connect(other.uri())) {
        ClusterHubs.meet(redis, stays, goes, "room");
        goneId = goes.id();
        redis.stop();
        await().atMost(5, TimeUnit.SECONDS).until(() -> !other.stats().flag(Stat.REDIS_LINK_UP));
      } // closes while Redis is down: its leave is dropped, kept to be sent again
      await().atMost(5, TimeUnit.SECONDS).until(() -> other.stats().get(Stat.PEERS) == 0);
      redis.start();
      assertEquals(goneId, stays.expect("peer-disconnected").getAsJsonObject("data").get("peerId").getAsString());
      await().atMost(5, TimeUnit.SECONDS).until(() -> hub.stats().get(Stat.CLUSTER_REMOTE_PEERS) == 0);
    }
  }
}
