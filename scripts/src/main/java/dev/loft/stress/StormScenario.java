package dev.loft.stress;

import com.google.gson.JsonObject;
import dev.loft.server.stats.Stat;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Semaphore;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.HdrHistogram.Histogram;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * storm: N announced peers; the hub restarts; every peer reconnects at once (then with a short
 * jittered backoff while the hub is down) and re-announces. How long until all are back?
 */
@Command(name = "storm", mixinStandardHelpOptions = true,
    description = "N peers reconnect at once after a hub restart (--embedded/--in-process restart it;"
        + " for an external hub pass --restart-cmd or restart it by hand); time until all are back.")
final class StormScenario extends Scenario {
  @Option(names = "--peers", defaultValue = "5000", description = "Peers (default: ${DEFAULT-VALUE}).")
  int peers;

  @Option(names = "--per-network", defaultValue = "10", description = "Peers per network (default: ${DEFAULT-VALUE}).")
  int perNetwork;

  @Option(names = "--concurrency", defaultValue = "32", description = "Connects in flight during the initial ramp (default: ${DEFAULT-VALUE}).")
  int concurrency;

  @Option(names = "--first-retry-ms", defaultValue = "100",
      description = "Backoff after a failed reconnect, doubled each time with jitter (default: ${DEFAULT-VALUE}).")
  long firstRetryMs;

  @Option(names = "--max-retry-ms", defaultValue = "2000", description = "Longest backoff (default: ${DEFAULT-VALUE}).")
  long maxRetryMs;

  @Option(names = "--connect-timeout-ms", defaultValue = "5000",
      description = "A reconnect not through the handshake by then is dropped and retried (default: ${DEFAULT-VALUE}).")
  long connectTimeoutMs;

  @Option(names = "--timeout", defaultValue = "120", description = "Seconds to wait for all to come back (default: ${DEFAULT-VALUE}).")
  double timeout;

  private final AtomicInteger up = new AtomicInteger();
  private final AtomicInteger back = new AtomicInteger();
  private final AtomicLong attempts = new AtomicLong();
  private final AtomicLong failedAttempts = new AtomicLong();
  private final AtomicLong closeCodes1001 = new AtomicLong();
  private final AtomicLong errors = new AtomicLong();
  private final AtomicLong connectTimeouts = new AtomicLong();
  private final AtomicLong noConnectedFrame = new AtomicLong();
  private final AtomicLong closedAfterBack = new AtomicLong();
  private final Histogram backLatency = histogram();
  private volatile boolean restarting;
  private volatile boolean stop;
  private volatile long restartNanos;
  private volatile long firstDownNanos;
  private volatile long firstBackNanos;
  private volatile CountDownLatch allBack;
  private volatile String lastError;

  @Override
  int defaultSampleMillis() {
    return 250;
  }

  @Override
  String name() {
    return "storm";
  }

  private static final class State {
    boolean wasUp;
    boolean open;
    boolean isBack;
    int closesSinceRestart;
    long backoff;
  }

