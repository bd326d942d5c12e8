package dev.loft.stress;

import com.google.gson.JsonObject;
import dev.loft.server.stats.Stat;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicIntegerArray;
import java.util.concurrent.atomic.AtomicLong;
import org.HdrHistogram.Histogram;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * fanout: one publisher, S subscribers on one topic. The publisher keeps at most W publications
 * not yet delivered to every subscriber (closed loop: it finds the hub's pace instead of
 * overrunning it into slow-consumer evictions), optionally capped at a publish rate.
 */
@Command(name = "fanout", mixinStandardHelpOptions = true,
    description = "One publisher, S subscribers on a topic; deliveries/s, delivery latency percentiles,"
        + " hub CPU-seconds per million deliveries.")
final class FanoutScenario extends Scenario {
  @Option(names = "--subscriber-url", description = "WebSocket URL of a hub of the same cluster (--redis) for"
      + " subscribers (repeatable): subscriber i connects to the (i mod n)-th; the publisher stays on --url."
      + " The hub CPU reported is then the --url hub's only (default: every subscriber on the --url hub).")
  java.util.List<String> subscriberUrls = new java.util.ArrayList<>();

  @Option(names = "--subscribers", defaultValue = "1000", description = "Subscribers (default: ${DEFAULT-VALUE}).")
  int subscribers;

  @Option(names = "--window", defaultValue = "8",
      description = "Publications in flight (not yet delivered to all) (default: ${DEFAULT-VALUE}).")
  int window;

  @Option(names = "--rate", defaultValue = "190",
      description = "Max publications/s, under the hub's default rate limit of 200/s; 0 = unpaced (default: ${DEFAULT-VALUE}).")
  double rate;

  @Mixin MeasuredRun measured = new MeasuredRun();

  @Option(names = "--payload", defaultValue = "100", description = "Bytes of filler per message (default: ${DEFAULT-VALUE}).")
  int payload;

  @Option(names = "--per-network", defaultValue = "10", description = "Subscribers per network (default: ${DEFAULT-VALUE}).")
  int perNetwork;

  private static final int RING = 4096;
  private final AtomicLong deliveries = new AtomicLong();
  private final AtomicLong published = new AtomicLong();
  private final Tally tally = new Tally();
  private final AtomicLong stalls = new AtomicLong();
  private final AtomicIntegerArray remaining = new AtomicIntegerArray(RING);
  private final Histogram latency = histogram();
  private Semaphore permits;
  private volatile boolean stop;

  @Override
  String name() {
    return "fanout";
  }

