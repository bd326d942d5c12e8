package dev.loft.stress;

import com.google.gson.JsonObject;
import dev.loft.server.stats.Stat;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.HdrHistogram.Histogram;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import com.google.gson.JsonArray;

/** idle: hold N announced peers and measure what each costs the hub in RSS and heap. */
@Command(name = "idle", mixinStandardHelpOptions = true,
    description = "Hold N announced, idle peers (spread over many networks); hub RSS and heap per peer.")
final class IdleScenario extends Scenario {
  @Option(names = "--peers", defaultValue = "20000", description = "Peers to hold (default: ${DEFAULT-VALUE}).")
  int peers;

  @Option(names = "--per-network", defaultValue = "10",
      description = "Peers per network, to keep discovery small (default: ${DEFAULT-VALUE}).")
  int perNetwork;

  @Option(names = "--concurrency", defaultValue = "32", description = "Connects in flight (default: ${DEFAULT-VALUE}).")
  int concurrency;

  @Option(names = "--hold", defaultValue = "20", description = "Seconds to hold all peers (default: ${DEFAULT-VALUE}).")
  double holdSeconds;

  private final AtomicLong ready = new AtomicLong();
  private final AtomicLong failed = new AtomicLong();
  private final AtomicLong droppedWhileHeld = new AtomicLong();
  private final Histogram connectLatency = histogram();
  private volatile boolean closing;
  private volatile String lastFailure;

  @Override
  String name() {
    return "idle";
  }

  /** Hub CPU per new connection, by how many peers it already held (from the /stats samples of the ramp). */
  private void connectCost(double fromT, double toT) {
    JsonArray bands = new JsonArray();
    StatsSampler.Sample first = null;
    long band = 5000;
    StringBuilder text = new StringBuilder();
    for (StatsSampler.Sample smp : sampler.samples()) {
      if (smp.t() < fromT || smp.t() > toT + 1 || smp.stats() == null) {
        continue;
      }
      if (first == null) {
        first = smp;
        continue;
      }
      long p0 = num(first.stats(), Stat.PEERS);
      long p1 = num(smp.stats(), Stat.PEERS);
      boolean last = smp.t() >= toT;
      if (p1 / band > p0 / band || (last && p1 > p0)) {
        double cpuMs = (num(smp.stats(), Stat.PROCESS_CPU_NANOS) - num(first.stats(), Stat.PROCESS_CPU_NANOS)) / 1e6;
        double perConnect = cpuMs / Math.max(1, p1 - p0);
        JsonObject o = new JsonObject();
        o.addProperty("fromPeers", p0);
        o.addProperty("toPeers", p1);
        o.addProperty("hubCpuMillisPerConnect", Math.round(perConnect * 1000) / 1000.0);
        o.addProperty("connectsPerSecond", Math.round((p1 - p0) / (smp.t() - first.t())));
        bands.add(o);
        text.append(String.format(" %s-%s: %.2f ms;", Fmt.n(p0), Fmt.n(p1), perConnect));
        first = smp;
      }
    }
    report.result("hubCpuPerConnectByPeers", bands);
    if (text.length() > 0) {
      report.line("hub CPU per new connection, by peers already held:" + text);
    }
  }

