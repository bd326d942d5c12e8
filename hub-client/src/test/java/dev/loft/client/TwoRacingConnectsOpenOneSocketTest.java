package dev.loft.client;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.loft.client.support.Recorder;
import dev.loft.client.support.TestClients;
import dev.loft.client.support.TestHub;
import dev.loft.server.HubServer;
import dev.loft.server.stats.Stat;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Guards "one connection at a time": connect() calls racing each other, or racing the client's own
 * reconnect timer, must never open a second socket. The hub would refuse a duplicate peer id, so
 * besides its peer count we check its duplicate-rejection counter and the client's own
 * {@code Connecting} events (one per socket opened).
 */
class TwoRacingConnectsOpenOneSocketTest {
  private static final Duration WAIT = Duration.ofSeconds(10);

  private HubServer hub;
  private ExecutorService racers;

  @BeforeEach
  void start() {
    hub = TestHub.start();
    racers = Executors.newFixedThreadPool(2);
  }

  @AfterEach
  void stop() throws InterruptedException {
    racers.shutdownNow();
    racers.awaitTermination(5, TimeUnit.SECONDS);
    hub.close();
  }

  @Test
  void twoConcurrentConnectCallsShareOneSocket() throws Exception {
    for (int round = 0; round < 10; round++) {
      HubClient client = HubClients.create(TestClients.options(TestHub.uri(hub)).build());
      Recorder<StateChange.Connecting> connecting = new Recorder<>();
      client.on(StateChange.Connecting.class, "count", connecting);
      CyclicBarrier gate = new CyclicBarrier(2);
      List<CompletableFuture<CompletableFuture<Void>>> calls = new ArrayList<>();
      for (int i = 0; i < 2; i++) {
        calls.add(CompletableFuture.supplyAsync(() -> {
          pass(gate);
          return client.connect();
        }, racers));
      }
      for (CompletableFuture<CompletableFuture<Void>> call : calls) {
        call.get(10, TimeUnit.SECONDS).get(10, TimeUnit.SECONDS);
      }
      assertEquals(ConnectionState.CONNECTED, client.state());
      assertEquals(1, hub.stats().get(Stat.PEERS));
      await().atMost(WAIT).until(() -> connecting.size() == 1);
      await().during(Duration.ofMillis(50)).atMost(WAIT).until(() -> hub.stats().get(Stat.PEERS) == 1);
      client.close();
      await().atMost(WAIT).until(() -> hub.stats().get(Stat.PEERS) == 0);
    }
    assertEquals(0, hub.stats().get(Stat.REJECTED_DUPLICATE));
  }

  @Test
  void manualConnectRacingTheReconnectTimerOpensOneSocket() throws Exception {
    int port = hub.port();
    HubClient client =
        HubClients.create(
            TestClients.options(TestHub.uri(hub))
                // The timer fires within 1-2 ms: it races the connect() calls below.
                .reconnectPolicy(ReconnectPolicy.exponential(Duration.ofMillis(1), Duration.ofMillis(2)))
                .build());
    try {
      client.connect().get(10, TimeUnit.SECONDS);
      for (int round = 0; round < 3; round++) {
        hub.close();
        await().atMost(WAIT).until(() -> client.state() != ConnectionState.CONNECTED);
        hub = TestHub.startOn(port);
        CyclicBarrier gate = new CyclicBarrier(2);
        List<CompletableFuture<CompletableFuture<Void>>> calls = new ArrayList<>();
        for (int i = 0; i < 2; i++) {
          calls.add(CompletableFuture.supplyAsync(() -> {
            pass(gate);
            return client.connect();
          }, racers));
        }
        for (CompletableFuture<CompletableFuture<Void>> call : calls) {
          call.get(10, TimeUnit.SECONDS).get(10, TimeUnit.SECONDS);
        }
        HubServer current = hub;
        await().during(Duration.ofMillis(100)).atMost(WAIT).until(() -> current.stats().get(Stat.PEERS) == 1);
        assertEquals(0, current.stats().get(Stat.REJECTED_DUPLICATE), "a second socket with our id was opened");
      }
    } finally {
      client.close();
    }
  }

  private static void pass(CyclicBarrier gate) {
    try {
      gate.await(5, TimeUnit.SECONDS);
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
  }
}
