package dev.loft.server.cluster;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.loft.server.stats.Stat;
import dev.loft.server.support.ManualTicker;
import dev.loft.server.support.RedisServer;
import dev.loft.server.support.TcpProxy;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * A connection that goes silent without closing (after a failover, a NAT timeout, a stuck proxy)
 * gives no error and no close: Lettuce keeps it and waits. Centrifugo's incident #1189 was exactly
 * that, "silent delivery loss, /health green". The link probes its own channel and restarts what
 * does not answer; a connection that is cut, by contrast, Lettuce makes again by itself.
 */
class SilentRedisConnectionsAreProbedAndRestartedTest {
  private RedisServer redis;
  private TcpProxy proxy;
  private TestLink a;
  private TestLink b;

  @BeforeEach
  void start() {
    redis = RedisServer.onFreePort();
    proxy = TcpProxy.to(redis.port());
  }

  @AfterEach
  void stop() throws Exception {
    for (TestLink l : new TestLink[] {a, b}) {
      if (l != null) {
        l.close();
      }
    }
    proxy.close();
    redis.close();
  }

  /** b publishes (directly) until a gets one of them, within five seconds. */
  private void deliveryWorks(String channel) {
    int before = a.messages.size();
    await("delivery to " + channel).atMost(Duration.ofSeconds(5)).pollInterval(Duration.ofMillis(50))
        .until(() -> {
          b.publish(channel, "m");
          return a.messages.size() > before;
        });
  }

  private long subscribersOnRedis(String channel) {
    List<?> reply = (List<?>) redis.command("PUBSUB", "SHARDNUMSUB", channel);
    return (Long) reply.get(1);
  }

  @Test
  void aSilentPubSubConnectionIsProbedAndRestarted() throws Exception {
    a = TestLink.up(proxy.redisUri()); // probes every 200 ms, 800 ms to come back
    b = TestLink.up(redis.uri());
    a.link.subscribe("loft.t.silent");
    await().atMost(Duration.ofSeconds(5)).until(() -> subscribersOnRedis("loft.t.silent") == 1);
    deliveryWorks("loft.t.silent");

    proxy.blackhole();
    await("the probe to notice").atMost(Duration.ofSeconds(5)).until(() -> a.count(Stat.REDIS_PROBE_FAILURES) >= 1);
    assertEquals(RedisLink.Status.DOWN, a.link.state().status(), a.link.state().toString());
    assertTrue(a.link.state().reason().contains("probe"), a.link.state().toString());
    assertEquals(false, a.stats.snapshot().flag(Stat.REDIS_LINK_UP));

    proxy.resume();
    long resumed = System.nanoTime();
    deliveryWorks("loft.t.silent");
    assertTrue(System.nanoTime() - resumed < Duration.ofSeconds(5).toNanos());
    a.awaitUp();
    assertTrue(a.count(Stat.REDIS_RECONNECTS) >= 1, "the pub/sub connection was made anew");
    await("the old connection's subscription gone from Redis").atMost(Duration.ofSeconds(5))
        .until(() -> subscribersOnRedis("loft.t.silent") == 1);
    await().atMost(Duration.ofSeconds(5)).until(() -> a.link.pendingBytes() == 0);
  }

  /**
   * After a failover the old sockets hang while the server answers new ones: only a restart brings
   * delivery back, and it must come without anyone resuming anything.
   */
  @Test
  void aSilentConnectionIsReplacedWhileTheServerIsFine() throws Exception {
    a = TestLink.up(proxy.redisUri());
    b = TestLink.up(redis.uri());
    a.link.subscribe("loft.t.failover");
    b.link.subscribe("loft.t.from-a");
    await().atMost(Duration.ofSeconds(5)).until(() -> subscribersOnRedis("loft.t.failover") == 1
        && subscribersOnRedis("loft.t.from-a") == 1);

    proxy.blackholeOpenConnections();
    long silent = System.nanoTime();
    deliveryWorks("loft.t.failover"); // within 5 s: the probe (800 ms) noticed and the link made new connections
    assertTrue(System.nanoTime() - silent < Duration.ofSeconds(5).toNanos());
    assertTrue(a.count(Stat.REDIS_PROBE_FAILURES) >= 1);
    // a's publishes reach Redis again: its command connection was replaced too.
    await("a's publishes to arrive").atMost(Duration.ofSeconds(5)).pollInterval(Duration.ofMillis(50))
        .until(() -> {
          a.publish("loft.t.from-a", "from a");
          return !b.messages.isEmpty();
        });
    a.awaitUp();
    proxy.resume(); // the old sockets' close reaches Redis: their subscription goes
    await().atMost(Duration.ofSeconds(5)).until(() -> subscribersOnRedis("loft.t.failover") == 1);
  }

  @Test
  void theProbeIsDrivenByTheInjectedClockAndFailsOnlyAfterItsTimeout() throws Exception {
    ManualTicker ticker = new ManualTicker();
    // The scheduler's own ticks would come once an hour: this test makes every tick itself.
    a = TestLink.create(TestLink.config(proxy.redisUri())
        .ticker(ticker)
        .redisProbeInterval(Duration.ofHours(1))
        .redisProbeTimeout(Duration.ofSeconds(3))
        .build());
    a.link.start();
    a.awaitUp();
    a.link.tickNow().get();
    await().atMost(Duration.ofSeconds(5)).until(() -> a.link.probesAnswered() == 1);
    a.link.tickNow().get();
    await().atMost(Duration.ofSeconds(5)).until(() -> a.link.probesAnswered() == 2);

    proxy.blackhole();
    a.link.tickNow().get(); // probe 3 goes out, and nothing comes back
    ticker.advance(Duration.ofMillis(2_999));
    a.link.tickNow().get();
    assertEquals(0, a.count(Stat.REDIS_PROBE_FAILURES), "not before the probe timeout");
    assertTrue(a.link.isUp());

    ticker.advance(Duration.ofMillis(1));
    a.link.tickNow().get();
    assertEquals(1, a.count(Stat.REDIS_PROBE_FAILURES));
    assertEquals(RedisLink.Status.DOWN, a.link.state().status());

    proxy.resume();
    await("the link restarted and up").atMost(Duration.ofSeconds(10)).pollInterval(Duration.ofMillis(100))
        .until(() -> {
          a.link.tickNow().get(); // retries a connect that timed out while the proxy held it
          return a.link.isUp();
        });
    long answered = a.link.probesAnswered();
    a.link.tickNow().get();
    await().atMost(Duration.ofSeconds(5)).until(() -> a.link.probesAnswered() > answered);
    assertEquals(1, a.count(Stat.REDIS_PROBE_FAILURES));
  }

  @Test
  void aCutConnectionIsMadeAgainAndResubscribedWithoutAProbeFailure() throws Exception {
    a = TestLink.up(proxy.redisUri(), c -> c.redisProbeTimeout(Duration.ofSeconds(5)));
    b = TestLink.up(redis.uri());
    a.link.subscribe("loft.t.cut");
    await().atMost(Duration.ofSeconds(5)).until(() -> subscribersOnRedis("loft.t.cut") == 1);

    proxy.cutAll();
    await().atMost(Duration.ofSeconds(5)).until(() -> a.count(Stat.REDIS_RECONNECTS) >= 2);
    deliveryWorks("loft.t.cut");
    a.awaitUp();
    assertEquals(0, a.count(Stat.REDIS_PROBE_FAILURES), "Lettuce reconnected it: nothing was silent");
    assertEquals(1, subscribersOnRedis("loft.t.cut"));
  }
}