  @Override
  void run() throws Exception {
    int n = peers;
    int budget = fdBudget();
    if (n > budget) {
      report.note("asked for " + peers + " peers but the open-files limit of this process allows " + budget
          + " (ulimit -n); holding " + budget);
      n = budget;
    }
    JsonObject before = hubBefore();

    Semaphore inFlight = new Semaphore(concurrency);
    CountDownLatch settled = new CountDownLatch(n);
    CountDownLatch closed = new CountDownLatch(n);
    Peer.Handler h =
        new Peer.Handler() {
          @Override
          public void onReady(Peer p) {
            record(connectLatency, micros(p.connectStartNanos));
            ready.incrementAndGet();
            inFlight.release();
            settled.countDown();
          }

          @Override
          public void onFrame(Peer p, int type, byte[] b, int off, int len) {
            if (type == Bytes.ERROR) {
              lastFailure = Bytes.text(b, off, Math.min(len, 300));
            }
          }

          @Override
          public void onClosed(Peer p, int code, String reason, boolean remote) {
            closed.countDown();
            if (p.state == null) {
              p.state = Boolean.TRUE;
              failed.incrementAndGet();
              lastFailure = "closed " + code + " " + reason;
              inFlight.release();
              settled.countDown();
            } else if (!closing) {
              droppedWhileHeld.incrementAndGet();
              lastFailure = "closed while held: " + code + " " + reason;
            }
          }
        };
    final int total = n;
    status(() -> String.format("peers %s/%s failed %d live %d", Fmt.n(ready.get()), Fmt.n(total), failed.get(), engine.live()));
    List<Peer> all = new ArrayList<>(n);
    Window ramp = new Window(this).open("ramp", Window.Stats.NONE);
    for (int i = 0; i < n && !pastDeadline(); i++) {
      if (!inFlight.tryAcquire(remainingMillis(), TimeUnit.MILLISECONDS)) {
        break;
      }
      Peer p = new Peer(i, "idle-" + tag + "-" + (i / perNetwork), true, new Peer.Handler() {
        @Override
        public void onReady(Peer q) {
          q.state = Boolean.FALSE;
          h.onReady(q);
        }

        @Override
        public void onFrame(Peer q, int type, byte[] b, int off, int len) {
          h.onFrame(q, type, b, off, len);
        }

        @Override
        public void onClosed(Peer q, int code, String reason, boolean remote) {
          h.onClosed(q, code, reason, remote);
        }
      });
      all.add(p.connect(engine, hub.wsUrl()));
    }
    await(settled, 300_000);
    double rampSeconds = ramp.close(null, Window.Stats.NONE).seconds();
    connectCost(ramp.startT(), ramp.endT());
    long held = ready.get() - droppedWhileHeld.get();
    awaitHub(() -> num(stats(), Stat.ANNOUNCED_PEERS) >= num(before, Stat.ANNOUNCED_PEERS) + held, 30_000);
    Window holding = new Window(this).open("holding " + held, Window.Stats.NONE);
    hold(holdSeconds);
    JsonObject full = holding.close(null, Window.Stats.AFTER_GC).end();
    report.hub("holding", snapshot(full));
    long heldNow = ready.get() - droppedWhileHeld.get();

    sampler.mark("close");
    closing = true;
    for (Peer p : all) {
      if (p.isOpen()) {
        p.close();
      } else if (p.conn != null && !p.conn.isClosed()) {
        p.conn.abort();
      }
    }
    awaitHub(() -> engine.live() == 0, 60_000);
    awaitHub(() -> num(stats(), Stat.PEERS) <= num(before, Stat.PEERS), 30_000);
    JsonObject after = statsGc();
    report.hub("after", snapshot(after));
    sampler.mark("closed");

    long peersHeld = num(full, Stat.PEERS) - num(before, Stat.PEERS);
    double rssPerPeer = (num(full, Stat.RSS_BYTES) - num(before, Stat.RSS_BYTES)) / (double) Math.max(1, peersHeld);
    double heapPerPeer = (num(full, Stat.HEAP_USED_BYTES) - num(before, Stat.HEAP_USED_BYTES)) / (double) Math.max(1, peersHeld);
    report.result("peersRequested", peers);
    report.result("peersAttempted", all.size());
    report.result("peersHeld", heldNow);
    report.result("hubPeersHeld", peersHeld);
    report.result("hubAnnouncedPeers", num(full, Stat.ANNOUNCED_PEERS));
    report.result("failed", failed.get());
    report.result("droppedWhileHeld", droppedWhileHeld.get());
    report.result("rampSeconds", rampSeconds);
    report.result("connectsPerSecond", ready.get() / rampSeconds);
    report.result("rssBytesPerPeer", rssPerPeer);
    report.result("heapBytesPerPeer", heapPerPeer);
    report.result("hubThreads", num(full, Stat.THREADS));
    report.latency("connect", connectLatency);

    report.line(String.format("held %s peers (hub counts %s, %s announced) in %s networks; ramp %.1f s (%s connects/s)",
        Fmt.n(heldNow), Fmt.n(peersHeld), Fmt.n(num(full, Stat.ANNOUNCED_PEERS)), Fmt.n(num(full, Stat.NETWORKS)),
        rampSeconds, Fmt.n((long) (ready.get() / rampSeconds))));
    report.line(String.format("hub RSS %s -> %s: %.2f KB per peer", Fmt.mb(num(before, Stat.RSS_BYTES)),
        Fmt.mb(num(full, Stat.RSS_BYTES)), rssPerPeer / 1024));
    report.line(String.format("hub heap after GC %s -> %s: %.2f KB per peer", Fmt.mb(num(before, Stat.HEAP_USED_BYTES)),
        Fmt.mb(num(full, Stat.HEAP_USED_BYTES)), heapPerPeer / 1024));
    report.line("connect latency (connect -> connected): " + Report.latencyText(connectLatency));
    report.line(String.format("after closing all: hub peers %d, heap %s, RSS %s", num(after, Stat.PEERS),
        Fmt.mb(num(after, Stat.HEAP_USED_BYTES)), Fmt.mb(num(after, Stat.RSS_BYTES))));

    report.check("all peers connected", failed.get() == 0 && ready.get() == n,
        Fmt.n(ready.get()) + " of " + Fmt.n(n) + (lastFailure == null ? "" : "; last failure: " + lastFailure));
    report.check("no peer dropped while idle", droppedWhileHeld.get() == 0, droppedWhileHeld.get() + " dropped");
    report.check("hub peers back to start", num(after, Stat.PEERS) == num(before, Stat.PEERS),
        "peers " + num(before, Stat.PEERS) + " -> " + num(after, Stat.PEERS));
    // Issue 11's target, at the ~18,700 peers a 20,000-file container lets a hub hold (it was 10 KB
    // at 19,000, which this machine's limit made unreachable whatever the RSS: reported MISSED at 5 KB).
    report.target("hub RSS per peer <= 4 KB at ~18,700 peers", rssPerPeer <= 4 * 1024 && peersHeld >= 18_000,
        String.format("%.2f KB per peer at %s peers", rssPerPeer / 1024, Fmt.n(peersHeld)));
  }
}
