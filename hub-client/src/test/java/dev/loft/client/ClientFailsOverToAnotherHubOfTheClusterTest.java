package dev.loft.client;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;

import com.google.gson.JsonPrimitive;
import dev.loft.client.support.Recorder;
import dev.loft.client.support.TestClients;
import dev.loft.client.support.TestHub;
import dev.loft.server.HubServer;
import dev.loft.server.support.ClusterHubs;
import dev.loft.server.support.RedisServer;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * Guards the cluster's promise to a client: when its hub goes away, it fails over to another hub
 * of the same cluster (its next configured URL), subscribes again there by itself, and gets what
 * is published on any hub, with no user code (issue 12, "a hub restarted").
 */
class ClientFailsOverToAnotherHubOfTheClusterTest {
  private static final Duration WAIT = Duration.ofSeconds(15);

  @Test
  void aClientWhoseHubStopsGoesOnThroughAnotherHubOfTheCluster() {
    try (RedisServer redis = RedisServer.onFreePort();
         HubServer other = HubServer.start(ClusterHubs.config(redis, "other").build())) {
      HubServer first = HubServer.start(ClusterHubs.config(redis, "first").build());
      HubClient subscriber = HubClients.create(TestClients.options(TestHub.uri(first)).uri(TestHub.uri(other)).build());
      HubClient publisher = HubClients.create(TestClients.options(TestHub.uri(other)).build());
      Recorder<TopicMessage> received = new Recorder<>();
      try {
        ClusterHubs.awaitMesh(java.util.List.of(first, other));
        subscriber.subscribe("news", "reader", received);
        subscriber.connect().orTimeout(10, TimeUnit.SECONDS).join();
        publisher.connect().orTimeout(10, TimeUnit.SECONDS).join();
        ClusterHubs.awaitFollowed(redis, "loft.t.news", 1);
        publisher.publish("news", new JsonPrimitive("before")).join(); // published on the other hub
        await().atMost(WAIT).until(() -> received.size() == 1);

        first.close(); // the subscriber's hub goes away
        await().atMost(WAIT).until(() -> subscriber.state() == ConnectionState.CONNECTED
            && other.stats().get(dev.loft.server.stats.Stat.SUBSCRIPTIONS) == 1);
        publisher.publish("news", new JsonPrimitive("after")).join();
        await().atMost(WAIT).until(() -> received.size() == 2);
        assertEquals("after", received.all().get(1).data().getAsString());
      } finally {
        subscriber.close();
        publisher.close();
        first.close();
      }
    }
  }
}
