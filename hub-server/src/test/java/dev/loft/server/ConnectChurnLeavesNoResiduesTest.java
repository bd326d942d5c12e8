package dev.loft.server;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.loft.server.stats.HubStats;
import dev.loft.server.stats.Stat;
import dev.loft.server.support.Heap;
import dev.loft.server.support.Hubs;
import dev.loft.server.support.Json;
import dev.loft.server.support.TestPeer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/**
 * 10,000 connect → announce → subscribe → disconnect cycles leave no peer, network, topic,
 * subscription or listener behind, and the retained heap where it was.
 */
class ConnectChurnLeavesNoResiduesTest {
  private static final int CYCLES = 10_000;
  private static final int WORKERS = 8;

  @Test
  void churnLeavesEveryRegistryEmptyAndHeapAtBaseline() throws Exception {
    try (HubServer hub = Hubs.start(Hubs.config().maxPeersPerAddress(100))) {
      int listenersAtStart = hub.bus().listenerCount();
      runCycles(hub, 200); // warm up code paths and the client before measuring
      await().atMost(Duration.ofSeconds(10)).until(() -> hub.stats().get(Stat.PEERS) == 0);
      long baseline = Heap.usedAfterGc();

      runCycles(hub, CYCLES);

      await().atMost(Duration.ofSeconds(20)).until(() -> hub.stats().get(Stat.PEERS) == 0);
      HubStats s = hub.stats();
      assertEquals(0, s.get(Stat.ANNOUNCED_PEERS));
      assertEquals(0, s.get(Stat.NETWORKS));
      assertEquals(0, s.get(Stat.TOPICS));
      assertEquals(0, s.get(Stat.SUBSCRIPTIONS));
      // The outbound sum and the accounts are the budget sweeper's: current within one tick.
      await().atMost(Duration.ofSeconds(5)).until(() -> hub.stats().get(Stat.QUEUED_OUTBOUND_BYTES) == 0
          && hub.stats().get(Stat.BUDGET_CHARGED_BYTES) == 0);
      assertEquals(listenersAtStart, hub.bus().listenerCount());
      assertTrue(hub.core().peers().isEmpty(), "no peer left in the registry");
      assertEquals(0, hub.stats().get(Stat.ADDRESSES));
      await().atMost(Duration.ofSeconds(10)).pollInterval(Duration.ofMillis(250))
          .until(() -> Heap.usedAfterGc() - baseline < 3 * 1024 * 1024);
    }
  }

  private static void runCycles(HubServer hub, int cycles) throws Exception {
    AtomicInteger next = new AtomicInteger();
    ExecutorService pool = Executors.newFixedThreadPool(WORKERS);
    try {
      List<Future<?>> done = new ArrayList<>();
      for (int w = 0; w < WORKERS; w++) {
        done.add(pool.submit(() -> {
          int i;
          while ((i = next.getAndIncrement()) < cycles) {
            try (TestPeer p = TestPeer.connect(hub.uri())) {
              String network = "net-" + (i % 50);
              p.send(Json.obj("type", "announce", "id", "a", "networkName", network));
              p.expectMatching(f -> f.has("id") && "a".equals(f.get("id").getAsString()), "announce ack");
              p.send(Json.obj("type", "subscribe", "id", "s", "topic", "topic-" + (i % 20)));
              p.expectMatching(f -> f.has("id") && "s".equals(f.get("id").getAsString()), "subscribe ack");
            }
          }
          return null;
        }));
      }
      for (Future<?> f : done) {
        f.get();
      }
    } finally {
      pool.shutdownNow();
    }
  }
}
