package dev.loft.stress;

import static dev.loft.stress.AdminClient.num;

import com.google.gson.JsonObject;
import dev.loft.protocol.PeerIds;
import dev.loft.server.stats.Stat;
import java.io.IOException;
import java.net.Socket;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import picocli.CommandLine.Option;

/**
 * reset-race: complete the handshake and reset at once (SO_LINGER 0), N times, K at a time; then
 * the hub's peers gauge must fall back to the healthy pair: a peer the hub counted but never
 * released would stay in it.
 */
final class ResetRaceAttack implements Attack {
  @Option(names = "--resets", defaultValue = "3000", description = "reset-race: handshakes reset at once (default: ${DEFAULT-VALUE}).")
  int resets;

  @Option(names = "--reset-concurrency", defaultValue = "32", description = "reset-race: in flight (default: ${DEFAULT-VALUE}).")
  int resetConcurrency;

  @Option(names = "--settle-timeout", defaultValue = "15",
      description = "reset-race: seconds to wait for the hub's peers gauge to fall back to the healthy pair (default: ${DEFAULT-VALUE}).")
  double settleTimeout;

  @Override
  public void run(AbuseRun r) throws Exception {
    AbuseScenario sc = r.scenario;
    AtomicInteger next = new AtomicInteger();
    long peersBefore = num(sc.stats(), Stat.PEERS);
    r.begin();
    List<Thread> threads = new ArrayList<>();
    for (int i = 0; i < resetConcurrency; i++) {
      Thread t = new Thread(() -> {
        int k;
        while ((k = next.getAndIncrement()) < resets && r.running()) {
          Socket s = null;
          try {
            s = RawSockets.open(r.wsUri(), RawSockets.source(k), 0);
            String status = RawSockets.handshake(s, r.wsUri(), PeerIds.random());
            r.framesSent.incrementAndGet(); // one handshake
            r.outcome(RawSockets.is101(status) ? "101 then reset by the tool" : "refused " + RawSockets.statusCode(status));
            RawSockets.reset(s);
            s = null;
          } catch (IOException e) {
            r.outcome("failed: " + RawSockets.outcomeOf(e));
          } finally {
            RawSockets.closeQuietly(s);
          }
        }
      }, "resetter-" + i);
      t.setDaemon(true);
      t.start();
      threads.add(t);
    }
    for (Thread t : threads) {
      t.join(Math.max(1, (long) ((r.attackEnd() - r.now()) * 1000) + 5_000));
    }
    double burstEnd = r.now();
    r.extra.addProperty("handshakes", r.framesSent.get());
    r.extra.addProperty("burstSeconds", Fmt.round3(burstEnd - r.t0()));
    r.extra.addProperty("hubPeersBefore", peersBefore);
    r.extra.addProperty("hubPeersRightAfter", num(sc.stats(), Stat.PEERS));
    long healthy = peersBefore; // the healthy pair (and nothing else of ours) was connected before
    boolean settledOk = sc.awaitHub(() -> num(sc.stats(), Stat.PEERS) >= 0 && num(sc.stats(), Stat.PEERS) <= healthy, (long) (settleTimeout * 1000));
    JsonObject s = sc.stats();
    r.extra.addProperty("hubPeersAfterSettle", num(s, Stat.PEERS));
    r.extra.addProperty("settledWithinSeconds", settledOk ? Fmt.round3(r.now() - burstEnd) : null);
    r.extra.addProperty("settleTimeoutSeconds", settleTimeout);
    r.liveUnderAttack();
    r.end();
    sc.report.check("reset-race: peers gauge back to the healthy pair within " + settleTimeout + " s", settledOk,
        "peers " + num(s, Stat.PEERS) + ", expected " + healthy);
  }
}
