package dev.loft.client;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonPrimitive;
import dev.loft.client.support.Recorder;
import dev.loft.client.support.TestClients;
import dev.loft.client.support.TestHub;
import dev.loft.protocol.CloseCodes;
import dev.loft.server.HubServer;
import dev.loft.server.stats.Stat;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * Guards the restart path: the hub goes away (1001), comes back on the same port, and the clients
 * reconnect, re-announce and re-subscribe by themselves; messages flow again with no user code.
 */
class ClientReconnectsAndResubscribesAfterHubRestartTest {
  private static final Duration WAIT = Duration.ofSeconds(15);

  @Test
  void subscriptionsWorkAgainAfterTheHubRestarts() {
    HubServer first = TestHub.start();
    int port = first.port();
    HubServer second = null;
    HubClient subscriber = HubClients.create(TestClients.options(TestHub.uri(first)).build());
    HubClient publisher = HubClients.create(TestClients.options(TestHub.uri(first)).build());
    Recorder<StateChange> states = new Recorder<>();
    Recorder<TopicMessage> received = new Recorder<>();
    Recorder<PeerDiscovered> discovered = new Recorder<>();
    try {
      subscriber.onStateChange("test", states);
      publisher.onPeerDiscovered("test", discovered);
      subscriber.subscribe("metrics", "collector", received);
      subscriber.connect().orTimeout(10, TimeUnit.SECONDS).join();
      publisher.connect().orTimeout(10, TimeUnit.SECONDS).join();
      publisher.publish("metrics", new JsonPrimitive("before")).join();
      await().atMost(WAIT).until(() -> received.size() == 1);

      first.close();
      await().atMost(WAIT).until(() -> states.any(s -> s instanceof StateChange.Disconnected d && d.code() == CloseCodes.GOING_AWAY));
      await().atMost(WAIT).until(() -> states.any(s -> s instanceof StateChange.Reconnecting));

      second = TestHub.startOn(port);
      await().atMost(WAIT).until(() -> subscriber.state() == ConnectionState.CONNECTED);
      await().atMost(WAIT).until(() -> publisher.state() == ConnectionState.CONNECTED);

      // Connected means announced and re-subscribed: the new hub knows the topic already.
      assertEquals(1, second.stats().get(Stat.SUBSCRIPTIONS));
      assertEquals(2, second.stats().get(Stat.ANNOUNCED_PEERS));
      publisher.publish("metrics", new JsonPrimitive("after")).join();
      await().atMost(WAIT).until(() -> received.size() == 2);
      assertEquals("after", received.all().get(1).data().getAsString());
      // Re-announce made the peers discover each other again on the new hub.
      await().atMost(WAIT).until(() -> discovered.all().stream().filter(p -> p.peerId().equals(subscriber.peerId())).count() >= 2);

      long connectedEvents = states.ofType(StateChange.Connected.class).size();
      assertEquals(2, connectedEvents, states.all().toString());
      StateChange.Reconnecting reconnecting = states.ofType(StateChange.Reconnecting.class).get(0);
      assertEquals(1, reconnecting.attempt());
      assertTrue(reconnecting.delay().compareTo(Duration.ofMillis(20)) >= 0);
    } finally {
      subscriber.close();
      publisher.close();
      first.close();
      if (second != null) {
        second.close();
      }
    }
  }
}
