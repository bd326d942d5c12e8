package dev.loft.client;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonPrimitive;
import dev.loft.client.support.TestClients;
import dev.loft.client.support.TestHub;
import dev.loft.server.HubServer;
import dev.loft.server.stats.Stat;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Guards the client half of the leak problem: every thread a client starts (event thread, socket
 * read and write threads) ends when it closes, including clients closed while reconnecting.
 */
class ClosedClientsLeaveNoThreadsTest {
  private static final Duration WAIT = Duration.ofSeconds(20);

  private HubServer hub;

  @BeforeEach
  void start() {
    hub = TestHub.start();
  }

  @AfterEach
  void stop() {
    hub.close();
  }

  /**
   * Threads a client may start: ours, and Java-WebSocket's client threads should any keep their
   * library names. (The hub's own threads, e.g. its connectionLostChecker, are not counted.)
   */
  private static List<String> clientThreadNames() {
    return Thread.getAllStackTraces().keySet().stream()
        .map(Thread::getName)
        .filter(n -> n.startsWith("loft-client-") || n.startsWith("WebSocketConnectReadThread") || n.startsWith("WebSocketWriteThread"))
        .sorted()
        .toList();
  }

  private static java.util.Set<String> allThreadNames() {
    return Thread.getAllStackTraces().keySet().stream().map(Thread::getName).collect(java.util.stream.Collectors.toSet());
  }

  private static List<String> newThreads(java.util.Set<String> before) {
    return allThreadNames().stream().filter(n -> !before.contains(n)).sorted().toList();
  }

  private static long clientThreads() {
    return clientThreadNames().size();
  }

  private static void awaitNoClientThreads() {
    await("client threads gone").atMost(WAIT).until(ClosedClientsLeaveNoThreadsTest::clientThreadNames, List::isEmpty);
  }

  @Test
  void hundredClientsOpenedAndClosedLeaveThreadCountAtBaseline() throws Exception {
    awaitNoClientThreads();
    int baseline = Thread.activeCount();
    java.util.Set<String> before = allThreadNames();

    List<HubClient> clients = new ArrayList<>();
    for (int i = 0; i < 100; i++) {
      HubClient c = HubClients.create(TestClients.options(TestHub.uri(hub)).build());
      clients.add(c);
      c.subscribe("t" + (i % 10), "l", m -> {});
    }
    // get(timeout), not orTimeout(): orTimeout starts a JDK scheduler thread that never ends.
    CompletableFuture.allOf(clients.stream().map(HubClient::connect).toArray(CompletableFuture[]::new))
        .get(20, TimeUnit.SECONDS);
    await().atMost(WAIT).until(() -> hub.stats().get(Stat.PEERS) == 100);
    assertTrue(clientThreads() >= 100, "each client runs threads while connected");
    clients.get(0).publish("t1", new JsonPrimitive("x")).join();

    clients.forEach(HubClient::close);
    clients.forEach(HubClient::close); // idempotent

    awaitNoClientThreads();
    // Polled on this thread, so that Awaitility's own poller is not counted.
    await("thread count back to baseline " + baseline)
        .pollInSameThread()
        .atMost(WAIT)
        .until(() -> Thread.activeCount() <= baseline ? List.<String>of() : newThreads(before), List::isEmpty);
    await().atMost(WAIT).until(() -> hub.stats().get(Stat.PEERS) == 0);
    for (HubClient c : clients) {
      assertEquals(ConnectionState.CLOSED, c.state());
      assertEquals(0, c.pendingRequests());
      assertEquals(0, c.bufferedFrames());
      assertTrue(c.topics().isEmpty());
    }
  }

  @Test
  void clientsClosedWhileReconnectingOrNeverConnectedLeaveNothing() throws Exception {
    awaitNoClientThreads();
    HubServer doomed = TestHub.start();
    List<HubClient> clients = new ArrayList<>();
    for (int i = 0; i < 10; i++) {
      HubClient c = HubClients.create(TestClients.options(TestHub.uri(doomed)).build());
      c.connect().get(10, TimeUnit.SECONDS);
      clients.add(c);
    }
    HubClient neverConnected = HubClients.create(TestClients.options(TestHub.uri(hub)).build());
    CompletableFuture<Void> buffered = neverConnected.publish("t", new JsonPrimitive(1));
    doomed.close(); // every client starts its reconnect loop against a dead port
    await().atMost(WAIT).until(() -> clients.stream().allMatch(c -> c.state() != ConnectionState.CONNECTED));

    clients.forEach(HubClient::close);
    neverConnected.close();
    awaitNoClientThreads();

    CompletionException e = assertThrows(CompletionException.class, buffered::join);
    assertInstanceOf(ClientClosedException.class, e.getCause());
    assertThrows(ClientClosedException.class, () -> neverConnected.subscribe("t", "x", m -> {}));
    assertInstanceOf(ClientClosedException.class, assertThrows(CompletionException.class, () -> neverConnected.connect().join()).getCause());
  }

  @Test
  void closingRightAfterConnectWhileTheSocketIsStillOpeningLeavesNothing() {
    awaitNoClientThreads();
    List<HubClient> clients = new ArrayList<>();
    for (int i = 0; i < 50; i++) {
      HubClient c = HubClients.create(TestClients.options(TestHub.uri(hub)).build());
      CompletableFuture<Void> connecting = c.connect();
      c.close(); // races the TCP connect and the handshake on the socket's own threads
      clients.add(c);
      try {
        connecting.join(); // on a fast machine the connect may have finished first: then close() undid it
      } catch (CompletionException closedFirst) {
        assertInstanceOf(ClientClosedException.class, closedFirst.getCause());
      }
    }
    awaitNoClientThreads();
    await().atMost(WAIT).until(() -> hub.stats().get(Stat.PEERS) == 0);
  }
}
