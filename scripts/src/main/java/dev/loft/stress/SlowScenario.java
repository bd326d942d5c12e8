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
 * slow: one subscriber stops reading its socket while a publisher keeps pushing; the hub must
 * evict it (close 4000, evictedSlow) with its backlog, and its heap must stay bounded, while the
 * other subscribers keep getting every message on time.
 */
@Command(name = "slow", mixinStandardHelpOptions = true,
    description = "One subscriber stops reading while a publisher pushes; shows the hub evicting it"
        + " (close 4000 / evictedSlow), its heap staying bounded, and the other subscribers' latency.")
final class SlowScenario extends Scenario {
  @Option(names = "--subscribers", defaultValue = "20", description = "Subscribers that keep reading (default: ${DEFAULT-VALUE}).")
  int subscribers;

  @Option(names = "--payload", defaultValue = "16384", description = "Bytes of filler per message (default: ${DEFAULT-VALUE}).")
  int payload;

  @Option(names = "--rate", defaultValue = "150", description = "Publications/s (default: ${DEFAULT-VALUE}).")
  double rate;

  @Option(names = "--duration", defaultValue = "60", description = "Longest push, in seconds (default: ${DEFAULT-VALUE}).")
  double duration;

  @Option(names = "--after", defaultValue = "5", description = "Seconds to keep pushing after the eviction (default: ${DEFAULT-VALUE}).")
  double after;

  @Option(names = "--slow-rcvbuf", defaultValue = "4096",
      description = "SO_RCVBUF of the non-reading subscriber, so the kernel buffers little (default: ${DEFAULT-VALUE}).")
  int slowRcvbuf;

  private final AtomicLong deliveries = new AtomicLong();
  private final AtomicLong published = new AtomicLong();
  private final AtomicLong slowDeliveries = new AtomicLong();
  private final Tally tally = new Tally(); // its closed count: readers closed during the run
  private final Histogram latency = histogram();
  private volatile boolean stop;
  private final CountDownLatch slowClosed = new CountDownLatch(1);
  private volatile int slowCloseCode = -1;
  private volatile String slowCloseReason;
  private volatile double slowClosedAt = -1;

  @Override
  int defaultSampleMillis() {
    return 250;
  }

  @Override
  String name() {
    return "slow";
  }

