package dev.loft.client;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.loft.client.support.FakeHub;
import dev.loft.client.support.Recorder;
import dev.loft.client.support.TestClients;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Guards the seam between the connection and its requests while connecting: an announce still
 * unanswered when its connection drops is failed with that connection, and the next connection
 * announces afresh. Otherwise the lost announce sits in the pending map until its timeout, and a
 * caller's connect() hangs on a socket that is gone. Connect and request timeouts are far beyond
 * the test's wait, so only the drop itself can move things on. A fake hub, because a real one
 * always answers an announce.
 */
class LostAnnounceIsFailedWithItsConnectionTest {
  private static final Duration WAIT = Duration.ofSeconds(10);
  private static final Duration NEVER_WITHIN_THE_TEST = Duration.ofSeconds(60);
  /** Not terminal, not clean: the client reconnects and counts it as a failed attempt. */
  private static final int INTERNAL_ERROR = 1011;

  private final Recorder<StateChange> states = new Recorder<>();
  private FakeHub hub;
  private HubClient client;

  @BeforeEach
  void start() {
    hub = FakeHub.listen();
    client =
        HubClients.create(
            TestClients.options(hub.uri())
                .connectTimeout(NEVER_WITHIN_THE_TEST)
                .requestTimeout(NEVER_WITHIN_THE_TEST)
                .build());
    client.onStateChange("test", states);
  }

  @AfterEach
  void stop() {
    client.close();
    hub.close();
  }

  @Test
  void anAnnounceLostWithItsConnectionIsNotAwaitedAndTheNextConnectionAnnouncesAgain() throws Exception {
    hub.answerAnnounces(false);
    CompletableFuture<Void> connecting = client.connect();
    await().atMost(WAIT).until(() -> hub.announcedConnections() == 1);
    assertEquals(1, client.pendingRequests(), "the announce waits for its answer");
    assertEquals(ConnectionState.CONNECTING, client.state());

    hub.answerAnnounces(true);
    hub.closeAnnounced(INTERNAL_ERROR, "dropped mid-announce");

    connecting.get(WAIT.toSeconds(), TimeUnit.SECONDS);
    assertEquals(ConnectionState.CONNECTED, client.state());
    assertEquals(0, client.pendingRequests(), "the lost announce left the map with its connection");
    await().atMost(WAIT).until(() -> states.ofType(StateChange.Connected.class).size() == 1);
    assertEquals(1, states.ofType(StateChange.Disconnected.class).size(), states.all().toString());
    assertEquals(INTERNAL_ERROR, states.ofType(StateChange.Disconnected.class).get(0).code());
  }
}
