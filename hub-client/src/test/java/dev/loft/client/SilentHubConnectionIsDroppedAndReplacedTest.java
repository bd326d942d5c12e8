package dev.loft.client;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.loft.client.support.Recorder;
import dev.loft.client.support.TcpProxy;
import dev.loft.client.support.TestClients;
import dev.loft.client.support.TestHub;
import dev.loft.server.HubServer;
import dev.loft.server.stats.Stat;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * Guards against half-open connections: when nothing comes back from the hub (not even pongs) for
 * two ping intervals, the client drops the socket itself and reconnects, instead of waiting forever
 * on a connection that only looks open.
 */
class SilentHubConnectionIsDroppedAndReplacedTest {
  private static final Duration WAIT = Duration.ofSeconds(10);

  @Test
  void silenceLongerThanTwoPingIntervalsTriggersAReconnect() throws Exception {
    HubServer hub = TestHub.start();
    TcpProxy proxy = new TcpProxy(hub.port());
    HubClient client =
        HubClients.create(TestClients.options(proxy.uri()).pingInterval(Duration.ofMillis(100)).build());
    Recorder<StateChange> states = new Recorder<>();
    client.onStateChange("test", states);
    try {
      client.connect().get(10, TimeUnit.SECONDS);
      // Pings answered: the connection survives several intervals.
      await().during(Duration.ofMillis(400)).atMost(WAIT).until(() -> client.state() == ConnectionState.CONNECTED);

      proxy.pauseDownstream(); // the hub's pongs stop arriving; the socket stays "open"
      await().atMost(WAIT).until(() -> states.any(s -> s instanceof StateChange.Disconnected d && d.reason().startsWith("no traffic")));
      StateChange.Disconnected dropped = states.ofType(StateChange.Disconnected.class).get(0);
      assertEquals(1006, dropped.code());

      proxy.resume();
      await().atMost(WAIT).until(() -> client.state() == ConnectionState.CONNECTED);
      assertEquals(2, states.ofType(StateChange.Connected.class).size());
      await().atMost(WAIT).until(() -> hub.stats().get(Stat.PEERS) == 1);
    } finally {
      client.close();
      proxy.close();
      hub.close();
    }
  }
}