  @Override
  void run() throws Exception {
    String topic = "slow-" + tag;
    String pad = Bytes.pad(payload);
    JsonObject before = hubBefore();
    byte[] subscribe = ("{\"type\":\"subscribe\",\"id\":\"sub\",\"topic\":\"" + topic + "\"}").getBytes();
    CountDownLatch acked = new CountDownLatch(subscribers + 1);
    Peer[] subs = new Peer[subscribers];
    for (int i = 0; i < subscribers; i++) {
      subs[i] = new Peer(i, "slow-" + tag + "-" + (i / 10), true, new SubscriberHandler(subscribe, acked, tally, () -> stop) {
        @Override
        void onMessage(byte[] b, int off, int len) {
          long t = Bytes.longAfter(b, off, len, Bytes.LTNS_KEY);
          record(latency, (System.nanoTime() - t) / 1000);
          deliveries.incrementAndGet();
        }
      }).connect(engine, hub.wsUrl());
    }
    Peer slow = new Peer(-2, "slow-" + tag + "-slow", true, new Peer.Handler() {
      @Override
      public void onReady(Peer p) {
        p.send(subscribe);
      }

      @Override
      public void onFrame(Peer p, int type, byte[] b, int off, int len) {
        if (type == Bytes.ACK) {
          acked.countDown();
        } else if (type == Bytes.MESSAGE) {
          slowDeliveries.incrementAndGet();
        }
      }

      @Override
      public void onClosed(Peer p, int code, String reason, boolean remote) {
        slowCloseCode = code;
        slowCloseReason = reason;
        slowClosedAt = sampler.now();
        slowClosed.countDown();
      }
    }).connect(engine, hub.wsUrl(), slowRcvbuf);
    CountDownLatch pubReady = new CountDownLatch(1);
    Peer publisher = new Peer(-1, "slow-" + tag + "-pub", true, new TalliedHandler(pubReady, tally, "publisher", () -> stop) {
      @Override
      public void onClosed(Peer p, int code, String reason, boolean remote) {
        // not tallied: the tally's closes are the readers this scenario reports as othersClosed
      }
    }).connect(engine, hub.wsUrl());
    if (!await(acked, 60_000) || !await(pubReady, 30_000) || tally.closed.get() > 0) {
      throw new IllegalStateException("subscribers not ready: " + acked.getCount() + " missing" + tally.lastErrorSuffix());
    }

    slow.conn.reading(false);
    Window push = new Window(this).open("stops reading", Window.Stats.NONE);
    double stopReadingAt = push.startT();
    long evictedBefore = num(before, Stat.EVICTED_SLOW);
    status(() -> String.format("published %s delivered %s, slow peer %s", Fmt.n(published.get()),
        Fmt.n(deliveries.get()), evicted() ? "EVICTED" : "not reading"));
    Thread pub = new Thread(() -> {
      long interval = (long) (1e9 / rate);
      long next = System.nanoTime();
      long seq = 0;
      try {
        while (!stop) {
          long wait = next - System.nanoTime();
          if (wait > 0) {
            TimeUnit.NANOSECONDS.sleep(wait); // pacing to a publish rate
          }
          next += interval;
          publisher.send("{\"type\":\"publish\",\"topic\":\"" + topic + "\",\"data\":{\"seq\":" + seq++
              + ",\"ltns\":" + System.nanoTime() + ",\"pad\":\"" + pad + "\"}}");
          published.incrementAndGet();
        }
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }, "publisher");
    pub.setDaemon(true);
    pub.start();

    // Live heap while the backlog builds (a full GC in the hub; the backlog is what stays).
    hold(1.0);
    JsonObject building = statsGc();
    boolean evictedEarly = num(building, Stat.EVICTED_SLOW) > evictedBefore;
    // The eviction is visible in /stats (the non-reading client cannot see the close frame).
    boolean evicted = awaitHub(() -> {
      JsonObject s = sampler.latest();
      return num(s, Stat.EVICTED_SLOW) > evictedBefore;
    }, (long) (duration * 1000));
    double evictedAt = sampler.now();
    if (evicted) {
      sampler.mark("evicted");
    }
    JsonObject atEviction = evicted ? statsGc() : null;
    hold(evicted ? after : 0);
    stop = true;
    pub.interrupt();
    pub.join(5000);
    push.close("stop", Window.Stats.PLAIN);
    JsonObject s1 = push.end();

    // Read what the slow subscriber was sent, to see how the hub closed it.
    slow.conn.reading(true);
    await(slowClosed, 15_000);

    for (Peer p : subs) {
      p.close();
    }
    publisher.close();
    JsonObject afterStats = hubAfter(10_000, true);

    long peakQueued = sampler.max(Stat.QUEUED_OUTBOUND_BYTES, stopReadingAt);
    long peakHeap = sampler.max(Stat.HEAP_USED_BYTES, stopReadingAt);
    long evictedDelta = num(s1, Stat.EVICTED_SLOW) - evictedBefore;
    report.result("published", published.get());
    report.result("deliveriesToOthers", deliveries.get());
    report.result("expectedDeliveriesToOthers", (long) subscribers * published.get());
    report.result("messagesTheSlowPeerGot", slowDeliveries.get());
    report.result("evicted", evicted);
    report.result("secondsUntilEvicted", evicted ? evictedAt - stopReadingAt : null);
    report.result("hubEvictedSlowDelta", evictedDelta);
    report.result("slowPeerCloseCode", slowCloseCode);
    report.result("slowPeerCloseReason", slowCloseReason);
    report.result("peakQueuedOutboundBytes", peakQueued);
    report.result("peakHeapUsedBytes", peakHeap);
    report.result("heapUsedBeforeBytes", num(before, Stat.HEAP_USED_BYTES));
    report.result("heapAfterGcWhileBacklogBuildsBytes", num(building, Stat.HEAP_USED_BYTES));
    report.result("backlogBuildingSnapshotAfterEviction", evictedEarly);
    report.result("queuedOutboundBytesWhileBacklogBuilds", num(building, Stat.QUEUED_OUTBOUND_BYTES));
    report.result("heapAfterGcAfterEvictionBytes", atEviction == null ? null : num(atEviction, Stat.HEAP_USED_BYTES));
    report.result("othersClosed", tally.closed.get());
    report.result("errors", tally.errors.get());
    report.result("pushSeconds", push.seconds());
    report.latency("othersDelivery", latency);
    report.line(String.format("publisher: %s messages of %d bytes at %.0f/s to %d readers + 1 non-reader",
        Fmt.n(published.get()), payload, rate, subscribers));
    report.line(evicted
        ? String.format("slow subscriber evicted %.1f s after it stopped reading (hub evictedSlow +%d, close code %d%s)",
            evictedAt - stopReadingAt, evictedDelta, slowCloseCode, slowCloseReason == null || slowCloseReason.isEmpty() ? "" : " \"" + slowCloseReason + "\"")
        : "slow subscriber NOT evicted within " + duration + " s");
    report.line(String.format("hub heap after GC: before %s, 1 s into the backlog %s (queued %s), after the eviction %s, at the end %s",
        Fmt.mb(num(before, Stat.HEAP_USED_BYTES)), Fmt.mb(num(building, Stat.HEAP_USED_BYTES)),
        Fmt.mb(num(building, Stat.QUEUED_OUTBOUND_BYTES)),
        atEviction == null ? "-" : Fmt.mb(num(atEviction, Stat.HEAP_USED_BYTES)), Fmt.mb(num(afterStats, Stat.HEAP_USED_BYTES))));
    report.line(String.format("peak sampled queuedOutboundBytes %s; peak heap used incl. garbage %s", Fmt.mb(peakQueued), Fmt.mb(peakHeap)));
    report.line(String.format("others: %s of %s deliveries; latency %s", Fmt.n(deliveries.get()),
        Fmt.n((long) subscribers * published.get()), Report.latencyText(latency)));
    report.check("slow subscriber evicted", evicted && evictedDelta >= 1, "evictedSlow +" + evictedDelta);
    report.check("evicted with close code 4000 (or cut off before the close frame)", slowCloseCode == 4000 || slowCloseCode == 1006,
        "close code " + slowCloseCode + " " + (slowCloseReason == null ? "" : slowCloseReason));
    report.check("other subscribers kept", tally.closed.get() == 0, tally.closed.get() + " closed");
    report.check("other subscribers got every message", deliveries.get() >= (long) subscribers * published.get() - subscribers * 4L,
        Fmt.n(deliveries.get()) + " of " + Fmt.n((long) subscribers * published.get()));
    report.check("no errors", tally.errors.get() == 0, tally.errors.get() + tally.lastSuffix());
  }

  private boolean evicted() {
    return slowCloseCode >= 0 || num(sampler.latest(), Stat.EVICTED_SLOW) > 0;
  }
}
