package dev.loft.client;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.loft.client.support.Recorder;
import dev.loft.client.support.TestClients;
import dev.loft.client.support.TestHub;
import dev.loft.server.HubServer;
import dev.loft.server.stats.Stat;
import java.net.URI;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * Guards failover: with several hubs configured, a failed attempt moves on to the next hub in the
 * configured order, and a connection that drops after being established starts again from the first.
 */
class ClientFailsOverToTheNextHubInOrderTest {
  private static final Duration WAIT = Duration.ofSeconds(10);

  @Test
  void aDeadFirstHubIsSkippedAndTheOrderIsKept() throws Exception {
    HubServer gone = TestHub.start();
    URI dead = TestHub.uri(gone);
    gone.close();
    HubServer live = TestHub.start();
    URI alive = TestHub.uri(live);
    HubClient client =
        HubClients.create(TestClients.options(dead).uri(alive).build());
    Recorder<StateChange.Connecting> attempts = new Recorder<>();
    Recorder<StateChange.Connected> connected = new Recorder<>();
    client.on(StateChange.Connecting.class, "attempts", attempts);
    client.on(StateChange.Connected.class, "connected", connected);
    try {
      client.connect().get(10, TimeUnit.SECONDS);
      await().atMost(WAIT).until(() -> connected.size() == 1);
      assertEquals(List.of(dead, alive), attempts.all().stream().map(StateChange.Connecting::uri).toList());
      assertEquals(alive, connected.all().get(0).uri());
      assertEquals(1, live.stats().get(Stat.PEERS));

      // The live hub drops us: the next round starts from the first (preferred) hub again.
      live.close();
      await().atMost(WAIT).until(() -> attempts.size() >= 4);
      List<URI> order = attempts.all().stream().map(StateChange.Connecting::uri).toList();
      assertEquals(List.of(dead, alive, dead, alive), order.subList(0, 4));
    } finally {
      client.close();
      live.close();
    }
  }
}
