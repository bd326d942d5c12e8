package dev.loft.client;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.loft.client.support.Recorder;
import dev.loft.client.support.TestClients;
import dev.loft.client.support.TestHub;
import dev.loft.server.HubServer;
import java.net.URI;
import java.time.Duration;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.DoubleSupplier;
import org.junit.jupiter.api.Test;

/**
 * Guards the backoff: full jitter inside [min, min(max, min * 2^attempt)], never below the floor or
 * above the cap (no overflow at high attempt counts), and the client really waits what the policy
 * says and gives up after the configured attempts. Delays are checked as values, never slept.
 */
class BackoffDelaysStayWithinBoundsTest {
  private static final Duration MIN = Duration.ofMillis(100);
  private static final Duration MAX = Duration.ofSeconds(30);
  private final ReconnectPolicy policy = ReconnectPolicy.exponential(MIN, MAX);

  @Test
  void extremesOfTheJitterHitTheWindowEdges() {
    for (int attempt = 1; attempt <= 200; attempt++) {
      Duration low = policy.delay(attempt, 0.0);
      Duration high = policy.delay(attempt, Math.nextDown(1.0));
      assertEquals(MIN, low, "attempt " + attempt);
      Duration ceiling = policy.ceiling(attempt);
      assertTrue(high.compareTo(ceiling) <= 0 && ceiling.compareTo(MAX) <= 0, "attempt " + attempt);
    }
    assertEquals(Duration.ofMillis(200), policy.ceiling(1));
    assertEquals(Duration.ofMillis(400), policy.ceiling(2));
    assertEquals(Duration.ofMillis(25_600), policy.ceiling(8));
    assertEquals(MAX, policy.ceiling(9));
    assertEquals(MAX, policy.ceiling(Integer.MAX_VALUE), "no overflow");
  }

  @Test
  void randomDelaysAreInsideTheWindowAndSpreadOverIt() {
    SplittableRandom random = new SplittableRandom(42);
    for (int attempt = 1; attempt <= 40; attempt++) {
      Duration ceiling = policy.ceiling(attempt);
      double lowest = Double.MAX_VALUE;
      double highest = 0;
      for (int i = 0; i < 500; i++) {
        Duration d = policy.delay(attempt, random.nextDouble());
        assertTrue(d.compareTo(MIN) >= 0 && d.compareTo(ceiling) <= 0, d + " outside window at attempt " + attempt);
        lowest = Math.min(lowest, d.toNanos());
        highest = Math.max(highest, d.toNanos());
      }
      double span = ceiling.toNanos() - MIN.toNanos();
      // Full jitter: the draws cover the window, not a band near its top.
      assertTrue(lowest - MIN.toNanos() < 0.1 * span, "attempt " + attempt);
      assertTrue(ceiling.toNanos() - highest < 0.1 * span, "attempt " + attempt);
    }
  }

  @Test
  void badArgumentsAreRefused() {
    assertThrows(IllegalArgumentException.class, () -> ReconnectPolicy.exponential(Duration.ZERO, MAX));
    assertThrows(IllegalArgumentException.class, () -> ReconnectPolicy.exponential(MAX, MIN));
    assertThrows(IllegalArgumentException.class, () -> policy.delay(0, 0.5));
    assertThrows(IllegalArgumentException.class, () -> policy.delay(1, 1.0));
    assertThrows(IllegalArgumentException.class, () -> policy.withMaxAttempts(-1));
  }

  @Test
  void theClientSchedulesWhatThePolicySaysAndGivesUp() throws Exception {
    // A port nobody listens on: start a hub to find one, then close it.
    HubServer gone = TestHub.start();
    URI deadHub = TestHub.uri(gone);
    gone.close();

    ReconnectPolicy small = ReconnectPolicy.exponential(Duration.ofMillis(1), Duration.ofMillis(8)).withMaxAttempts(6);
    double[] draws = {0.0, 0.99, 0.5, 0.25, 0.75, 0.1};
    AtomicInteger next = new AtomicInteger();
    DoubleSupplier injected = () -> draws[next.getAndIncrement() % draws.length];
    HubClient client = HubClients.create(TestClients.options(deadHub).reconnectPolicy(small).random(injected).build());
    Recorder<StateChange> states = new Recorder<>();
    client.onStateChange("test", states);
    try {
      ExecutionException failure =
          assertThrows(ExecutionException.class, () -> client.connect().get(10, TimeUnit.SECONDS));
      assertInstanceOf(HubClientException.class, failure.getCause());
      await().atMost(Duration.ofSeconds(5)).until(() -> states.any(s -> s instanceof StateChange.GaveUp));

      List<StateChange.Reconnecting> scheduled = states.ofType(StateChange.Reconnecting.class);
      assertEquals(6, scheduled.size(), states.all().toString());
      for (int i = 0; i < scheduled.size(); i++) {
        StateChange.Reconnecting r = scheduled.get(i);
        assertEquals(i + 1, r.attempt());
        assertEquals(small.delay(i + 1, draws[i]), r.delay(), "attempt " + r.attempt());
        assertTrue(r.delay().compareTo(small.minDelay()) >= 0 && r.delay().compareTo(small.maxDelay()) <= 0);
      }
      // 1 initial attempt + 6 reconnects, each announced before its socket opened.
      assertEquals(7, states.ofType(StateChange.Connecting.class).size());
      assertEquals(6, states.ofType(StateChange.GaveUp.class).get(0).attempts());
      assertEquals(ConnectionState.DISCONNECTED, client.state());
    } finally {
      client.close();
    }
  }
}
