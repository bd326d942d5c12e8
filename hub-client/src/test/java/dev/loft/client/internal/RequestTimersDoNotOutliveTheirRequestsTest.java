package dev.loft.client.internal;

import static dev.loft.client.support.Futures.failureOf;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;

import com.google.gson.JsonPrimitive;
import dev.loft.client.ClientClosedException;
import dev.loft.client.ConnectionLostException;
import dev.loft.client.ConnectionState;
import dev.loft.client.ReconnectPolicy;
import dev.loft.client.support.TcpProxy;
import dev.loft.client.support.TestClients;
import dev.loft.client.support.TestHub;
import dev.loft.server.HubServer;
import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Guards request bookkeeping against a leak the futures alone do not show: every request holds a
 * timeout timer on the event thread, and whatever ends the request (its answer, its connection
 * dropping, the client closing) must take the timer with it. A timer left behind keeps its request
 * on the heap for the whole request timeout; at a publisher's rate that is the heap. The request
 * timeout is far beyond the test's wait, so a timer seen gone was cancelled, not run.
 */
class RequestTimersDoNotOutliveTheirRequestsTest {
  private static final Duration WAIT = Duration.ofSeconds(10);
  private static final Duration NEVER_WITHIN_THE_TEST = Duration.ofSeconds(60);
  private static final int REQUESTS = 20;

  private HubServer hub;
  private TcpProxy proxy;
  private final List<DefaultHubClient> clients = new ArrayList<>();

  @BeforeEach
  void start() throws Exception {
    hub = TestHub.start();
    proxy = new TcpProxy(hub.port());
  }

  @AfterEach
  void stop() {
    clients.forEach(DefaultHubClient::close);
    proxy.close();
    hub.close();
  }

  /** No pings, and a reconnect that waits past the test: the only timers are the requests'. */
  private DefaultHubClient client(URI uri) {
    DefaultHubClient client =
        new DefaultHubClient(
            TestClients.options(uri)
                .requestTimeout(NEVER_WITHIN_THE_TEST)
                .closeTimeout(Duration.ofMillis(200)) // answers stalled: the handshake cannot finish
                .reconnectPolicy(ReconnectPolicy.exponential(NEVER_WITHIN_THE_TEST, NEVER_WITHIN_THE_TEST))
                .build());
    clients.add(client);
    return client;
  }

  private static List<CompletableFuture<Void>> publish(DefaultHubClient client) {
    List<CompletableFuture<Void>> futures = new ArrayList<>();
    for (int i = 0; i < REQUESTS; i++) {
      futures.add(client.publish("t", new JsonPrimitive(i)));
    }
    return futures;
  }

  @Test
  void answeredRequestsTakeTheirTimersWithThem() throws Exception {
    DefaultHubClient client = client(TestHub.uri(hub));
    client.connect().get(WAIT.toSeconds(), TimeUnit.SECONDS);

    CompletableFuture.allOf(publish(client).toArray(CompletableFuture[]::new)).get(WAIT.toSeconds(), TimeUnit.SECONDS);

    await().atMost(WAIT).until(client::waitingTasks, n -> n == 0);
    assertEquals(0, client.pendingRequests());
  }

  /** A client connected through the proxy, whose answers the proxy now holds back. */
  private DefaultHubClient connectedWithAnswersHeld() throws Exception {
    DefaultHubClient client = client(proxy.uri());
    client.connect().get(WAIT.toSeconds(), TimeUnit.SECONDS);
    proxy.pauseDownstream();
    return client;
  }

  @Test
  void requestsLostWithTheirConnectionTakeTheirTimersWithThem() throws Exception {
    DefaultHubClient client = connectedWithAnswersHeld();
    List<CompletableFuture<Void>> inFlight = publish(client);
    assertEquals(REQUESTS, client.pendingRequests());

    proxy.cutAll();
    await().atMost(WAIT).until(() -> inFlight.stream().allMatch(CompletableFuture::isDone));
    inFlight.forEach(f -> assertInstanceOf(ConnectionLostException.class, failureOf(f)));

    assertEquals(ConnectionState.WAITING_TO_RECONNECT, client.state());
    await("only the reconnect timer").atMost(WAIT).until(client::waitingTasks, n -> n == 1);
    assertEquals(0, client.pendingRequests());
  }

  @Test
  void closingTakesEveryPendingAndBufferedRequestAndItsTimerWithIt() throws Exception {
    DefaultHubClient connected = connectedWithAnswersHeld();
    List<CompletableFuture<Void>> pending = publish(connected);
    DefaultHubClient neverConnected = client(TestHub.uri(hub));
    List<CompletableFuture<Void>> buffered = publish(neverConnected);
    assertEquals(REQUESTS, connected.pendingRequests());
    assertEquals(REQUESTS, neverConnected.bufferedFrames());

    connected.close();
    neverConnected.close();

    for (DefaultHubClient client : List.of(connected, neverConnected)) {
      assertEquals(0, client.pendingRequests());
      assertEquals(0, client.bufferedFrames());
      assertEquals(0, client.waitingTasks());
    }
    // Failed by close() itself, before it returned: nobody is left waiting on them.
    pending.forEach(f -> assertInstanceOf(ClientClosedException.class, failureOf(f)));
    buffered.forEach(f -> assertInstanceOf(ClientClosedException.class, failureOf(f)));
  }
}
