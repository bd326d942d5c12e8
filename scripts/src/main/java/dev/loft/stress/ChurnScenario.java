package dev.loft.stress;

import com.google.gson.JsonObject;
import dev.loft.server.stats.Stat;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicLong;
import org.HdrHistogram.Histogram;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;

/**
 * churn: cycles of connect, announce, one offer/answer with a partner, disconnect. Each of K
 * concurrency slots has a long-lived partner in its own network; a cycle is one short-lived peer.
 */
@Command(name = "churn", mixinStandardHelpOptions = true,
    description = "N cycles of connect -> announce -> offer/answer with a partner -> disconnect, K at a time;"
        + " hub peers, listeners, heap (after GC) and RSS before, after and after a settle period.")
final class ChurnScenario extends Scenario {
  @Option(names = "--cycles", defaultValue = "20000", description = "Cycles (default: ${DEFAULT-VALUE}).")
  int cycles;

  @Option(names = "--concurrency", defaultValue = "32", description = "Cycles in flight (default: ${DEFAULT-VALUE}).")
  int concurrency;

  @Option(names = "--settle", defaultValue = "10", description = "Seconds to wait before the final reading (default: ${DEFAULT-VALUE}).")
  double settle;

  @Option(names = "--cycle-timeout-ms", defaultValue = "10000", description = "A cycle not done by then counts as failed (default: ${DEFAULT-VALUE}).")
  long cycleTimeoutMs;

  private final AtomicLong started = new AtomicLong();
  private final AtomicLong done = new AtomicLong();
  private final AtomicLong failed = new AtomicLong();
  private final Histogram cycleLatency = histogram();
  private final Queue<String> timeouts = new ConcurrentLinkedQueue<>();
  private volatile boolean stopping;
  private CountDownLatch finished;
  private Peer[] partners;
  private String lastFailure;

  @Override
  String name() {
    return "churn";
  }

  /** State of one cycle's peer. */
  private static final class Cycle {
    final int slot;
    volatile String stage = "connecting";
    volatile boolean answered;
    volatile boolean counted;

    Cycle(int slot) {
      this.slot = slot;
    }
  }

  @Override
  void run() throws Exception {
    JsonObject before = hubBefore();
    sampler.mark("start");

    // Partners: answer every offer with an answer carrying the same timestamp.
    partners = new Peer[concurrency];
    CountDownLatch partnersReady = new CountDownLatch(concurrency);
    Peer.Handler partnerHandler =
        new Peer.Handler() {
          @Override
          public void onReady(Peer p) {
            partnersReady.countDown();
          }

          @Override
          public void onClosed(Peer p, int code, String reason, boolean remote) {
            if (p.state instanceof CountDownLatch l) {
              l.countDown();
            } else if (!stopping) {
              lastFailure = "partner closed " + code + " " + reason;
            }
          }

          @Override
          public void onFrame(Peer p, int type, byte[] b, int off, int len) {
            if (type == Bytes.OFFER) {
              String from = Bytes.stringAfter(b, off, len, FROM);
              long t = Bytes.longAfter(b, off, len, Bytes.LTNS_KEY);
              p.send("{\"type\":\"answer\",\"targetPeerId\":\"" + from + "\",\"networkName\":\"" + p.network
                  + "\",\"data\":{\"type\":\"answer\",\"ltns\":" + t + "}}");
            }
          }
        };
    for (int i = 0; i < concurrency; i++) {
      partners[i] = new Peer(i, "churn-" + tag + "-" + i, true, partnerHandler).connect(engine, hub.wsUrl());
    }
    if (!await(partnersReady, 30_000)) {
      throw new IllegalStateException("partners did not connect: " + partnersReady.getCount() + " missing");
    }

    finished = new CountDownLatch(1);
    Window cycling = new Window(this).open(null, Window.Stats.NONE);
    status(() -> {
      double s = cycling.seconds();
      return String.format("cycles %s/%s (%s/s) failed %d open %d", Fmt.n(done.get()), Fmt.n(cycles),
          Fmt.n((long) (done.get() / Math.max(s, 0.001))), failed.get(), engine.live());
    });
    for (int slot = 0; slot < concurrency; slot++) {
      startCycle(slot);
    }
    boolean completed = await(finished, Long.MAX_VALUE);
    stopping = true;
    double seconds = cycling.close("cycles done", Window.Stats.NONE).seconds();

    CountDownLatch partnersClosed = new CountDownLatch(concurrency);
    for (Peer p : partners) {
      p.state = partnersClosed;
      if (!p.isOpen()) {
        partnersClosed.countDown();
      } else {
        p.close();
      }
    }
    await(partnersClosed, 10_000);
    JsonObject after = hubAfter(10_000, true);

    Window settling = new Window(this).open("settle", Window.Stats.NONE);
    hold(settle);
    JsonObject settled = settling.close("settled", Window.Stats.AFTER_GC).end();
    report.hub("afterSettle", snapshot(settled));

    long n = done.get();
    report.result("cycles", n);
    report.result("cyclesRequested", cycles);
    report.result("failedCycles", failed.get());
    report.result("seconds", seconds);
    report.result("cyclesPerSecond", n / seconds);
    report.result("connectionsOpened", engine.opened());
    report.result("timedOutCycles", timeouts.size());
    report.result("timeoutStages", String.join("; ", timeouts.stream().limit(20).toList()));
    report.latency("cycle", cycleLatency);
    long heapDelta = num(settled, Stat.HEAP_USED_BYTES) - num(before, Stat.HEAP_USED_BYTES);
    long rssDelta = num(settled, Stat.RSS_BYTES) - num(before, Stat.RSS_BYTES);
    report.result("heapDeltaAfterSettleBytes", heapDelta);
    report.result("rssDeltaAfterSettleBytes", rssDelta);
    long hubCpu = num(after, Stat.PROCESS_CPU_NANOS) - num(before, Stat.PROCESS_CPU_NANOS);
    report.result("hubCpuSeconds", hubCpu / 1e9);
    report.result("hubCpuMillisPerCycle", n == 0 ? null : hubCpu / 1e6 / n);

    report.line(String.format("%s cycles in %.1f s: %s cycles/s, %d failed", Fmt.n(n), seconds,
        Fmt.n((long) (n / seconds)), failed.get()));
    report.line("cycle latency (connect -> answer): " + Report.latencyText(cycleLatency));
    report.line(String.format("hub peers %d -> %d -> %d; busListeners %d -> %d -> %d",
        num(before, Stat.PEERS), num(after, Stat.PEERS), num(settled, Stat.PEERS),
        num(before, Stat.BUS_LISTENERS), num(after, Stat.BUS_LISTENERS), num(settled, Stat.BUS_LISTENERS)));
    report.line(String.format("hub heap after GC %s -> %s -> %s (delta %+.2f MB); RSS %s -> %s -> %s",
        Fmt.mb(num(before, Stat.HEAP_USED_BYTES)), Fmt.mb(num(after, Stat.HEAP_USED_BYTES)), Fmt.mb(num(settled, Stat.HEAP_USED_BYTES)),
        heapDelta / 1048576.0, Fmt.mb(num(before, Stat.RSS_BYTES)), Fmt.mb(num(after, Stat.RSS_BYTES)), Fmt.mb(num(settled, Stat.RSS_BYTES))));
    report.line(String.format("hub CPU %.1f s (%.3f ms per cycle)", hubCpu / 1e9, n == 0 ? 0 : hubCpu / 1e6 / n));

    report.check("all cycles ran", completed && n == cycles,
        Fmt.n(n) + " of " + Fmt.n(cycles) + (completed ? "" : " (time bound hit)"));
    report.check("no failed cycles", failed.get() == 0,
        failed.get() + " failed" + (lastFailure == null ? "" : ", last: " + lastFailure));
    report.check("hub peers back to start", num(settled, Stat.PEERS) == num(before, Stat.PEERS),
        "peers " + num(before, Stat.PEERS) + " -> " + num(settled, Stat.PEERS));
    report.check("hub announced peers back to start", num(settled, Stat.ANNOUNCED_PEERS) == num(before, Stat.ANNOUNCED_PEERS),
        "announcedPeers " + num(before, Stat.ANNOUNCED_PEERS) + " -> " + num(settled, Stat.ANNOUNCED_PEERS));
    report.check("bus listeners back to start", num(settled, Stat.BUS_LISTENERS) <= num(before, Stat.BUS_LISTENERS),
        "busListeners " + num(before, Stat.BUS_LISTENERS) + " -> " + num(settled, Stat.BUS_LISTENERS));
    report.target("heap after GC within 2 MB of start", Math.abs(heapDelta) <= 2 * 1024 * 1024,
        String.format("%+.2f MB after %s cycles", heapDelta / 1048576.0, Fmt.n(n)));
  }

