package dev.loft.client;

import static dev.loft.client.support.Futures.failureOf;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonPrimitive;
import dev.loft.client.support.TcpProxy;
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
 * Guards the pending-request map: requests the hub never answers time out, requests in flight when
 * the connection drops fail at once (not at their timeout), the map is bounded, and it is empty
 * afterwards. A stallable proxy between client and a real hub makes "no answer" deterministic.
 */
class PendingRequestsFailOnDisconnectAndTimeoutTest {
  private static final Duration WAIT = Duration.ofSeconds(10);

  private HubServer hub;
  private TcpProxy proxy;

  @BeforeEach
  void start() throws Exception {
    hub = TestHub.start();
    proxy = new TcpProxy(hub.port());
  }

  @AfterEach
  void stop() {
    proxy.close();
    hub.close();
  }

  private HubClient client(Duration requestTimeout, int maxPending) {
    HubClient client =
        HubClients.create(
            TestClients.options(proxy.uri())
                .requestTimeout(requestTimeout)
                .maxPendingRequests(maxPending)
                // With answers stalled the close handshake cannot finish: also covers the cut-off.
                .closeTimeout(Duration.ofMillis(200))
                .reconnectPolicy(ReconnectPolicy.exponential(Duration.ofSeconds(30), Duration.ofSeconds(60)))
                .build());
    client.connect().orTimeout(10, TimeUnit.SECONDS).join();
    return client;
  }

  @Test
  void unansweredRequestsTimeOutAndLeaveTheMap() {
    try (HubClient client = client(Duration.ofMillis(300), 100)) {
      proxy.pauseDownstream();
      CompletableFuture<Void> publish = client.publish("t", new JsonPrimitive(1));
      assertEquals(1, client.pendingRequests());
      Throwable error = await().atMost(WAIT).until(() -> failureOf(publish), e -> e != null);
      RequestTimeoutException timeout = assertInstanceOf(RequestTimeoutException.class, error);
      assertEquals("publish", timeout.requestType());
      assertEquals(0, client.pendingRequests());
    }
  }

  /** The hub's answer can arrive after the client gave up on the request; it must end nothing else. */
  @Test
  void anAnswerArrivingAfterTheTimeoutEndsNothingElse() throws Exception {
    try (HubClient client = client(Duration.ofMillis(300), 100)) {
      proxy.pauseDownstream();
      CompletableFuture<Void> late = client.publish("t", new JsonPrimitive(1));
      await().atMost(WAIT).until(late::isDone);

      proxy.resume(); // the hub's ack for it arrives now
      // Sent after it and answered after it on the same socket: once this completes, the late ack was read.
      client.publish("t", new JsonPrimitive(2)).get(10, TimeUnit.SECONDS);

      assertInstanceOf(RequestTimeoutException.class, failureOf(late));
      assertEquals(0, client.pendingRequests());
      assertEquals(ConnectionState.CONNECTED, client.state());
    }
  }

  @Test
  void requestsInFlightFailAtOnceWhenTheConnectionDrops() {
    try (HubClient client = client(Duration.ofSeconds(30), 100)) {
      proxy.pauseDownstream();
      List<CompletableFuture<Void>> inFlight = new ArrayList<>();
      for (int i = 0; i < 10; i++) {
        inFlight.add(client.publish("t", new JsonPrimitive(i)));
      }
      assertEquals(10, client.pendingRequests());

      proxy.cutAll();
      // Far sooner than the 30 s timeout: the disconnect itself fails them.
      await().atMost(WAIT).until(() -> inFlight.stream().allMatch(CompletableFuture::isDone));
      for (CompletableFuture<Void> f : inFlight) {
        assertInstanceOf(ConnectionLostException.class, failureOf(f));
      }
      assertEquals(0, client.pendingRequests());
      assertTrue(client.state() == ConnectionState.WAITING_TO_RECONNECT, client.state().toString());
    }
  }

  @Test
  void theMapIsBoundedAndFailsFast() {
    try (HubClient client = client(Duration.ofSeconds(30), 3)) {
      proxy.pauseDownstream();
      List<CompletableFuture<Void>> accepted = new ArrayList<>();
      for (int i = 0; i < 3; i++) {
        accepted.add(client.publish("t", new JsonPrimitive(i)));
      }
      CompletableFuture<Void> refused = client.publish("t", new JsonPrimitive(3));
      // Refused at the call, not later: the returned future is already failed.
      assertTrue(refused.isCompletedExceptionally());
      assertInstanceOf(BufferFullException.class, failureOf(refused));
      assertEquals(3, client.pendingRequests());
      assertTrue(accepted.stream().noneMatch(CompletableFuture::isDone));

      proxy.resume();
      CompletableFuture.allOf(accepted.toArray(CompletableFuture[]::new)).orTimeout(10, TimeUnit.SECONDS).join();
      assertEquals(0, client.pendingRequests());
    }
  }

  @Test
  void closeFailsWhatIsPending() {
    HubClient client = client(Duration.ofSeconds(30), 100);
    proxy.pauseDownstream();
    CompletableFuture<Void> pending = client.publish("t", new JsonPrimitive(1));
    client.close();
    assertInstanceOf(ClientClosedException.class, failureOf(pending));
    assertEquals(0, client.pendingRequests());
    assertInstanceOf(ClientClosedException.class, failureOf(client.publish("t", new JsonPrimitive(2))));
  }
}
