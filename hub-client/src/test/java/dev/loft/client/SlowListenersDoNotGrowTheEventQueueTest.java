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
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.stream.IntStream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Guards the event queue: a listener that blocks (or is merely slower than the hub's traffic) must
 * not make the client queue every incoming event until the heap is gone. Past
 * {@code maxQueuedEvents} events are dropped, counted, and reported once per episode, while
 * connection state changes still get through.
 */
class SlowListenersDoNotGrowTheEventQueueTest {
  private static final Duration WAIT = Duration.ofSeconds(10);
  private static final int MAX_QUEUED = 10;
  private static final int FLOOD = 60;

  private HubServer hub;
  private HubClient subscriber;
  private HubClient publisher;
  private final List<EventQueueFullException> reports = new CopyOnWriteArrayList<>();
  private final Recorder<TopicMessage> received = new Recorder<>();
  private final Recorder<StateChange> states = new Recorder<>();
  /** The listener waits on this: replaced to block it again. */
  private volatile CountDownLatch gate = new CountDownLatch(1);

  @BeforeEach
  void start() {
    hub = TestHub.start();
    ErrorListener errors =
        new ErrorListener() {
          @Override
          public void eventQueueFull(HubClient client, EventQueueFullException error) {
            reports.add(error);
          }
        };
    subscriber =
        HubClients.create(
            TestClients.options(TestHub.uri(hub)).maxQueuedEvents(MAX_QUEUED).errorListener(errors).build());
    subscriber.onStateChange("test", states);
    subscriber.subscribe(
        "flood",
        "slow",
        m -> {
          received.accept(m);
          awaitGate();
        });
    // Another network: the subscriber gets no peer-discovered, only the flood's messages.
    publisher = HubClients.create(TestClients.options(TestHub.uri(hub)).networkName("publishers").build());
    subscriber.connect().orTimeout(10, TimeUnit.SECONDS).join();
    publisher.connect().orTimeout(10, TimeUnit.SECONDS).join();
    await().atMost(WAIT).until(() -> subscriber.queuedEvents() == 0);
  }

  @AfterEach
  void stop() {
    gate.countDown();
    subscriber.close();
    publisher.close();
    hub.close();
  }

  @Test
  void slowListenerDoesNotGrowTheHeapAndIsToldItDropped() {
    flood();
    // One message is in the blocked listener, MAX_QUEUED wait, the rest were dropped.
    await().atMost(WAIT).untilAsserted(() -> assertEquals(FLOOD - 1 - MAX_QUEUED, subscriber.droppedEvents(), counts()));
    assertEquals(MAX_QUEUED + 1, subscriber.queuedEvents(), "the queue stopped at its bound (plus the report): " + counts());
    assertEquals(1, received.size());

    // The report is an event too: it comes on the event thread, after what was queued before it.
    gate.countDown();
    await().atMost(WAIT).until(() -> subscriber.queuedEvents() == 0 && received.size() == 1 + MAX_QUEUED);
    assertEquals(1, reports.size(), "told once, not per dropped event: " + reports);
    assertEquals(MAX_QUEUED, reports.get(0).maxQueuedEvents());
    assertEquals("TopicMessage", reports.get(0).firstDropped());
    assertEquals(FLOOD - 1 - MAX_QUEUED, subscriber.droppedEvents(), "nothing more was dropped");

    // Drained: the next overflow is a new episode and is reported again.
    gate = new CountDownLatch(1);
    flood();
    long dropped = 2L * (FLOOD - 1 - MAX_QUEUED);
    await().atMost(WAIT).untilAsserted(() -> assertEquals(dropped, subscriber.droppedEvents(), counts()));
    assertEquals(MAX_QUEUED + 1, subscriber.queuedEvents(), counts());
    gate.countDown();
    await().atMost(WAIT).until(() -> subscriber.queuedEvents() == 0);
    assertEquals(2, reports.size(), "a second episode, a second report");
  }

  @Test
  void stateChangesStillArriveWhileTheQueueIsFull() {
    flood();
    await().atMost(WAIT).untilAsserted(() -> assertEquals(FLOOD - 1 - MAX_QUEUED, subscriber.droppedEvents(), counts()));

    hub.close(); // the subscriber loses its connection while its listener is still stuck
    await().atMost(WAIT).until(() -> subscriber.state() == ConnectionState.WAITING_TO_RECONNECT);
    assertTrue(subscriber.queuedEvents() > MAX_QUEUED + 1, "state changes took the reserve: " + counts());

    gate.countDown();
    await().atMost(WAIT).until(() -> states.any(s -> s instanceof StateChange.Reconnecting));
    StateChange.Disconnected lost = states.ofType(StateChange.Disconnected.class).get(0);
    assertEquals(CloseCodes.GOING_AWAY, lost.code());

    subscriber.close();
    await().atMost(WAIT).until(() -> states.any(s -> s instanceof StateChange.Closed));
  }

  /**
   * FLOOD messages, each acked by the hub, so all were sent to the subscriber. The first is let in
   * alone, so that the listener is stuck on it before the rest arrive: the counts are then exact.
   */
  private void flood() {
    int before = received.size();
    publisher.publish("flood", new JsonPrimitive(0)).orTimeout(10, TimeUnit.SECONDS).join();
    await().atMost(WAIT).until(() -> subscriber.queuedEvents() == 0 && received.size() == before + 1);
    CompletableFuture.allOf(
            IntStream.range(1, FLOOD)
                .mapToObj(i -> publisher.publish("flood", new JsonPrimitive(i)))
                .toArray(CompletableFuture[]::new))
        .orTimeout(10, TimeUnit.SECONDS)
        .join();
  }

  private String counts() {
    return "received " + received.size() + ", queued " + subscriber.queuedEvents() + ", dropped " + subscriber.droppedEvents();
  }

  private void awaitGate() {
    try {
      gate.await(30, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
