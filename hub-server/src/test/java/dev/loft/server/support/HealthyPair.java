package dev.loft.server.support;

import com.google.gson.JsonObject;
import java.net.URI;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Two well-behaved peers doing {@code direct} round trips, one at a time, while an attack runs:
 * what the attack must not take from everyone else. Failures and latencies are recorded, not
 * thrown, and checked at the end ({@link #assertUnharmed}).
 */
public final class HealthyPair implements AutoCloseable {
  private final TestPeer a;
  private final TestPeer b;
  private final Thread loop;
  private final AtomicBoolean running = new AtomicBoolean(true);
  private final List<Long> latenciesMicros = Collections.synchronizedList(new ArrayList<>());
  private final List<String> failures = Collections.synchronizedList(new ArrayList<>());
  private final AtomicInteger sent = new AtomicInteger();

  private HealthyPair(URI hub) {
    String network = "healthy-" + Long.toHexString(System.nanoTime());
    a = TestPeer.connect(hub);
    b = TestPeer.connect(hub);
    a.announce(network);
    b.announce(network);
    a.expect("peer-discovered");
    b.expect("peer-discovered");
    loop = new Thread(this::run, "healthy-pair");
    loop.setDaemon(true);
  }

  /** Connects, announces, and starts the round trips. */
  public static HealthyPair start(URI hub) {
    HealthyPair pair = new HealthyPair(hub);
    pair.loop.start();
    return pair;
  }

  /** One round trip every 20 ms at most: a busy but well-behaved peer, far under the rate limit. */
  private static final long PACE_NANOS = java.util.concurrent.TimeUnit.MILLISECONDS.toNanos(20);

  private void run() {
    while (running.get()) {
      java.util.concurrent.locks.LockSupport.parkNanos(PACE_NANOS); // pacing, not waiting for anything
      int n = sent.incrementAndGet();
      long started = System.nanoTime();
      try {
        a.send(Json.obj("type", "direct", "id", "rt" + n, "targetPeerId", b.id(), "data", Json.obj("n", n)));
        JsonObject got = b.expect("direct");
        if (got.getAsJsonObject("data").get("n").getAsInt() != n) {
          failures.add("round trip " + n + " got " + got);
        }
        a.expect("ack");
        latenciesMicros.add((System.nanoTime() - started) / 1_000);
      } catch (AssertionError | RuntimeException e) {
        if (running.get()) {
          failures.add("round trip " + n + ": " + e.getMessage());
        }
        return; // a broken pair stays broken: one failure is enough to report
      }
    }
  }

  /** Round trips completed so far. */
  public int completed() {
    return latenciesMicros.size();
  }

  /** Stops the loop and checks: no failure, at least {@code minRoundTrips}, none slower than {@code maxMillis}. */
  public String assertUnharmed(int minRoundTrips, long maxMillis) {
    stop();
    List<Long> sorted;
    synchronized (latenciesMicros) {
      sorted = new ArrayList<>(latenciesMicros);
    }
    Collections.sort(sorted);
    String summary = summary(sorted);
    if (!failures.isEmpty()) {
      throw new AssertionError("the healthy pair failed: " + failures + "; " + summary);
    }
    if (sorted.size() < minRoundTrips) {
      throw new AssertionError("the healthy pair did only " + sorted.size() + " round trips; " + summary);
    }
    long max = sorted.get(sorted.size() - 1) / 1_000;
    if (max > maxMillis) {
      throw new AssertionError("a healthy round trip took " + max + " ms (bound " + maxMillis + "); " + summary);
    }
    return summary;
  }

  private static String summary(List<Long> sorted) {
    if (sorted.isEmpty()) {
      return "no round trips";
    }
    return sorted.size() + " round trips, p50 " + sorted.get(sorted.size() / 2) / 1000.0 + " ms, p99 "
        + sorted.get(Math.min(sorted.size() - 1, sorted.size() * 99 / 100)) / 1000.0 + " ms, max "
        + sorted.get(sorted.size() - 1) / 1000.0 + " ms";
  }

  private void stop() {
    running.set(false);
    try {
      loop.join(10_000);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  @Override
  public void close() {
    stop();
    a.close();
    b.close();
  }
}
