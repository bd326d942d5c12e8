package dev.loft.client;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonPrimitive;
import dev.loft.client.support.Recorder;
import dev.loft.client.support.TestClients;
import dev.loft.client.support.TestHub;
import dev.loft.server.HubServer;
import dev.loft.server.stats.Stat;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Guards topic delivery, no echo to the publisher, and unsubscribe when the last handle closes. */
class PubSubRoundTripTest {
  private static final Duration WAIT = Duration.ofSeconds(10);

  private HubServer hub;
  private HubClient subscriber;
  private HubClient publisher;

  @BeforeEach
  void start() {
    hub = TestHub.start();
    subscriber = HubClients.create(TestClients.options(TestHub.uri(hub)).build());
    publisher = HubClients.create(TestClients.options(TestHub.uri(hub)).build());
    subscriber.connect().orTimeout(10, TimeUnit.SECONDS).join();
    publisher.connect().orTimeout(10, TimeUnit.SECONDS).join();
  }

  @AfterEach
  void stop() {
    subscriber.close();
    publisher.close();
    hub.close();
  }

  @Test
  void publicationsReachSubscribersInOrderAndAreNotEchoed() {
    Recorder<TopicMessage> received = new Recorder<>();
    Recorder<TopicMessage> echoes = new Recorder<>();
    Subscription sub = subscriber.subscribe("chat.lobby", "ui", received);
    publisher.subscribe("chat.lobby", "self", echoes).ready().join();
    sub.ready().orTimeout(10, TimeUnit.SECONDS).join();

    for (int i = 0; i < 20; i++) {
      publisher.publish("chat.lobby", new JsonPrimitive(i)).join();
    }
    await().atMost(WAIT).until(() -> received.size() == 20);
    List<TopicMessage> got = received.all();
    for (int i = 0; i < 20; i++) {
      assertEquals(i, got.get(i).data().getAsInt());
      assertEquals(publisher.peerId(), got.get(i).fromPeerId());
      assertEquals("chat.lobby", got.get(i).topic());
    }
    assertEquals(0, echoes.size(), "a publisher does not receive its own publications");
  }

  @Test
  void closingTheLastHandleUnsubscribesOnTheHub() {
    Recorder<TopicMessage> first = new Recorder<>();
    Recorder<TopicMessage> second = new Recorder<>();
    Subscription a = subscriber.subscribe("news", "a", first);
    Subscription b = subscriber.subscribe("news", "b", second);
    a.ready().join();
    await().atMost(WAIT).until(() -> hub.stats().get(Stat.SUBSCRIPTIONS) == 1);

    a.close();
    a.close(); // idempotent
    assertFalse(a.isActive());
    publisher.publish("news", new JsonPrimitive("still here")).join();
    await().atMost(WAIT).until(() -> second.size() == 1);
    assertEquals(0, first.size());
    assertEquals(1, hub.stats().get(Stat.SUBSCRIPTIONS), "one handle left: still subscribed on the hub");

    b.close();
    assertEquals(List.of(), List.copyOf(subscriber.topics()));
    await().atMost(WAIT).until(() -> hub.stats().get(Stat.SUBSCRIPTIONS) == 0);
  }

  @Test
  void duplicateListenerNamesAndBadTopicsAreRefusedUpFront() {
    subscriber.subscribe("t", "same", m -> {});
    assertThrows(IllegalArgumentException.class, () -> subscriber.subscribe("t", "same", m -> {}));
    assertThrows(IllegalArgumentException.class, () -> subscriber.subscribe("has space", "x", m -> {}));
    assertThrows(IllegalArgumentException.class, () -> publisher.publish("", new JsonPrimitive(1)));
  }

  @Test
  void aThrowingListenerIsIsolatedAndReported() {
    Recorder<Throwable> failures = new Recorder<>();
    HubClient noisy =
        HubClients.create(
            TestClients.options(TestHub.uri(hub))
                .errorListener(
                    new ErrorListener() {
                      @Override
                      public void listenerFailed(HubClient c, String name, Object event, Throwable error) {
                        failures.accept(error);
                      }
                    })
                .build());
    try {
      noisy.connect().join();
      Recorder<TopicMessage> good = new Recorder<>();
      noisy.subscribe("x", "bad", m -> {
        throw new IllegalStateException("boom");
      });
      noisy.subscribe("x", "good", good).ready().join();
      publisher.publish("x", new JsonPrimitive(1)).join();
      await().atMost(WAIT).until(() -> good.size() == 1 && failures.size() == 1);
      assertTrue(failures.all().get(0).getMessage().contains("boom"));
    } finally {
      noisy.close();
    }
  }
}
