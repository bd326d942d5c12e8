package dev.loft.server.lifecycle;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.loft.protocol.CloseCodes;
import dev.loft.server.config.HubConfig;
import dev.loft.server.HubServer;
import dev.loft.server.support.Hubs;
import dev.loft.server.support.Json;
import dev.loft.server.support.TestPeer;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/**
 * A hub started and stopped many times in one JVM must leave no thread behind (its own, the
 * WebSocket library's, the admin HTTP server's) and no retained heap.
 */
class HubStartedAndStoppedFiftyTimesLeavesNoThreadsTest {
  private static final int CYCLES = 50;
  /** Thread names a hub starts: Java-WebSocket's, Loft's own ({@code loft-...}), the JDK HttpServer's. */
  private static final List<String> HUB_THREAD_PREFIXES =
      List.of("WebSocketSelector", "WebSocketWorker", "connectionLostChecker", "loft-", "HTTP-Dispatcher");
  private static final long HEAP_TOLERANCE_BYTES = 2L * 1024 * 1024;

  private static boolean isHubThread(Thread t) {
    return t.isAlive() && HUB_THREAD_PREFIXES.stream().anyMatch(p -> t.getName().startsWith(p));
  }

  private static Set<Thread> hubThreads() {
    return Thread.getAllStackTraces().keySet().stream()
        .filter(HubStartedAndStoppedFiftyTimesLeavesNoThreadsTest::isHubThread)
        .collect(Collectors.toSet());
  }

  /** Hub threads alive now that were not alive at the baseline. */
  private static List<String> newHubThreads(Set<Thread> baseline) {
    return hubThreads().stream()
        .filter(t -> !baseline.contains(t))
        .map(Thread::getName)
        .sorted()
        .collect(Collectors.toList());
  }

  private static long usedHeapAfterGc() {
    System.gc();
    Runtime rt = Runtime.getRuntime();
    return rt.totalMemory() - rt.freeMemory();
  }

  /** One full cycle; with a peer, the peer connects, announces, and is told 1001 on close. */
  private static void cycle(HubConfig config, boolean withPeer) {
    HubServer hub = HubServer.start(config);
    assertTrue(hub.isRunning());
    TestPeer peer = null;
    try {
      if (withPeer) {
        peer = TestPeer.connect(hub.uri());
        peer.send(Json.obj("type", "announce", "id", "a", "networkName", "n", "data", Json.obj()));
        peer.expect("ack");
      }
    } finally {
      hub.close();
    }
    if (peer != null) {
      peer.expectClosed(CloseCodes.GOING_AWAY);
    }
    assertFalse(hub.isRunning());
  }

  @Test
  void fiftyStartStopCyclesLeaveThreadsAndHeapAtBaseline() {
    HubConfig plain = Hubs.config().build();
    HubConfig withAdmin = Hubs.config().adminPort(0).adminToken("t").build();
    Set<Thread> beforeWarmUp = hubThreads();
    // Warm up: load every class and create the shared test HTTP client before measuring.
    cycle(withAdmin, true);
    cycle(plain, true);
    await("warm-up hub threads to end").atMost(Duration.ofSeconds(10))
        .untilAsserted(() -> assertEquals(List.of(), newHubThreads(beforeWarmUp)));

    Set<Thread> baseline = hubThreads();
    int baselineActive = Thread.activeCount();
    long baselineHeap = usedHeapAfterGc();

    for (int i = 0; i < CYCLES; i++) {
      cycle(i % 4 == 0 ? withAdmin : plain, i % 3 == 0);
    }

    await("hub threads to end after " + CYCLES + " cycles")
        .atMost(Duration.ofSeconds(10))
        .untilAsserted(() -> assertEquals(List.of(), newHubThreads(baseline), "threads left behind"));
    await("total thread count to return to baseline")
        .atMost(Duration.ofSeconds(10))
        .untilAsserted(() -> assertTrue(Thread.activeCount() <= baselineActive + 2,
            "active threads " + Thread.activeCount() + " vs baseline " + baselineActive + ": "
                + Thread.getAllStackTraces().keySet().stream().map(Thread::getName).sorted().toList()));
    long[] last = {0};
    await("retained heap to return near baseline")
        .atMost(Duration.ofSeconds(20))
        .pollInterval(Duration.ofMillis(250))
        .untilAsserted(() -> {
          last[0] = usedHeapAfterGc();
          assertTrue(last[0] <= baselineHeap + HEAP_TOLERANCE_BYTES,
              "heap after GC " + (last[0] >> 10) + " KB vs baseline " + (baselineHeap >> 10) + " KB");
        });
  }

  @Test
  void closeTwiceIsHarmlessAndAClosedHubCannotBeRestarted() {
    HubServer hub = Hubs.start();
    hub.close();
    hub.close();
    assertFalse(hub.isRunning());
    IllegalStateException e = assertThrows(IllegalStateException.class, hub::start);
    assertTrue(e.getMessage().contains("closed"), e::getMessage);
    assertThrows(IllegalStateException.class, () -> hub.bus().subscribe(String.class, "late", s -> {}),
        "a closed hub's bus takes no listeners");
  }

  @Test
  void startTwiceIsHarmless() {
    try (HubServer hub = Hubs.start()) {
      int port = hub.port();
      int listeners = hub.bus().listenerCount();
      assertSame(hub, hub.start());
      assertEquals(port, hub.port());
      assertEquals(listeners, hub.bus().listenerCount(), "a second start must not wire the router twice");
      try (TestPeer peer = TestPeer.connect(hub.uri())) {
        peer.send(Json.obj("type", "ping"));
        peer.expect("pong");
      }
    }
  }

  @Test
  void aHubClosedBeforeStartingStartsNoThreadsAndCannotStart() {
    Set<Thread> before = hubThreads();
    HubServer hub = new HubServer(Hubs.config().adminPort(0).build());
    hub.close();
    hub.close();
    assertFalse(hub.isRunning());
    assertThrows(IllegalStateException.class, hub::start);
    await().atMost(Duration.ofSeconds(5))
        .untilAsserted(() -> assertEquals(List.of(), newHubThreads(before)));
  }

  @Test
  void aStartThatCannotBindThrowsClosesTheHubAndLeavesNoThreads() {
    try (HubServer first = Hubs.start(Hubs.config().adminPort(0))) {
      Set<Thread> before = hubThreads();

      HubServer portTaken = new HubServer(Hubs.config().port(first.port()).build());
      IllegalStateException ws = assertThrows(IllegalStateException.class, portTaken::start);
      assertTrue(ws.getMessage().contains("could not start"), ws::getMessage);
      assertFalse(portTaken.isRunning());
      assertTrue(portTaken.bus().isClosed());
      assertThrows(IllegalStateException.class, portTaken::start, "a hub whose start failed is closed");

      HubServer adminPortTaken = new HubServer(Hubs.config().adminPort(first.adminPort()).build());
      IllegalStateException admin = assertThrows(IllegalStateException.class, adminPortTaken::start);
      assertTrue(admin.getMessage().contains("admin port"), admin::getMessage);
      assertFalse(adminPortTaken.isRunning());
      assertTrue(adminPortTaken.bus().isClosed());

      await().atMost(Duration.ofSeconds(5))
          .untilAsserted(() -> assertEquals(List.of(), newHubThreads(before), "threads left by failed starts"));
      try (TestPeer peer = TestPeer.connect(first.uri())) {
        peer.send(Json.obj("type", "ping"));
        peer.expect("pong");
      }
    }
  }
}