  private static final byte[] FROM = Bytes.ascii("\"fromPeerId\":\"");

  private void startCycle(int slot) {
    if (stopping || pastDeadline()) {
      finished.countDown();
      return;
    }
    long k = started.incrementAndGet();
    if (k > cycles) {
      return;
    }
    Peer partner = partners[slot];
    Cycle cycle = new Cycle(slot);
    Peer.Handler h =
        new Peer.Handler() {
          @Override
          public void onReady(Peer p) {
            cycle.stage = "connected+announced";
          }

          @Override
          public void onFrame(Peer p, int type, byte[] b, int off, int len) {
            if (type == Bytes.PEER_DISCOVERED && !cycle.answered) {
              if (Bytes.indexOf(b, off, len, Bytes.ascii(partner.id)) >= 0) {
                cycle.stage = "discovered partner, offer sent";
                p.send("{\"type\":\"offer\",\"targetPeerId\":\"" + partner.id + "\",\"networkName\":\"" + p.network
                    + "\",\"data\":{\"type\":\"offer\",\"sdp\":\"v=0\",\"ltns\":" + System.nanoTime() + "}}");
              }
            } else if (type == Bytes.ANSWER && !cycle.answered) {
              cycle.answered = true;
              record(cycleLatency, micros(p.connectStartNanos));
              p.close();
            } else if (type == Bytes.ERROR) {
              lastFailure = Bytes.text(b, off, Math.min(len, 300));
              p.close();
            }
          }

          @Override
          public void onClosed(Peer p, int code, String reason, boolean remote) {
            finish(p, cycle, cycle.answered ? null : "closed " + code + " " + reason);
          }
        };
    Peer p = new Peer((int) k, partner.network, true, h).connect(engine, hub.wsUrl());
    engine.schedule(cycleTimeoutMs, () -> {
      if (!cycle.counted) {
        String what = "cycle timed out at stage '" + cycle.stage + "' (partner open: " + partner.isOpen() + ")";
        timeouts.add(what);
        lastFailure = what;
        p.conn.abort();
      }
    });
  }

  private void finish(Peer p, Cycle cycle, String failure) {
    if (cycle.counted) {
      return;
    }
    cycle.counted = true;
    if (failure != null) {
      failed.incrementAndGet();
      lastFailure = failure;
    }
    long d = done.incrementAndGet();
    if (d >= cycles) {
      finished.countDown();
      return;
    }
    startCycle(cycle.slot);
  }
}
