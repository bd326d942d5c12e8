package dev.loft.server;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.loft.server.events.HubEvents;
import dev.loft.server.stats.Stat;
import dev.loft.server.support.Heap;
import dev.loft.server.support.Hubs;
import dev.loft.server.support.Json;
import dev.loft.server.support.TestPeer;
import java.time.Duration;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;

/**
 * A subscriber that stops reading must not grow the hub's heap: past the high watermark it is
 * evicted, its backlog freed, and everyone else keeps receiving.
 */
class SlowPeerIsEvictedTest {
  private static final int WATERMARK = 256 * 1024;
  private static final int MESSAGE_CHARS = 64 * 1024;
  /** Enough to fill both sockets' kernel buffers on loopback and then the watermark, several times. */
  private static final int MESSAGES = 400;

  @Test
  void subscriberThatStopsReadingIsEvictedAndItsBacklogFreed() {
    long baseline = Heap.usedAfterGc();
    try (HubServer hub = Hubs.start(Hubs.config()
            .outboundHighWatermarkBytes(WATERMARK)
            .rateLimitPerSecond(10_000).rateLimitBurst(10_000));
        TestPeer stuck = TestPeer.connect(hub.uri());
        TestPeer healthy = TestPeer.connect(hub.uri());
        TestPeer publisher = TestPeer.connect(hub.uri())) {
      CopyOnWriteArrayList<HubEvents.SlowPeerEvicted> evictions = new CopyOnWriteArrayList<>();
      hub.bus().subscribe(HubEvents.SlowPeerEvicted.class, "test-recorder", evictions::add);
      for (TestPeer p : new TestPeer[] {stuck, healthy}) {
        p.send(Json.obj("type", "subscribe", "id", "s", "topic", "firehose"));
        p.expect("ack");
      }
      stuck.stopReading();
      String payload = "x".repeat(MESSAGE_CHARS);
      for (int i = 0; i < MESSAGES; i++) {
        publisher.send(Json.obj("type", "publish", "topic", "firehose", "data", payload));
        assertEquals("firehose", healthy.expect("message").get("topic").getAsString());
      }

      await().atMost(Duration.ofSeconds(10)).until(() -> hub.stats().get(Stat.EVICTED_SLOW) == 1);
      assertEquals(1, evictions.size());
      assertEquals(stuck.id(), evictions.get(0).peer().id());
      assertTrue(evictions.get(0).pendingBytes() <= WATERMARK, "evicted at the watermark, not past it");
      await().atMost(Duration.ofSeconds(10)).until(() -> hub.stats().get(Stat.PEERS) == 2);
      // The outbound sum is the budget sweeper's (one tick behind); the evicted backlog is gone from it.
      await().atMost(Duration.ofSeconds(5)).until(() -> hub.stats().get(Stat.QUEUED_OUTBOUND_BYTES) == 0);
      assertTrue(hub.stats().get(Stat.DROPPED) >= 1);
      assertEquals(1, hub.stats().get(Stat.SUBSCRIPTIONS), "only the healthy subscriber is left");

      // The hub keeps serving the others after the eviction.
      publisher.send(Json.obj("type", "publish", "topic", "firehose", "data", "after"));
      assertEquals("after", healthy.expect("message").get("data").getAsString());

      // What the stuck peer cost is gone: heap is back near where it started.
      await().atMost(Duration.ofSeconds(10)).pollInterval(Duration.ofMillis(200))
          .until(() -> Heap.usedAfterGc() - baseline < 8 * 1024 * 1024);
    }
  }
}
