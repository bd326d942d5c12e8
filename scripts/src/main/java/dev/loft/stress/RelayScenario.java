package dev.loft.stress;

import com.google.gson.JsonObject;
import dev.loft.server.stats.Stat;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicLong;
import org.HdrHistogram.Histogram;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** relay: P pairs exchange offer/answer round trips through the hub, W outstanding per pair. */
@Command(name = "relay", mixinStandardHelpOptions = true,
    description = "P pairs exchanging offer/answer round trips (window W per pair); round trips/s,"
        + " latency percentiles, hub CPU-seconds per million relayed messages.")
final class RelayScenario extends Scenario {
  @Option(names = "--pairs", defaultValue = "200", description = "Pairs (default: ${DEFAULT-VALUE}).")
  int pairs;

  @Option(names = "--window", defaultValue = "2", description = "Offers in flight per pair (default: ${DEFAULT-VALUE}).")
  int window;

  @Mixin MeasuredRun measured = new MeasuredRun();

  @Option(names = "--url-b", description = "WebSocket URL of a second hub of the same cluster (--redis):"
      + " each pair's second peer connects there, so every relayed message crosses hubs. The hub CPU"
      + " reported is then the --url hub's only (default: both peers on the --url hub).")
  String urlB;

  @Option(names = "--payload", defaultValue = "100", description = "Bytes of filler in each signal's data (default: ${DEFAULT-VALUE}).")
  int payload;

  @Option(names = "--rate-per-peer", defaultValue = "190",
      description = "Max frames/s each peer sends, to stay under the hub's default rate limit of 200/s;"
          + " 0 = unpaced (raise the hub's --rate-limit-per-second then) (default: ${DEFAULT-VALUE}).")
  double ratePerPeer;

  private final AtomicLong roundTrips = new AtomicLong();
  private final Tally tally = new Tally();
  private final Histogram rtt = histogram();
  private volatile boolean stop;
  private String pad;

  @Override
  String name() {
    return "relay";
  }

  private static final class Pair {
    Peer a;
    Peer b;
    long nextSendNanos;
    final CountDownLatch discovered = new CountDownLatch(1);
  }