  @Override
  void run() throws Exception {
    if (window < 1 || window > RING / 2) {
      throw new IllegalArgumentException("--window must be 1.." + RING / 2);
    }
    permits = new Semaphore(window);
    String topic = "fanout-" + tag;
    String pad = Bytes.pad(payload);
    JsonObject before = hubBefore();
    Window measuring = new Window(this);
    Window.Count delivered = measuring.count(deliveries::get);
    Window.Count sent = measuring.count(published::get);

    CountDownLatch acked = new CountDownLatch(subscribers);
    byte[] subscribe = ("{\"type\":\"subscribe\",\"id\":\"sub\",\"topic\":\"" + topic + "\"}").getBytes();
    Peer.Handler subHandler = new SubscriberHandler(subscribe, acked, tally, () -> stop) {
      @Override
      void onMessage(byte[] b, int off, int len) {
        long t = Bytes.longAfter(b, off, len, Bytes.LTNS_KEY);
        long seq = Bytes.longAfter(b, off, len, Bytes.SEQ_KEY);
        if (measuring.isOpen()) {
          record(latency, (System.nanoTime() - t) / 1000);
          deliveries.incrementAndGet();
        }
        if (seq >= 0 && remaining.decrementAndGet((int) (seq % RING)) == 0) {
          permits.release();
        }
      }
    };
    Peer[] subs = new Peer[subscribers];
    Semaphore connecting = new Semaphore(256);
    for (int i = 0; i < subscribers; i++) {
      connecting.acquire();
      subs[i] = new Peer(i, "fanout-" + tag + "-" + (i / perNetwork), true, new Peer.Handler() {
        @Override
        public void onReady(Peer p) {
          connecting.release();
          subHandler.onReady(p);
        }

        @Override
        public void onFrame(Peer p, int type, byte[] b, int off, int len) {
          subHandler.onFrame(p, type, b, off, len);
        }

        @Override
        public void onClosed(Peer p, int code, String reason, boolean remote) {
          if (!p.ready) {
            connecting.release();
          }
          subHandler.onClosed(p, code, reason, remote);
        }
      }).connect(engine, subscriberUrls.isEmpty() ? hub.wsUrl() : subscriberUrls.get(i % subscriberUrls.size()));
    }
    CountDownLatch pubReady = new CountDownLatch(1);
    Peer publisher = new Peer(-1, "fanout-" + tag + "-pub", true, new TalliedHandler(pubReady, tally, "publisher", () -> stop))
        .connect(engine, hub.wsUrl());
    status(() -> String.format("subscribed %d/%d", subscribers - acked.getCount(), subscribers));
    if (!await(acked, 120_000) || !await(pubReady, 30_000) || tally.closed.get() > 0) {
      throw new IllegalStateException("subscribers not ready: " + acked.getCount() + " missing" + tally.lastErrorSuffix());
    }

    status(() -> {
      double s = Math.max(0.001, measuring.seconds());
      return String.format("%s published %s deliveries %s (%s/s) stalls %d", measuring.isOpen() ? "measuring" : "warming up",
          Fmt.n(published.get()), Fmt.n(deliveries.get()), Fmt.n((long) (deliveries.get() / s)), stalls.get());
    });
    Thread pub = new Thread(() -> publishLoop(publisher, topic, pad), "publisher");
    pub.setDaemon(true);
    sampler.mark("load");
    pub.start();
    measured.measure(this, measuring);
    stop = true;
    pub.interrupt();
    pub.join(5000);
    sampler.mark("stop");
    for (Peer p : subs) {
      p.close();
    }
    publisher.close();
    hubAfter(10_000, false);

    JsonObject s0 = measuring.start();
    JsonObject s1 = measuring.end();
    double secs = measuring.seconds();
    long dels = delivered.delta();
    long pubs = sent.delta();
    double cpu = (num(s1, Stat.PROCESS_CPU_NANOS) - num(s0, Stat.PROCESS_CPU_NANOS)) / 1e9;
    double cpuPerM = dels == 0 ? Double.NaN : cpu / (dels / 1e6);
    report.result("subscribers", subscribers);
    report.result("publishes", pubs);
    report.result("deliveries", dels);
    report.result("seconds", secs);
    report.result("publishesPerSecond", pubs / secs);
    report.result("deliveriesPerSecond", dels / secs);
    report.result("hubCpuSeconds", cpu);
    report.result("hubCpuPercent", cpu / secs * 100);
    report.result("hubCpuSecondsPerMillionDeliveries", cpuPerM);
    report.result("stalls", stalls.get());
    report.result("errors", tally.errors.get());
    report.result("closedEarly", tally.closed.get());
    report.result("hubEvictedSlowDelta", num(s1, Stat.EVICTED_SLOW) - num(before, Stat.EVICTED_SLOW));
    report.latency("delivery", latency);
    report.line(String.format("1 publisher -> %s subscribers, %d-byte filler, window %d, rate cap %s: %s publishes/s, %s deliveries/s",
        Fmt.n(subscribers), payload, window, rate > 0 ? rate + "/s" : "none", Fmt.d(pubs / secs), Fmt.n((long) (dels / secs))));
    report.line("delivery latency (publish -> subscriber): " + Report.latencyText(latency));
    report.line(String.format("hub CPU %.1f%% of one core: %.2f CPU-s per 1M deliveries", cpu / secs * 100, cpuPerM));
    report.check("deliveries happened", dels > 0, Fmt.n(dels) + " deliveries");
    report.check("no errors", tally.errors.get() == 0, tally.errors.get() + " error frames" + tally.lastSuffix());
    report.check("no subscriber lost", tally.closed.get() == 0, tally.closed.get() + " closed");
    report.check("no stalled publication", stalls.get() == 0, stalls.get() + " publications not delivered to every subscriber within 5 s");
  }

  private void publishLoop(Peer publisher, String topic, String pad) {
    long interval = rate > 0 ? (long) (1e9 / rate) : 0;
    long next = System.nanoTime();
    long seq = 0;
    try {
      while (!stop) {
        if (!permits.tryAcquire(5, TimeUnit.SECONDS)) {
          if (stop) {
            return;
          }
          stalls.incrementAndGet();
          permits.release(window); // give up on the lost ones; keep going
          continue;
        }
        if (interval > 0) {
          long wait = next - System.nanoTime();
          if (wait > 0) {
            TimeUnit.NANOSECONDS.sleep(wait); // pacing to a publish rate
          }
          next = Math.max(next + interval, System.nanoTime() - 10 * interval);
        }
        remaining.set((int) (seq % RING), subscribers);
        publisher.send("{\"type\":\"publish\",\"topic\":\"" + topic + "\",\"data\":{\"seq\":" + seq + ",\"ltns\":"
            + System.nanoTime() + ",\"pad\":\"" + pad + "\"}}");
        seq++;
        published.incrementAndGet();
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
