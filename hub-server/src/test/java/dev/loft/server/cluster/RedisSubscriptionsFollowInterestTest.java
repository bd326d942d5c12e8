package dev.loft.server.cluster;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.loft.server.stats.Stat;
import dev.loft.server.support.RedisServer;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * What Redis holds for a hub follows what the hub's peers want: the first interest in a channel
 * subscribes it, the last one leaving unsubscribes it (PUBSUB SHARDCHANNELS on the real server
 * says so), a cap refuses one channel too many, and the whole set comes back by itself after Redis
 * restarts. Socket.IO's Redis adapter lost delivery silently because its client reconnected
 * without re-subscribing (socket.io#4845).
 */
class RedisSubscriptionsFollowInterestTest {
  private RedisServer redis;
  private TestLink a;
  private TestLink b;

  @BeforeEach
  void startRedis() {
    redis = RedisServer.onFreePort();
  }

  @AfterEach
  void stop() throws Exception {
    for (TestLink l : new TestLink[] {a, b}) {
      if (l != null) {
        l.close();
      }
    }
    redis.close();
  }

  /** Channels on the server, the node channels of the links left out. */
  private Set<String> channelsOnRedis() {
    Set<String> out = new TreeSet<>(redis.channels());
    out.removeIf(c -> c.startsWith(RedisLink.CHANNEL_PREFIX + "node."));
    return out;
  }

  @Test
  void lastUnsubscribeRemovesTheChannelFromRedis() throws Exception {
    a = TestLink.up(redis.uri());
    assertTrue(a.link.sharded(), "Redis " + redis.version() + " has sharded pub/sub");
    assertTrue(a.link.subscribe("loft.t.one"));
    assertTrue(a.link.subscribe("loft.t.one"));
    assertTrue(a.link.subscribe("loft.t.two"));
    await().atMost(Duration.ofSeconds(5)).until(() -> channelsOnRedis().equals(Set.of("loft.t.one", "loft.t.two")));
    assertEquals(2, a.count(Stat.REDIS_CHANNELS));
    assertEquals(List.of(), redis.channels(false).stream().filter(c -> c.startsWith("loft.t.")).toList(),
        "sharded, not plain, channels");

    a.link.unsubscribe("loft.t.one"); // one interest of two left
    a.link.unsubscribe("loft.t.two");
    await().atMost(Duration.ofSeconds(5)).until(() -> channelsOnRedis().equals(Set.of("loft.t.one")));
    assertEquals(1, a.link.interestIn("loft.t.one"));

    a.link.unsubscribe("loft.t.one");
    a.link.unsubscribe("loft.t.one"); // unbalanced: ignored
    await().atMost(Duration.ofSeconds(5)).until(() -> channelsOnRedis().isEmpty());
    assertEquals(0, a.count(Stat.REDIS_CHANNELS));
  }

  @Test
  void aMessageReachesEveryLinkSubscribedAndNoOther() throws Exception {
    a = TestLink.up(redis.uri());
    b = TestLink.up(redis.uri());
    a.link.subscribe("loft.t.news");
    await().atMost(Duration.ofSeconds(5)).until(() -> channelsOnRedis().contains("loft.t.news"));
    assertTrue(b.publish("loft.t.news", "hello"));
    assertEquals(new TestLink.Message("loft.t.news", "hello"), a.next(Duration.ofSeconds(5)));
    assertNull(b.next(Duration.ofMillis(200)), "b is not subscribed");
    await().atMost(Duration.ofSeconds(2)).until(() -> b.count(Stat.REDIS_PUBLISHED) == 1);
    assertEquals(1, a.count(Stat.REDIS_RECEIVED), "probes are not counted as messages");

    assertTrue(a.publish(b.link.nodeChannel(), "to b's node"));
    assertEquals(new TestLink.Message(b.link.nodeChannel(), "to b's node"), b.next(Duration.ofSeconds(5)));
  }

  @Test
  void channelCapRefusesTheNextChannel() throws Exception {
    a = TestLink.up(redis.uri(), c -> c.redisMaxChannels(3));
    for (int i = 0; i < 3; i++) {
      assertTrue(a.link.subscribe("loft.t." + i));
    }
    assertTrue(a.link.subscribe("loft.t.0"), "more interest in a channel held is no new channel");
    assertFalse(a.link.subscribe("loft.t.3"), "a fourth channel is refused");
    assertEquals(1, a.count(Stat.REDIS_CHANNEL_LIMIT_HITS));
    assertEquals(1, a.count(Stat.LIMIT_HITS, "redisMaxChannels"));
    assertEquals(3, a.link.channels());
    await().atMost(Duration.ofSeconds(5)).until(() -> channelsOnRedis().size() == 3);
    assertFalse(channelsOnRedis().contains("loft.t.3"));

    a.link.unsubscribe("loft.t.2");
    assertTrue(a.link.subscribe("loft.t.3"), "a channel given up makes room");
    await().atMost(Duration.ofSeconds(5)).until(() -> channelsOnRedis().equals(Set.of("loft.t.0", "loft.t.1", "loft.t.3")));
  }

  @Test
  void subscriptionsComeBackByThemselvesAfterRedisRestarts() throws Exception {
    a = TestLink.up(redis.uri());
    b = TestLink.up(redis.uri());
    a.link.subscribe("loft.t.kept");
    a.link.subscribe("loft.t.dropped");
    await().atMost(Duration.ofSeconds(5)).until(() -> channelsOnRedis().size() == 2);

    redis.stop();
    await().atMost(Duration.ofSeconds(5)).until(() -> a.link.state().status() == RedisLink.Status.DOWN);
    // While Redis is down interest changes: one more channel, one given up. Neither can reach Redis now.
    a.link.subscribe("loft.t.added");
    a.link.unsubscribe("loft.t.dropped");

    redis.start();
    long back = System.nanoTime();
    a.awaitUp();
    b.awaitUp();
    // Delivery resumes by itself (pub/sub is at most once: publish until one arrives).
    await("delivery after Redis came back").atMost(Duration.ofSeconds(5)).pollInterval(Duration.ofMillis(50))
        .until(() -> {
          b.publish("loft.t.kept", "again");
          b.publish("loft.t.added", "new");
          return a.messages.stream().map(TestLink.Message::channel).collect(java.util.stream.Collectors.toSet())
              .containsAll(Set.of("loft.t.kept", "loft.t.added"));
        });
    assertTrue(System.nanoTime() - back < Duration.ofSeconds(5).toNanos());
    await().atMost(Duration.ofSeconds(5)).until(() -> channelsOnRedis().equals(Set.of("loft.t.kept", "loft.t.added")));
    assertTrue(a.count(Stat.REDIS_RECONNECTS) >= 2, "both connections were made again: " + a.count(Stat.REDIS_RECONNECTS));
    assertEquals(0, a.count(Stat.REDIS_PROBE_FAILURES), "a connection Lettuce made again is not taken for a silent one");
  }

  @Test
  void aBurstOfChannelsIsSubscribedAndUnsubscribedInFull() throws Exception {
    a = TestLink.up(redis.uri());
    int n = 3 * RedisLink.SUBSCRIBE_BATCH + 7; // more than one batch, and a partial one
    for (int i = 0; i < n; i++) {
      assertTrue(a.link.subscribe("loft.t.burst." + i));
    }
    await().atMost(Duration.ofSeconds(10)).until(() -> channelsOnRedis().size() == n);
    for (int i = 0; i < n; i++) {
      a.link.unsubscribe("loft.t.burst." + i);
    }
    await().atMost(Duration.ofSeconds(10)).until(() -> channelsOnRedis().isEmpty());
    assertEquals(0, a.count(Stat.REDIS_CHANNELS));
  }

  @Test
  void aThrowingListenerIsCountedAndTheConnectionStays() throws Exception {
    a = TestLink.up(redis.uri());
    b = TestLink.up(redis.uri());
    a.link.subscribe("loft.t.x");
    await().atMost(Duration.ofSeconds(5)).until(() -> channelsOnRedis().contains("loft.t.x"));
    a.listenerThrows = new IllegalStateException("listener bug (expected in this test)");
    b.publish("loft.t.x", "1");
    b.publish("loft.t.x", "2");
    await().atMost(Duration.ofSeconds(5)).until(() -> a.count(Stat.REDIS_LISTENER_ERRORS) == 2);
    a.listenerThrows = null;
    b.publish("loft.t.x", "3");
    await().atMost(Duration.ofSeconds(5)).until(() -> a.messages.size() == 3);
    assertTrue(a.link.isUp());
    assertEquals(0, a.count(Stat.REDIS_RECONNECTS));
  }

  @Test
  void withoutShardedPubSubPlainChannelsAreUsed() throws Exception {
    a = TestLink.create(redis.uri(), c -> c);
    a.link.forcePlainPubSub();
    a.link.start();
    a.awaitUp();
    b = TestLink.create(redis.uri(), c -> c);
    b.link.forcePlainPubSub();
    b.link.start();
    b.awaitUp();
    assertFalse(a.link.sharded());
    a.link.subscribe("loft.t.plain");
    await().atMost(Duration.ofSeconds(5)).until(() -> redis.channels(false).contains("loft.t.plain"));
    assertFalse(redis.channels(true).contains("loft.t.plain"));
    assertTrue(b.publish("loft.t.plain", "p"));
    TestLink.Message m = a.next(Duration.ofSeconds(5));
    assertNotNull(m);
    assertEquals("p", m.text());
    a.link.unsubscribe("loft.t.plain");
    await().atMost(Duration.ofSeconds(5)).until(() -> !redis.channels(false).contains("loft.t.plain"));
  }
}
