package dev.loft.stress;

import com.google.gson.JsonObject;
import dev.loft.server.stats.Stat;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.HdrHistogram.Histogram;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * flood: one peer sends far over its rate limit while normal pairs keep a modest relay going; the
 * flooder must get RATE_LIMITED and then be evicted (4001), the others must not notice.
 */
@Command(name = "flood", mixinStandardHelpOptions = true,
    description = "One peer exceeds its rate limit; shows it throttled (RATE_LIMITED, close 4001 / evictedRateLimit)"
        + " while normal pairs' latency stays unaffected.")
final class FloodScenario extends Scenario {
  @Option(names = "--pairs", defaultValue = "20", description = "Well-behaved pairs (default: ${DEFAULT-VALUE}).")
  int pairs;

  @Option(names = "--normal-rate", defaultValue = "20", description = "Round trips/s per well-behaved pair (default: ${DEFAULT-VALUE}).")
  double normalRate;

  @Option(names = "--flood-rate", defaultValue = "5000", description = "Frames/s the flooder tries to send (default: ${DEFAULT-VALUE}).")
  double floodRate;

  @Option(names = "--before", defaultValue = "5", description = "Seconds of normal traffic before the flood (default: ${DEFAULT-VALUE}).")
  double beforeSeconds;

  @Option(names = "--flood-seconds", defaultValue = "10", description = "Longest flood (default: ${DEFAULT-VALUE}).")
  double floodSeconds;

  @Option(names = "--after", defaultValue = "5", description = "Seconds of normal traffic after the flood (default: ${DEFAULT-VALUE}).")
  double afterSeconds;

  private final Histogram latBefore = histogram();
  private final Histogram latDuring = histogram();
  private final Histogram latAfter = histogram();
  private volatile Histogram current = latBefore;
  private final AtomicLong roundTrips = new AtomicLong();
  private final Tally normal = new Tally(); // the well-behaved pairs' error frames
  private final AtomicLong normalClosed = new AtomicLong();
  private final AtomicLong floodSent = new AtomicLong();
  private final AtomicLong floodRateLimited = new AtomicLong();
  private final AtomicLong floodOtherErrors = new AtomicLong();
  private final CountDownLatch flooderClosed = new CountDownLatch(1);
  private volatile int flooderCloseCode = -1;
  private volatile String flooderCloseReason;
  private volatile double firstRateLimitedAt = -1;
  private volatile double flooderClosedAt = -1;
  private volatile boolean stop;

  @Override
  int defaultSampleMillis() {
    return 250;
  }

  @Override
  String name() {
    return "flood";
  }

