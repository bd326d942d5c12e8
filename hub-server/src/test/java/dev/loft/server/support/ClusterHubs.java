package dev.loft.server.support;

import static org.awaitility.Awaitility.await;

import dev.loft.server.HubServer;
import dev.loft.server.config.HubConfig;
import dev.loft.server.stats.Stat;
import java.time.Duration;
import java.util.List;

/** Hubs of one cluster in tests: one Redis, short presence TTL, waits for what is asynchronous. */
public final class ClusterHubs {
  /** Short, so that a test sees a silent hub forgotten in seconds. */
  public static final Duration TTL = Duration.ofSeconds(2);

  private ClusterHubs() {}

  public static HubConfig.Builder config(RedisServer redis, String nodeId) {
    return Hubs.config().redis(redis.uri()).nodeId(nodeId).presenceTtl(TTL);
  }

  /** Until every hub has heard every other's heartbeat (and so follows the heartbeat channel). */
  public static void awaitMesh(List<HubServer> hubs) {
    await().atMost(Duration.ofSeconds(10)).until(() -> hubs.stream()
        .allMatch(h -> h.stats().get(Stat.CLUSTER_NODES) == hubs.size() - 1));
  }

  /**
   * {@code first} and then {@code second} (on two hubs) announce into {@code network} and discover
   * each other, once: the second announces after the first's hub follows the network (two first
   * members announcing at once may each be told of the other twice, see ClusterDelivery#onJoin).
   */
  public static void meet(RedisServer redis, TestPeer first, TestPeer second, String network) {
    first.announce(network);
    awaitFollowed(redis, "loft.n." + network, 1);
    second.announce(network);
    org.junit.jupiter.api.Assertions.assertEquals(second.id(),
        first.expect("peer-discovered").getAsJsonObject("data").get("peerId").getAsString());
    org.junit.jupiter.api.Assertions.assertEquals(first.id(),
        second.expect("peer-discovered").getAsJsonObject("data").get("peerId").getAsString());
  }

  /**
   * Until {@code hubs} hubs follow {@code channel} on the server: subscribing is asynchronous, and
   * what is published before it is done is not seen (delivery between hubs is at most once).
   */
  public static void awaitFollowed(RedisServer redis, String channel, int hubs) {
    String numsub = redis.hasShardedPubSub() ? "SHARDNUMSUB" : "NUMSUB";
    await().atMost(Duration.ofSeconds(10)).until(() -> {
      List<?> reply = (List<?>) redis.command("PUBSUB", numsub, channel);
      return ((Long) reply.get(1)) >= hubs;
    });
  }
}