  @Override
  void run() throws Exception {
    engine.connectTimeoutMillis(connectTimeoutMs);
    int n = Math.min(peers, fdBudget());
    if (n < peers) {
      report.note("open-files limit allows " + n + " peers, not " + peers);
    }
    JsonObject before = hubBefore();
    Semaphore inFlight = new Semaphore(concurrency);
    CountDownLatch allUp = new CountDownLatch(n);
    allBack = new CountDownLatch(n);
    Peer[] all = new Peer[n];
    Peer.Handler h = new Peer.Handler() {
      @Override
      public void onReady(Peer p) {
        State s = (State) p.state;
        s.backoff = firstRetryMs;
        s.open = true;
        if (!restarting) {
          if (!s.wasUp) {
            s.wasUp = true;
            up.incrementAndGet();
            inFlight.release();
            allUp.countDown();
          }
        } else if (!s.isBack) {
          s.isBack = true;
          long now = System.nanoTime();
          if (firstBackNanos == 0) {
            firstBackNanos = now;
          }
          record(backLatency, (now - restartNanos) / 1000);
          back.incrementAndGet();
          allBack.countDown();
        }
      }

      @Override
      public void onFrame(Peer p, int type, byte[] b, int off, int len) {
        if (type == Bytes.ERROR) {
          errors.incrementAndGet();
          lastError = Bytes.text(b, off, Math.min(len, 300));
        }
      }

      @Override
      public void onClosed(Peer p, int code, String reason, boolean remote) {
        State s = (State) p.state;
        boolean wasOpen = s.open;
        s.open = false;
        if (stop) {
          return;
        }
        if (!restarting) {
          if (!s.wasUp) {
            lastError = "initial connect failed: " + code + " " + reason;
            failedAttempts.incrementAndGet();
            engine.schedule(s.backoff, () -> p.connect(engine, hub.wsUrl()));
            s.backoff = Math.min(maxRetryMs, s.backoff * 2);
          }
          return;
        }
        if (code == 1001) {
          closeCodes1001.incrementAndGet();
        }
        long delay;
        if (s.isBack) {
          closedAfterBack.incrementAndGet(); // e.g. let in by the stopping hub, then closed: try again
        }
        if (wasOpen && s.closesSinceRestart++ == 0) {
          // First close after the restart: reconnect at once (small jitter), as clients do.
          if (firstDownNanos == 0) {
            firstDownNanos = System.nanoTime();
          }
          delay = ThreadLocalRandom.current().nextLong(0, 20);
        } else {
          failedAttempts.incrementAndGet();
          if (reason != null && reason.contains("timed out")) {
            connectTimeouts.incrementAndGet();
          }
          if (Peer.NO_CONNECTED.equals(reason)) {
            noConnectedFrame.incrementAndGet();
          }
          delay = s.backoff / 2 + ThreadLocalRandom.current().nextLong(0, s.backoff / 2 + 1);
          s.backoff = Math.min(maxRetryMs, s.backoff * 2);
        }
        engine.schedule(delay, () -> {
          if (!stop) {
            attempts.incrementAndGet();
            p.connect(engine, hub.wsUrl());
          }
        });
      }
    };
    status(() -> restarting
        ? String.format("back %s/%s, reconnect attempts %s (failed %s)", Fmt.n(back.get()), Fmt.n(all.length),
            Fmt.n(attempts.get()), Fmt.n(failedAttempts.get()))
        : String.format("connected %s/%s", Fmt.n(up.get()), Fmt.n(all.length)));
    for (int i = 0; i < n; i++) {
      if (!inFlight.tryAcquire(remainingMillis(), TimeUnit.MILLISECONDS)) {
        break;
      }
      Peer p = new Peer(i, "storm-" + tag + "-" + (i / perNetwork), true, h);
      State s = new State();
      s.backoff = firstRetryMs;
      p.state = s;
      all[i] = p.connect(engine, hub.wsUrl());
    }
    if (!await(allUp, 120_000)) {
      throw new IllegalStateException("only " + up.get() + " of " + n + " peers connected"
          + (lastError == null ? "" : "; last error " + lastError));
    }
    awaitHub(() -> num(stats(), Stat.ANNOUNCED_PEERS) >= num(before, Stat.ANNOUNCED_PEERS) + n, 30_000);
    Window storm = new Window(this).open("restart", Window.Stats.PLAIN);
    report.hub("beforeRestart", snapshot(storm.start()));
    restartNanos = storm.startNanos();
    restarting = true;
    if (!hub.canRestart()) {
      report.note("external hub without --restart-cmd: waited for someone to restart it");
    }
    Window down = new Window(this).open(null, Window.Stats.NONE);
    hub.restart();
    down.close("hub back", Window.Stats.NONE);
    boolean complete = await(allBack, (long) (timeout * 1000));
    storm.close(complete ? "all back" : "timeout", Window.Stats.NONE);
    if (!complete) {
      int openNoConnected = 0;
      int connecting = 0;
      int closed = 0;
      for (Peer p : all) {
        if (p == null || ((State) p.state).isBack) {
          continue;
        }
        if (p.conn != null && p.conn.isOpen()) {
          openNoConnected++;
        } else if (p.conn != null && p.conn.isClosed()) {
          closed++;
        } else {
          connecting++;
        }
      }
      report.result("missingOpenButNoConnectedFrame", openNoConnected);
      report.result("missingStillConnecting", connecting);
      report.result("missingClosed", closed);
      report.line(String.format("not back: %d have an open WebSocket but never got 'connected', %d still connecting,"
          + " %d closed", openNoConnected, connecting, closed));
    }
    awaitHub(() -> num(stats(), Stat.ANNOUNCED_PEERS) >= n, 10_000);
    JsonObject afterStats = stats();
    report.hub("afterReconnect", snapshot(afterStats));
    stop = true;
    for (Peer p : all) {
      if (p != null) {
        p.close();
      }
    }
    awaitHub(() -> engine.live() == 0, 15_000);

    double restartSeconds = down.seconds();
    double allBackSeconds = storm.seconds();
    double afterHubBack = (storm.endNanos() - down.endNanos()) / 1e9;
    report.result("peers", n);
    report.result("back", back.get());
    report.result("allBack", complete);
    report.result("hubRestartSeconds", restartSeconds);
    report.result("secondsUntilAllBackFromFirstDisconnect",
        complete && firstDownNanos != 0 ? (storm.endNanos() - firstDownNanos) / 1e9 : null);
    report.result("secondsUntilAllBackFromRestart", complete ? allBackSeconds : null);
    report.result("secondsUntilAllBackFromHubUp", complete ? afterHubBack : null);
    report.result("reconnectAttempts", attempts.get());
    report.result("failedReconnectAttempts", failedAttempts.get());
    report.result("closedWithGoingAway1001", closeCodes1001.get());
    report.result("reconnectsTimedOut", connectTimeouts.get());
    report.result("openSocketsWithoutConnectedFrame", noConnectedFrame.get());
    report.result("closedAgainAfterBack", closedAfterBack.get());
    report.result("hubPeersAfter", num(afterStats, Stat.PEERS));
    report.result("hubAnnouncedPeersAfter", num(afterStats, Stat.ANNOUNCED_PEERS));
    report.result("errors", errors.get());
    report.latency("timeToBackFromRestart", backLatency);
    report.line(String.format("%s peers; hub restart took %.2f s (stop + start); %s/%s back %.2f s after the restart began"
        + " (%.2f s after the hub was up again)", Fmt.n(n), restartSeconds, Fmt.n(back.get()), Fmt.n(n),
        allBackSeconds, afterHubBack));
    report.line(String.format("reconnect attempts %s (%s refused/failed, %s timed out in connect/handshake); %s closes with 1001 going away",
        Fmt.n(attempts.get()), Fmt.n(failedAttempts.get()), Fmt.n(connectTimeouts.get()), Fmt.n(closeCodes1001.get())));
    report.line("time to back per peer (from restart): " + Report.latencyText(backLatency));
    if (noConnectedFrame.get() > 0) {
      report.line(noConnectedFrame.get() + " reconnects got a WebSocket but no 'connected' frame within "
          + Peer.READY_TIMEOUT_MS + " ms (dropped and retried)");
    }
    report.line(String.format("hub after: peers %d, announced %d", num(afterStats, Stat.PEERS), num(afterStats, Stat.ANNOUNCED_PEERS)));
    report.check("all peers back", complete && back.get() == n, Fmt.n(back.get()) + " of " + Fmt.n(n));
    report.check("hub holds them all again", num(afterStats, Stat.PEERS) >= n, "hub peers " + num(afterStats, Stat.PEERS));
    if (closedAfterBack.get() > 0) {
      report.line(closedAfterBack.get() + " peers were let in (got 'connected') and then closed again during the restart");
    }
    report.check("no errors", errors.get() == 0, errors.get() + (lastError == null ? "" : "; last " + lastError));
  }
}
