package dev.loft.client;

import static dev.loft.client.support.Futures.failureOf;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonPrimitive;
import dev.loft.client.support.Recorder;
import dev.loft.client.support.TestClients;
import dev.loft.client.support.TestHub;
import dev.loft.server.HubServer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Guards the buffer that holds sends while disconnected: it refuses (fast, via the future or a
 * false return) past its frame or byte bound instead of growing, and what it accepted is sent in
 * call order once connected.
 */
class OutgoingBufferBoundIsEnforcedTest {
  private static final Duration WAIT = Duration.ofSeconds(10);

  private HubServer hub;
  private HubClient subscriber;

  @BeforeEach
  void start() {
    hub = TestHub.start();
    subscriber = HubClients.create(TestClients.options(TestHub.uri(hub)).build());
  }

  @AfterEach
  void stop() {
    subscriber.close();
    hub.close();
  }

  @Test
  void frameBoundRefusesTheNextSendAndTheRestIsFlushedInOrder() {
    Recorder<TopicMessage> received = new Recorder<>();
    subscriber.subscribe("orders", "test", received);
    subscriber.connect().orTimeout(10, TimeUnit.SECONDS).join();

    try (HubClient publisher = HubClients.create(TestClients.options(TestHub.uri(hub)).maxBufferedFrames(5).build())) {
      // Not connected yet: everything goes to the buffer.
      List<CompletableFuture<Void>> accepted = new ArrayList<>();
      for (int i = 0; i < 4; i++) {
        accepted.add(publisher.publish("orders", new JsonPrimitive(i)));
      }
      assertTrue(publisher.publishAndForget("orders", new JsonPrimitive(4)));
      assertEquals(5, publisher.bufferedFrames());

      CompletableFuture<Void> refused = publisher.publish("orders", new JsonPrimitive(5));
      assertTrue(refused.isCompletedExceptionally(), "refused at the call");
      assertInstanceOf(BufferFullException.class, failureOf(refused));
      assertFalse(publisher.publishAndForget("orders", new JsonPrimitive(6)));
      assertEquals(5, publisher.bufferedFrames(), "the buffer did not grow");
      assertTrue(accepted.stream().noneMatch(CompletableFuture::isDone));

      publisher.connect().orTimeout(10, TimeUnit.SECONDS).join();
      CompletableFuture.allOf(accepted.toArray(CompletableFuture[]::new)).orTimeout(10, TimeUnit.SECONDS).join();
      assertEquals(0, publisher.bufferedFrames());
      await().atMost(WAIT).until(() -> received.size() == 5);
      for (int i = 0; i < 5; i++) {
        assertEquals(i, received.all().get(i).data().getAsInt(), "flushed in call order");
      }
    }
  }

  @Test
  void byteBoundRefusesALargeFrame() {
    String kilobyte = "x".repeat(1024);
    try (HubClient publisher = HubClients.create(TestClients.options(TestHub.uri(hub)).maxBufferedBytes(1500).build())) {
      CompletableFuture<Void> first = publisher.publish("big", new JsonPrimitive(kilobyte));
      CompletableFuture<Void> second = publisher.publish("big", new JsonPrimitive(kilobyte));
      assertFalse(first.isDone());
      assertInstanceOf(BufferFullException.class, failureOf(second));
      assertEquals(1, publisher.bufferedFrames());
    }
  }

  @Test
  void bufferedRequestsTimeOutAndFreeTheirSlot() {
    try (HubClient publisher =
        HubClients.create(
            TestClients.options(TestHub.uri(hub)).maxBufferedFrames(1).requestTimeout(Duration.ofMillis(200)).build())) {
      CompletableFuture<Void> first = publisher.publish("t", new JsonPrimitive(1));
      assertInstanceOf(BufferFullException.class, failureOf(publisher.publish("t", new JsonPrimitive(2))));
      await().atMost(WAIT).until(first::isDone);
      assertInstanceOf(RequestTimeoutException.class, failureOf(first));
      assertEquals(0, publisher.bufferedFrames());
      assertFalse(publisher.publish("t", new JsonPrimitive(3)).isDone(), "the slot is free again");
    }
  }
}
