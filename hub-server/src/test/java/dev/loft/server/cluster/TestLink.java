package dev.loft.server.cluster;

import static org.awaitility.Awaitility.await;

import dev.loft.server.config.HubConfig;
import dev.loft.server.stats.Stat;
import dev.loft.server.stats.StatStore;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.Executors;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.UnaryOperator;

/**
 * A {@link RedisLink} as a hub makes one: its own statistics, a one-thread scheduler standing in
 * for the housekeeper ({@code test-link-*}), and a listener that records what arrives. Closing it
 * closes the link and the scheduler.
 */
final class TestLink implements AutoCloseable {
  private static final AtomicInteger NEXT = new AtomicInteger();

  /** One message as the listener got it. */
  record Message(String channel, String text) {}

  final RedisLink link;
  final StatStore stats = new StatStore();
  final ScheduledExecutorService scheduler;
  final LinkedBlockingQueue<Message> messages = new LinkedBlockingQueue<>();
  /** When set, the listener throws this for every message (after recording it). */
  volatile RuntimeException listenerThrows;

  private TestLink(HubConfig config, String nodeId) {
    int n = NEXT.incrementAndGet();
    this.scheduler = Executors.newSingleThreadScheduledExecutor(r -> {
      Thread t = new Thread(r, "test-link-" + n);
      t.setDaemon(true);
      return t;
    });
    this.link = new RedisLink(config, nodeId, (channel, payload) -> {
      messages.add(new Message(channel, new String(payload, StandardCharsets.UTF_8)));
      RuntimeException e = listenerThrows;
      if (e != null) {
        throw e;
      }
    }, scheduler, stats);
  }

  /** Test defaults: quick probes, small bounds where a test does not set its own. */
  static HubConfig.Builder config(String redisUri) {
    return HubConfig.builder()
        .redis(redisUri)
        .redisProbeInterval(Duration.ofMillis(200))
        .redisProbeTimeout(Duration.ofMillis(800));
  }

  /** Made, not started. */
  static TestLink create(HubConfig config) {
    return new TestLink(config, RedisLink.newNodeId());
  }

  static TestLink create(String redisUri, UnaryOperator<HubConfig.Builder> tune) {
    return create(tune.apply(config(redisUri)).build());
  }

  /** Made, started and up. */
  static TestLink up(String redisUri) {
    return up(redisUri, b -> b);
  }

  static TestLink up(String redisUri, UnaryOperator<HubConfig.Builder> tune) {
    TestLink t = create(redisUri, tune);
    t.link.start();
    t.awaitUp();
    return t;
  }

  void awaitUp() {
    await("Redis link " + link.nodeId() + " up").atMost(Duration.ofSeconds(5)).until(link::isUp);
  }

  boolean publish(String channel, String text) {
    return link.publish(channel, text.getBytes(StandardCharsets.UTF_8));
  }

  /** The next message, or null after {@code wait}. */
  Message next(Duration wait) throws InterruptedException {
    return messages.poll(wait.toMillis(), TimeUnit.MILLISECONDS);
  }

  long count(Stat stat) {
    return stats.snapshot().get(stat);
  }

  long count(Stat keyed, String key) {
    return stats.snapshot().keyed(keyed).getOrDefault(key, 0L);
  }

  @Override
  public void close() throws InterruptedException {
    link.close();
    scheduler.shutdownNow();
    scheduler.awaitTermination(5, TimeUnit.SECONDS);
  }
}
