package dev.loft.client;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.loft.client.support.FakeHub;
import dev.loft.client.support.Recorder;
import dev.loft.client.support.TestClients;
import dev.loft.protocol.CloseCodes;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Guards the backoff against a hub that admits a peer and evicts it at once (overloaded, or the
 * peer is too slow for it): such a connection is one more failure, so the delays keep growing,
 * instead of every short-lived connection resetting the backoff to its floor. The connection time
 * is measured on an injected clock, never slept.
 */
class EvictingHubIsNotHammeredTest {
  private static final Duration WAIT = Duration.ofSeconds(10);

  private final AtomicLong clock = new AtomicLong();
  private final Recorder<StateChange> states = new Recorder<>();
  private FakeHub hub;
  private HubClient client;

  @BeforeEach
  void start() {
    hub = FakeHub.listen();
    ReconnectPolicy quick = ReconnectPolicy.exponential(Duration.ofMillis(1), Duration.ofMillis(8));
    client = HubClients.create(TestClients.options(hub.uri()).reconnectPolicy(quick).ticker(clock::get).build());
    client.onStateChange("test", states);
  }

  @AfterEach
  void stop() {
    client.close();
    hub.close();
  }

  @ParameterizedTest
  @ValueSource(ints = {CloseCodes.SLOW_CONSUMER, CloseCodes.RATE_LIMIT_EXCEEDED, CloseCodes.SHED_UNDER_PRESSURE, CloseCodes.TRY_AGAIN_LATER})
  void hubThatEvictsRightAfterOpenDoesNotResetBackoff(int code) {
    hub.onAnnounced(conn -> conn.close(code, "evicted"));
    client.connect();

    await().atMost(WAIT).until(() -> states.ofType(StateChange.Reconnecting.class).size() >= 4);
    List<Integer> attempts = states.ofType(StateChange.Reconnecting.class).stream().map(StateChange.Reconnecting::attempt).toList();
    assertEquals(List.of(1, 2, 3, 4), attempts.subList(0, 4), states.all().toString());
    assertTrue(states.ofType(StateChange.Connected.class).size() >= 3, "each connection was admitted first");
    assertEquals(List.of(code), codesOfAdmittedConnections(), states.all().toString());
  }

  /**
   * The close codes of the connections that got as far as Connected. Under load the fake hub now and
   * then drops an attempt before its handshake (1006, no Connected): a failed attempt too, counted
   * as one, but not the eviction this test is about.
   */
  private List<Integer> codesOfAdmittedConnections() {
    List<Integer> codes = new ArrayList<>();
    boolean admitted = false;
    for (StateChange s : states.all()) {
      if (s instanceof StateChange.Connected) {
        admitted = true;
      } else if (s instanceof StateChange.Disconnected d) {
        if (admitted && !codes.contains(d.code())) {
          codes.add(d.code());
        }
        admitted = false;
      }
    }
    return codes;
  }

  @Test
  void connectionThatStayedUpResetsBackoff() {
    AtomicInteger announces = new AtomicInteger();
    hub.onAnnounced(conn -> {
      if (announces.incrementAndGet() <= 2) {
        conn.close(CloseCodes.SLOW_CONSUMER, "evicted");
      }
    });
    client.connect();
    await().atMost(WAIT).until(() -> states.ofType(StateChange.Connected.class).size() == 3 && client.state() == ConnectionState.CONNECTED);
    assertEquals(2, lastAttempt(), "two evictions in a row: attempt 2");

    clock.addAndGet(ReconnectPolicy.DEFAULT_STABLE_AFTER.toNanos()); // the third connection stays up
    hub.closeAnnounced(CloseCodes.SLOW_CONSUMER, "evicted after a while");
    await().atMost(WAIT).until(() -> states.ofType(StateChange.Reconnecting.class).size() == 3);
    assertEquals(1, lastAttempt(), "a connection that was stable starts the backoff again");
  }

  @Test
  void onlyStableOrCleanlyClosedConnectionsResetThePolicy() {
    ReconnectPolicy policy = HubClientOptions.DEFAULT_RECONNECT;
    Duration brief = policy.stableAfter().minusMillis(1);
    for (int code : new int[] {CloseCodes.SLOW_CONSUMER, CloseCodes.RATE_LIMIT_EXCEEDED, CloseCodes.SHED_UNDER_PRESSURE,
        CloseCodes.TRY_AGAIN_LATER, 1006}) {
      assertFalse(policy.resetsBackoff(Duration.ZERO, code), "code " + code);
      assertFalse(policy.resetsBackoff(brief, code), "code " + code);
      assertTrue(policy.resetsBackoff(policy.stableAfter(), code), "code " + code);
    }
    assertTrue(policy.resetsBackoff(Duration.ZERO, CloseCodes.NORMAL));
    assertTrue(policy.resetsBackoff(Duration.ZERO, CloseCodes.GOING_AWAY), "a hub restarting is no failure");
    assertTrue(policy.withStableAfter(Duration.ofSeconds(1)).resetsBackoff(Duration.ofSeconds(1), CloseCodes.SLOW_CONSUMER));
  }

  private int lastAttempt() {
    List<StateChange.Reconnecting> r = states.ofType(StateChange.Reconnecting.class);
    return r.get(r.size() - 1).attempt();
  }
}