  @Override
  void run() throws Exception {
    JsonObject before = hubBefore();
    Peer[][] ps = new Peer[pairs][2];
    CountDownLatch ready = new CountDownLatch(2 * pairs + 1);
    CountDownLatch discovered = new CountDownLatch(pairs);
    long interval = (long) (1e9 / normalRate);
    // A well-behaved peer: its closes are only counted, they do not become the last error.
    class NormalPeer extends TalliedHandler {
      NormalPeer() {
        super(ready, normal, "", () -> stop);
      }

      @Override
      public void onClosed(Peer p, int code, String reason, boolean remote) {
        if (!stop) {
          normalClosed.incrementAndGet();
        }
      }
    }
    for (int i = 0; i < pairs; i++) {
      String net = "flood-" + tag + "-" + i;
      final int k = i;
      ps[i][0] = new Peer(i, net, true, new NormalPeer() {
        boolean found;

        @Override
        public void onFrame(Peer p, int type, byte[] b, int off, int len) {
          if (type == Bytes.ANSWER) {
            long t = Bytes.longAfter(b, off, len, Bytes.LTNS_KEY);
            long lat = (System.nanoTime() - t) / 1000;
            record(current, lat);
            roundTrips.incrementAndGet();
            long delay = Math.max(0, interval / 1_000_000 - lat / 1000);
            engine.schedule(delay, () -> offer(ps[k][0], ps[k][1]));
          } else if (type == Bytes.PEER_DISCOVERED && !found && Bytes.indexOf(b, off, len, Bytes.ascii(ps[k][1].id)) >= 0) {
            found = true;
            discovered.countDown();
          } else {
            super.onFrame(p, type, b, off, len); // errors
          }
        }
      });
      ps[i][1] = new Peer(i, net, true, new NormalPeer() {
        @Override
        public void onFrame(Peer p, int type, byte[] b, int off, int len) {
          if (type == Bytes.OFFER) {
            long t = Bytes.longAfter(b, off, len, Bytes.LTNS_KEY);
            p.send("{\"type\":\"answer\",\"targetPeerId\":\"" + ps[k][0].id + "\",\"networkName\":\"" + p.network
                + "\",\"data\":{\"ltns\":" + t + "}}");
          } else {
            super.onFrame(p, type, b, off, len); // errors
          }
        }
      });
      ps[i][0].connect(engine, hub.wsUrl());
      ps[i][1].connect(engine, hub.wsUrl());
    }
    Peer flooder = new Peer(-1, "flood-" + tag + "-flooder", true, new Peer.Handler() {
      @Override
      public void onReady(Peer p) {
        ready.countDown();
      }

      @Override
      public void onFrame(Peer p, int type, byte[] b, int off, int len) {
        if (type == Bytes.ERROR) {
          String code = Bytes.stringAfter(b, off, len, Bytes.CODE_KEY);
          if ("RATE_LIMITED".equals(code)) {
            if (floodRateLimited.getAndIncrement() == 0) {
              firstRateLimitedAt = sampler.now();
            }
          } else {
            floodOtherErrors.incrementAndGet();
          }
        }
      }

      @Override
      public void onClosed(Peer p, int code, String reason, boolean remote) {
        flooderCloseCode = code;
        flooderCloseReason = reason;
        flooderClosedAt = sampler.now();
        flooderClosed.countDown();
      }
    }).connect(engine, hub.wsUrl());
    if (!await(ready, 60_000) || !await(discovered, 30_000)) {
      throw new IllegalStateException("peers not ready: " + ready.getCount() + "/" + discovered.getCount() + " missing");
    }
    status(() -> String.format("normal round trips %s (errors %d) | flooder sent %s, RATE_LIMITED %s, %s",
        Fmt.n(roundTrips.get()), normal.errors.get(), Fmt.n(floodSent.get()), Fmt.n(floodRateLimited.get()),
        flooderCloseCode >= 0 ? "closed " + flooderCloseCode : "connected"));
    sampler.mark("normal traffic");
    for (Peer[] pair : ps) {
      offer(pair[0], pair[1]);
    }
    hold(beforeSeconds);

    current = latDuring;
    Window flood = new Window(this).open("flood", Window.Stats.NONE);
    double floodStart = flood.startT();
    String topic = "flood-" + tag;
    Thread t = new Thread(() -> {
      long iv = (long) (1e9 / floodRate);
      long next = System.nanoTime();
      long end = System.nanoTime() + (long) (floodSeconds * 1e9);
      byte[] frame = ("{\"type\":\"publish\",\"topic\":\"" + topic + "\",\"data\":{\"junk\":1}}").getBytes();
      try {
        while (!stop && System.nanoTime() < end && flooder.isOpen()) {
          long wait = next - System.nanoTime();
          if (wait > 0) {
            TimeUnit.NANOSECONDS.sleep(wait); // pacing to the flood rate
          }
          next += iv;
          if (flooder.send(frame)) {
            floodSent.incrementAndGet();
          }
        }
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }, "flooder");
    t.setDaemon(true);
    t.start();
    t.join((long) (floodSeconds * 1000) + 2000);
    flood.close("flood over", Window.Stats.NONE);
    current = latAfter;
    hold(afterSeconds);
    stop = true;
    JsonObject s1 = stats();
    await(flooderClosed, 100);
    for (Peer[] pair : ps) {
      pair[0].close();
      pair[1].close();
    }
    if (flooder.isOpen()) {
      flooder.close();
    }
    hubAfter(10_000, false);

    long rl = num(s1, Stat.RATE_LIMITED) - num(before, Stat.RATE_LIMITED);
    long evictedRl = num(s1, Stat.EVICTED_RATE_LIMIT) - num(before, Stat.EVICTED_RATE_LIMIT);
    report.result("floodSent", floodSent.get());
    report.result("floodSeconds", flood.seconds());
    report.result("floodRateLimitedFrames", floodRateLimited.get());
    report.result("floodOtherErrors", floodOtherErrors.get());
    report.result("secondsToFirstRateLimited", firstRateLimitedAt < 0 ? null : firstRateLimitedAt - floodStart);
    report.result("flooderCloseCode", flooderCloseCode);
    report.result("flooderCloseReason", flooderCloseReason);
    report.result("secondsToEviction", flooderClosedAt < 0 ? null : flooderClosedAt - floodStart);
    report.result("hubRateLimitedDelta", rl);
    report.result("hubEvictedRateLimitDelta", evictedRl);
    report.result("normalRoundTrips", roundTrips.get());
    report.result("normalErrors", normal.errors.get());
    report.result("normalClosed", normalClosed.get());
    report.latency("normalBefore", latBefore);
    report.latency("normalDuring", latDuring);
    report.latency("normalAfter", latAfter);
    report.line(String.format("flooder tried %.0f frames/s: sent %s, got %s RATE_LIMITED, %s",
        floodRate, Fmt.n(floodSent.get()), Fmt.n(floodRateLimited.get()),
        flooderCloseCode >= 0 ? String.format("closed %d after %.2f s", flooderCloseCode, flooderClosedAt - floodStart) : "never closed"));
    report.line(String.format("hub: rateLimited +%d, evictedRateLimit +%d", rl, evictedRl));
    report.line(String.format("%d normal pairs at %.0f round trips/s each; latency before: %s", pairs, normalRate, Report.latencyText(latBefore)));
    report.line("                                            during: " + Report.latencyText(latDuring));
    report.line("                                             after: " + Report.latencyText(latAfter));
    report.check("flooder throttled", floodRateLimited.get() > 0 || rl > 0,
        floodRateLimited.get() + " RATE_LIMITED frames, hub rateLimited +" + rl);
    report.check("flooder evicted (4001)", flooderCloseCode == 4001 || evictedRl > 0,
        "close code " + flooderCloseCode + ", evictedRateLimit +" + evictedRl);
    report.check("normal peers unaffected", normal.errors.get() == 0 && normalClosed.get() == 0,
        normal.errors.get() + " errors, " + normalClosed.get() + " closed" + normal.lastSuffix());
    report.check("normal traffic continued during the flood", latDuring.getTotalCount() > 0,
        latDuring.getTotalCount() + " round trips during the flood");
  }

  private void offer(Peer a, Peer b) {
    if (stop) {
      return;
    }
    a.send("{\"type\":\"offer\",\"targetPeerId\":\"" + b.id + "\",\"networkName\":\"" + a.network
        + "\",\"data\":{\"ltns\":" + System.nanoTime() + "}}");
  }
}
