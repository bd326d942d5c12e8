package dev.loft.server.cluster;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.loft.server.stats.Stat;
import dev.loft.server.support.RedisServer;
import java.net.ServerSocket;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * A link closed leaves no thread (its own {@code loft-redis-*}, Lettuce's, Netty's), no connection
 * and no channel on Redis; a second close does nothing, and the link refuses work afterwards.
 */
class RedisLinkCloseLeavesNothingBehindTest {
  private RedisServer redis;

  @BeforeEach
  void startRedis() {
    redis = RedisServer.onFreePort();
  }

  @AfterEach
  void stopRedis() {
    redis.close();
  }

  private static Set<Thread> liveThreads() {
    return Thread.getAllStackTraces().keySet().stream()
        // Not the link's: Awaitility's own waiting thread, the JDK's reaper of the test's redis-server process.
        .filter(t -> t.isAlive() && !t.getName().startsWith("awaitility") && !t.getName().startsWith("process reaper"))
        .collect(Collectors.toSet());
  }

  private static List<String> newThreads(Set<Thread> baseline) {
    return liveThreads().stream().filter(t -> !baseline.contains(t)).map(Thread::getName).sorted().toList();
  }

  /** No warm-up: not even Netty's or Lettuce's one-time threads may outlive the first link. */
  private void closeLeavesTheThreadsOf(java.util.function.Consumer<TestLink> use, String uri) throws Exception {
    Set<Thread> baseline = liveThreads();
    TestLink t = TestLink.create(uri, c -> c);
    t.link.start();
    use.accept(t);
    assertTrue(newThreads(baseline).stream().anyMatch(n -> n.startsWith("loft-redis-")),
        "the link runs on its own named threads: " + newThreads(baseline));
    t.close();
    await("every thread the link started to end").atMost(Duration.ofSeconds(10))
        .untilAsserted(() -> assertEquals(List.of(), newThreads(baseline)));
    assertTrue(liveThreads().size() <= baseline.size(), liveThreads().size() + " threads vs " + baseline.size());
  }

  @Test
  void closeLeavesNoThreadsAndNoChannels() throws Exception {
    closeLeavesTheThreadsOf(t -> {
      t.awaitUp();
      t.link.subscribe("loft.t.a");
      t.link.subscribe("loft.t.b");
      await().atMost(Duration.ofSeconds(5)).until(() -> redis.channels().size() == 3); // and the node channel
    }, redis.uri());
    await("no channel left on Redis").atMost(Duration.ofSeconds(5)).until(() -> redis.channels().isEmpty());
    String clients = (String) redis.command("CLIENT", "LIST");
    assertFalse(clients.contains("name=loft-"), "no connection of a link left: " + clients);
  }

  @Test
  void closeOfALinkThatNeverReachedRedisLeavesNoThreads() throws Exception {
    int nobody;
    try (ServerSocket s = new ServerSocket(0)) {
      nobody = s.getLocalPort();
    }
    closeLeavesTheThreadsOf(t -> await().atMost(Duration.ofSeconds(5))
        .until(() -> t.link.state().status() == RedisLink.Status.CONNECTING
            && t.link.state().reason().contains("not connected")), "redis://127.0.0.1:" + nobody);
  }

  @Test
  void closeTwiceIsHarmless() throws Exception {
    TestLink t = TestLink.up(redis.uri());
    t.link.subscribe("loft.t.x");
    t.close();
    t.close();
    t.link.close();
    assertEquals(RedisLink.Status.DOWN, t.link.state().status());
    assertEquals("closed", t.link.state().reason());
    assertFalse(t.publish("loft.t.x", "after close"));
    assertEquals(1, t.count(Stat.REDIS_PUBLISH_DROPPED, RedisLink.DOWN));
    assertFalse(t.link.subscribe("loft.t.y"));
    assertTrue(t.link.command(c -> c.get("k")).toCompletableFuture().isCompletedExceptionally());
    assertEquals(0, t.link.channels());
    assertEquals(false, t.stats.snapshot().flag(Stat.REDIS_LINK_UP));
  }
}