  @Override
  void run() throws Exception {
    pad = Bytes.pad(payload);
    hubBefore();
    Window measuring = new Window(this);
    Window.Count counted = measuring.count(roundTrips::get);
    Pair[] ps = new Pair[pairs];
    CountDownLatch ready = new CountDownLatch(2 * pairs);
    CountDownLatch discovered = new CountDownLatch(pairs);
    for (int i = 0; i < pairs; i++) {
      Pair pair = new Pair();
      ps[i] = pair;
      String net = "relay-" + tag + "-" + i;
      pair.a = new Peer(i, net, true, new TalliedHandler(ready, tally, "", () -> stop) {
        @Override
        public void onFrame(Peer p, int type, byte[] b, int off, int len) {
          if (type == Bytes.ANSWER) {
            long t = Bytes.longAfter(b, off, len, Bytes.LTNS_KEY);
            if (measuring.isOpen()) {
              record(rtt, (System.nanoTime() - t) / 1000);
              roundTrips.incrementAndGet();
            }
            sendOffer(pair);
          } else if (type == Bytes.PEER_DISCOVERED) {
            if (pair.discovered.getCount() > 0 && Bytes.indexOf(b, off, len, Bytes.ascii(pair.b.id)) >= 0) {
              pair.discovered.countDown();
              discovered.countDown();
            }
          } else {
            super.onFrame(p, type, b, off, len); // errors
          }
        }
      });
      pair.b = new Peer(i, net, true, new TalliedHandler(ready, tally, "", () -> stop) {
        @Override
        public void onFrame(Peer p, int type, byte[] b, int off, int len) {
          if (type == Bytes.OFFER) {
            long t = Bytes.longAfter(b, off, len, Bytes.LTNS_KEY);
            p.send("{\"type\":\"answer\",\"targetPeerId\":\"" + pair.a.id + "\",\"networkName\":\"" + p.network
                + "\",\"data\":{\"ltns\":" + t + ",\"pad\":\"" + pad + "\"}}");
          } else {
            super.onFrame(p, type, b, off, len); // errors
          }
        }
      });
      pair.a.connect(engine, hub.wsUrl());
      pair.b.connect(engine, urlB != null ? urlB : hub.wsUrl());
    }
    status(() -> String.format("pairs %d ready %d", pairs, 2 * pairs - ready.getCount()));
    if (!await(ready, 60_000) || !await(discovered, 30_000)) {
      throw new IllegalStateException("pairs did not connect and discover each other: ready missing "
          + ready.getCount() + ", discovery missing " + discovered.getCount()
          + tally.lastErrorSuffix());
    }
    status(() -> {
      double s = Math.max(0.001, measuring.seconds());
      return String.format("%s %s round trips (%s/s) errors %d", measuring.isOpen() ? "measuring" : "warming up",
          Fmt.n(roundTrips.get()), Fmt.n((long) (roundTrips.get() / s)), tally.errors.get());
    });
    sampler.mark("load");
    for (Pair pair : ps) {
      for (int w = 0; w < window; w++) {
        sendOffer(pair);
      }
    }
    measured.measure(this, measuring);
    stop = true;
    sampler.mark("stop");

    JsonObject s0 = measuring.start();
    JsonObject s1 = measuring.end();
    double secs = measuring.seconds();
    long rts = counted.delta();
    long relayed = 2 * rts;
    double cpu = (num(s1, Stat.PROCESS_CPU_NANOS) - num(s0, Stat.PROCESS_CPU_NANOS)) / 1e9;
    double cpuPerM = relayed == 0 ? Double.NaN : cpu / (relayed / 1e6);
    for (Pair pair : ps) {
      pair.a.close();
      pair.b.close();
    }
    hubAfter(10_000, false);

    report.result("roundTrips", rts);
    report.result("seconds", secs);
    report.result("roundTripsPerSecond", rts / secs);
    report.result("relayedMessagesPerSecond", relayed / secs);
    report.result("hubCpuSeconds", cpu);
    report.result("hubCpuPercent", cpu / secs * 100);
    report.result("hubCpuSecondsPerMillionRelayed", cpuPerM);
    report.result("hubCpuSecondsPerMillionRoundTrips", rts == 0 ? null : cpu / (rts / 1e6));
    report.result("errors", tally.errors.get());
    report.result("closedEarly", tally.closed.get());
    report.result("hubFramesInDelta", num(s1, Stat.FRAMES_IN) - num(s0, Stat.FRAMES_IN));
    report.result("hubFramesOutDelta", num(s1, Stat.FRAMES_OUT) - num(s0, Stat.FRAMES_OUT));
    report.latency("roundTrip", rtt);
    report.line(String.format("%d pairs, window %d, %d-byte filler, pacing %s: %s round trips/s (%s relayed messages/s)",
        pairs, window, payload, ratePerPeer > 0 ? ratePerPeer + " frames/s per peer" : "none",
        Fmt.n((long) (rts / secs)), Fmt.n((long) (relayed / secs))));
    report.line("round-trip latency: " + Report.latencyText(rtt));
    report.line(String.format("hub CPU %.1f%% of one core: %.2f CPU-s per 1M relayed messages", cpu / secs * 100, cpuPerM));
    report.check("round trips happened", rts > 0, Fmt.n(rts) + " round trips");
    report.check("no errors", tally.errors.get() == 0, tally.errors.get() + " error frames" + tally.lastSuffix());
    report.check("no peer closed during the run", tally.closed.get() == 0, tally.closed.get() + " closed");
  }

  private void sendOffer(Pair pair) {
    if (stop) {
      return;
    }
    if (ratePerPeer > 0) {
      long now = System.nanoTime();
      long interval = (long) (1e9 / ratePerPeer);
      long at;
      synchronized (pair) {
        at = Math.max(now, pair.nextSendNanos);
        pair.nextSendNanos = at + interval;
      }
      if (at - now > 1_000_000) {
        engine.schedule((at - now) / 1_000_000, () -> doSendOffer(pair));
        return;
      }
    }
    doSendOffer(pair);
  }

  private void doSendOffer(Pair pair) {
    if (stop) {
      return;
    }
    pair.a.send("{\"type\":\"offer\",\"targetPeerId\":\"" + pair.b.id + "\",\"networkName\":\"" + pair.a.network
        + "\",\"data\":{\"ltns\":" + System.nanoTime() + ",\"pad\":\"" + pad + "\"}}");
  }
}
