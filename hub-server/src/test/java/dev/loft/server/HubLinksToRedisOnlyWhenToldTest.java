package dev.loft.server;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.loft.server.cluster.RedisLink;
import dev.loft.server.stats.Stat;
import dev.loft.server.support.Hubs;
import dev.loft.server.support.RedisServer;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The single hub stays the default: without {@code --redis} no link is made, no Redis thread
 * runs and the Redis statistics read down and zero. With it, the hub owns the link's lifecycle:
 * made with the hub, up once started, gone (threads, connections, channels) once the hub is closed.
 */
class HubLinksToRedisOnlyWhenToldTest {
  private static List<String> redisThreads() {
    return Thread.getAllStackTraces().keySet().stream()
        .filter(t -> t.isAlive() && t.getName().startsWith("loft-redis-"))
        .map(Thread::getName).sorted().toList();
  }

  @Test
  void withoutRedisNoLinkIsMadeAndItsStatisticsReadDown() {
    try (HubServer hub = Hubs.start()) {
      assertNull(hub.redisLink());
      assertEquals(List.of(), redisThreads());
      assertFalse(hub.stats().flag(Stat.REDIS_LINK_UP));
      assertEquals(0, hub.stats().get(Stat.REDIS_CHANNELS));
      assertEquals(0, hub.stats().get(Stat.REDIS_PENDING_BYTES));
    }
  }

  @Test
  void withRedisTheHubLinksAndItsCloseLeavesNothing() {
    try (RedisServer redis = RedisServer.onFreePort()) {
      HubServer hub = Hubs.start(Hubs.config().redis(redis.uri()).nodeId("hub-a"));
      try {
        RedisLink link = hub.redisLink();
        assertEquals("hub-a", link.nodeId());
        await().atMost(Duration.ofSeconds(5)).until(() -> hub.stats().flag(Stat.REDIS_LINK_UP));
        assertTrue(redis.channels().contains(RedisLink.nodeChannelOf("hub-a")));
      } finally {
        hub.close();
      }
      await().atMost(Duration.ofSeconds(5)).until(() -> redis.channels().isEmpty());
      await().atMost(Duration.ofSeconds(5)).until(() -> redisThreads().isEmpty());
    }
  }

  @Test
  void aHubNotGivenANodeIdMakesOne() {
    try (RedisServer redis = RedisServer.onFreePort();
        HubServer hub = Hubs.start(Hubs.config().redis(redis.uri()))) {
      String id = hub.redisLink().nodeId();
      assertTrue(id.matches("[a-z0-9]{10}"), id);
      await().atMost(Duration.ofSeconds(5)).until(() -> redis.channels().contains(RedisLink.nodeChannelOf(id)));
    }
  }
}
