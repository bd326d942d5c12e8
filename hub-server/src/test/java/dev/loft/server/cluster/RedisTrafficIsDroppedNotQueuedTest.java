package dev.loft.server.cluster;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.loft.server.stats.Stat;
import dev.loft.server.support.RedisServer;
import dev.loft.server.support.TcpProxy;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Redis down or slow must cost the hub a counter, not memory: a publish is refused at once (false,
 * counted by reason) instead of waiting in a queue that grows (Lettuce's own is unbounded unless
 * told otherwise), and nothing refused is delivered later. Cross-hub pub/sub is at most once.
 */
class RedisTrafficIsDroppedNotQueuedTest {
  private RedisServer redis;
  private TcpProxy proxy;
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
    if (proxy != null) {
      proxy.close();
    }
    redis.close();
  }

  @Test
  void publishWhileRedisIsDownIsDroppedAndCountedNotQueued() throws Exception {
    a = TestLink.up(redis.uri());
    b = TestLink.up(redis.uri());
    b.link.subscribe("loft.t.down");
    await().atMost(Duration.ofSeconds(5)).until(() -> redis.channels().contains("loft.t.down"));

    redis.stop();
    await().atMost(Duration.ofSeconds(5)).until(() -> a.link.state().status() == RedisLink.Status.DOWN);
    assertEquals(RedisLink.Status.DOWN, a.link.state().status());
    for (int i = 0; i < 100; i++) {
      assertFalse(a.publish("loft.t.down", "lost " + i), "refused at once while Redis is down");
    }
    assertEquals(100, a.count(Stat.REDIS_PUBLISH_DROPPED, RedisLink.DOWN));
    assertEquals(0, a.link.pendingBytes(), "nothing waits");

    redis.start();
    a.awaitUp();
    b.awaitUp();
    await("b subscribed again").atMost(Duration.ofSeconds(5)).until(() -> redis.channels().contains("loft.t.down"));
    assertTrue(a.publish("loft.t.down", "after"));
    assertEquals(new TestLink.Message("loft.t.down", "after"), b.next(Duration.ofSeconds(5)),
        "the first message b sees is the one sent after Redis came back: nothing refused was queued");
    assertNull(b.next(Duration.ofMillis(200)));
    assertEquals(0, a.count(Stat.REDIS_PUBLISH_DROPPED, RedisLink.QUEUE_FULL));
  }

  @Test
  void pendingBytesOverTheBoundAreDroppedAndNothingGrows() throws Exception {
    proxy = TcpProxy.to(redis.port());
    // A slow Redis: the proxy holds everything, so publishes stay unanswered until they time out.
    a = TestLink.up(proxy.redisUri(), c -> c
        .redisMaxPendingBytes(64 * 1024)
        .redisMaxMessageBytes(2 * 1024)
        .redisCommandTimeout(Duration.ofSeconds(3))
        .redisProbeTimeout(Duration.ofSeconds(60))); // this test is about the bound, not the probe
    String channel = "loft.t.slow";
    byte[] kilobyte = new byte[1024 - channel.length()];
    proxy.blackhole();
    int accepted = 0;
    for (int i = 0; i < 500; i++) {
      if (a.link.publish(channel, kilobyte)) {
        accepted++;
      }
      assertTrue(a.link.pendingBytes() <= 64 * 1024, "pending bytes over the bound: " + a.link.pendingBytes());
    }
    assertEquals(64, accepted, "exactly what fits in 64 KiB of 1 KiB publishes");
    assertEquals(500 - 64, a.count(Stat.REDIS_PUBLISH_DROPPED, RedisLink.QUEUE_FULL));
    assertEquals(500 - 64, a.count(Stat.LIMIT_HITS, "redisMaxPendingBytes"));
    assertEquals(64 * 1024, a.count(Stat.REDIS_PENDING_BYTES));
    CompletableFuture<?> refused = a.link.command(c -> c.get("loft.k")).toCompletableFuture();
    ExecutionException e = org.junit.jupiter.api.Assertions.assertThrows(ExecutionException.class,
        () -> refused.get(0, TimeUnit.SECONDS));
    assertEquals(RedisLink.QUEUE_FULL, ((RedisLink.RefusedException) e.getCause()).reason(),
        "other commands are refused too while publishes are backed up");

    // Unanswered publishes time out, are counted, and give their bytes back.
    await().atMost(Duration.ofSeconds(10)).until(() -> a.link.pendingBytes() == 0);
    assertEquals(64, a.count(Stat.REDIS_PUBLISH_DROPPED, RedisLink.TIMEOUT));
    proxy.resume();
    assertTrue(a.link.publish(channel, kilobyte), "room again");
  }

  @Test
  void aMessageOverTheMaxSizeIsDroppedAndCounted() throws Exception {
    a = TestLink.up(redis.uri(), c -> c.redisMaxMessageBytes(1024));
    b = TestLink.up(redis.uri());
    b.link.subscribe("loft.t.size");
    await().atMost(Duration.ofSeconds(5)).until(() -> redis.channels().contains("loft.t.size"));
    assertFalse(a.link.publish("loft.t.size", new byte[1025]));
    assertEquals(1, a.count(Stat.REDIS_PUBLISH_DROPPED, RedisLink.TOO_LARGE));
    assertEquals(1, a.count(Stat.LIMIT_HITS, "redisMaxMessageBytes"));
    assertTrue(a.link.publish("loft.t.size", new byte[1024]));
    TestLink.Message m = b.next(Duration.ofSeconds(5));
    assertEquals(1024, m.text().length(), "the largest allowed message goes through");
  }

  @Test
  void commandsNotYetAnsweredAreBoundedByTheRequestQueue() throws Exception {
    proxy = TcpProxy.to(redis.port());
    a = TestLink.up(proxy.redisUri(), c -> c
        .redisRequestQueue(16)
        .redisCommandTimeout(Duration.ofSeconds(3))
        .redisProbeTimeout(Duration.ofSeconds(60)));
    proxy.blackhole();
    int allowed = 16 - RedisLink.RESERVED_COMMANDS; // the rest is the link's own (probe, INFO)
    int accepted = 0;
    for (int i = 0; i < 50; i++) {
      if (a.publish("loft.t.q", "x")) {
        accepted++;
      }
    }
    assertEquals(allowed, accepted, "tiny publishes are bounded by count, not only by bytes");
    assertEquals(allowed, a.link.pendingCommands());
    assertEquals(50 - allowed, a.count(Stat.REDIS_PUBLISH_DROPPED, RedisLink.QUEUE_FULL));
    assertEquals(50 - allowed, a.count(Stat.LIMIT_HITS, "redisRequestQueue"));
    assertTrue(a.link.command(c -> c.get("k")).toCompletableFuture().isCompletedExceptionally());
    await().atMost(Duration.ofSeconds(10)).until(() -> a.link.pendingCommands() == 0);
    proxy.resume();
  }

  @Test
  void commandsFailFastWhileRedisIsDownAndWorkWhenUp() throws Exception {
    a = TestLink.up(redis.uri());
    String value = a.link.command(c -> c.set("loft.test.key", "v".getBytes(StandardCharsets.UTF_8)))
        .thenCompose(ok -> a.link.command(c -> c.get("loft.test.key")))
        .thenApply(bytes -> new String(bytes, StandardCharsets.UTF_8))
        .toCompletableFuture().get(5, TimeUnit.SECONDS);
    assertEquals("v", value);

    redis.stop();
    await().atMost(Duration.ofSeconds(5)).until(() -> a.link.state().status() == RedisLink.Status.DOWN);
    CompletableFuture<byte[]> refused = a.link.command(c -> c.get("loft.test.key")).toCompletableFuture();
    assertTrue(refused.isCompletedExceptionally(), "failed at once, not queued");
    ExecutionException e = org.junit.jupiter.api.Assertions.assertThrows(ExecutionException.class, refused::get);
    assertInstanceOf(RedisLink.RefusedException.class, e.getCause());
    assertEquals(RedisLink.DOWN, ((RedisLink.RefusedException) e.getCause()).reason());
    assertEquals(1, a.count(Stat.REDIS_COMMANDS_REFUSED, RedisLink.DOWN));
  }
}
