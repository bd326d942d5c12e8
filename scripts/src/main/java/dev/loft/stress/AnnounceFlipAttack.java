package dev.loft.stress;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import picocli.CommandLine.Option;

/**
 * announce-flip: members in two networks; one peer announces into one network, then the other,
 * under the rate limit. What the members receive per announce is the hub's fan-out of one cheap
 * frame.
 */
final class AnnounceFlipAttack implements Attack {
  @Option(names = "--members", defaultValue = "1000", description = "announce-flip: peers, split into two networks (default: ${DEFAULT-VALUE}).")
  int members;

  @Option(names = "--flip-rate", defaultValue = "150",
      description = "announce-flip: announces/s of the attacker, under the hub's rate limit (200/s) (default: ${DEFAULT-VALUE}).")
  double flipRate;

  @Override
  public void run(AbuseRun r) throws Exception {
    AbuseScenario sc = r.scenario;
    String netA = "abuse-" + sc.tag + "-flipA";
    String netB = "abuse-" + sc.tag + "-flipB";
    Semaphore permits = new Semaphore(64);
    CountDownLatch settled = new CountDownLatch(members);
    AtomicLong memberFrames = new AtomicLong();
    AtomicLong memberClosed = new AtomicLong();
    KeyedCounts memberCloses = new KeyedCounts();
    List<Peer> peers = new ArrayList<>();
    for (int i = 0; i < members; i++) {
      peers.add(new Peer(i, i % 2 == 0 ? netA : netB, true, new AttackingPeer(r, permits, settled) {
        @Override
        public void onFrame(Peer p, int type, byte[] b, int off, int len) {
          memberFrames.incrementAndGet();
        }

        @Override
        public void onClosed(Peer p, int code, String reason, boolean remote) {
          done(p);
          if (!r.stopping) { // the members are bystanders, not the attacker: their closes are kept apart
            memberClosed.incrementAndGet();
            memberCloses.add("close " + code);
          }
        }
      }));
    }
    List<Peer> attackers = new ArrayList<>();
    AtomicLong attackerFrames = new AtomicLong();
    AtomicLong rateLimited = new AtomicLong();
    try {
      AttackingPeer.connectAll(() -> !sc.pastDeadline(), peers, r.engine(), r.wsUrl(), permits);
      if (!settled.await(Math.min(60_000, sc.remainingMillis()), TimeUnit.MILLISECONDS)) {
        sc.report.note("announce-flip: " + settled.getCount() + " members not connected in time");
      }
      // Let the members' own discovery traffic pass before measuring.
      sc.awaitHub(() -> false, 1_500);
      long connected = peers.stream().filter(Peer::isOpen).count();
      r.extra.addProperty("membersConnected", connected);
      byte[] toA = ("{\"type\":\"announce\",\"networkName\":\"" + netA + "\"}").getBytes(StandardCharsets.UTF_8);
      byte[] toB = ("{\"type\":\"announce\",\"networkName\":\"" + netB + "\"}").getBytes(StandardCharsets.UTF_8);
      CountDownLatch ready = new CountDownLatch(1);
      Peer flipper = new Peer(-1, netA, false, new AttackingPeer(r, null, null) {
        @Override
        public void onReady(Peer p) {
          ready.countDown();
        }

        @Override
        public void onFrame(Peer p, int type, byte[] b, int off, int len) {
          attackerFrames.incrementAndGet();
          if (type == Bytes.ERROR && "RATE_LIMITED".equals(Bytes.stringAfter(b, off, len, Bytes.CODE_KEY))) {
            rateLimited.incrementAndGet();
          }
          super.onFrame(p, type, b, off, len);
        }
      });
      flipper.state = new AtomicBoolean();
      attackers.add(flipper);
      flipper.connect(r.engine(), r.wsUrl());
      if (!ready.await(10, TimeUnit.SECONDS)) {
        throw new IllegalStateException("the flipping peer did not connect");
      }
      long m0 = memberFrames.get();
      long a0 = attackerFrames.get();
      r.begin(); // members connected before the window opens: their own traffic is not the attack's
      long interval = (long) (1e9 / flipRate);
      long next = System.nanoTime();
      boolean toNetA = true;
      while (r.running() && flipper.isOpen()) {
        long wait = next - System.nanoTime();
        if (wait > 0) {
          TimeUnit.NANOSECONDS.sleep(wait); // pacing under the rate limit
        }
        next += interval;
        byte[] f = toNetA ? toA : toB;
        toNetA = !toNetA;
        if (flipper.send(f)) {
          r.framesSent.incrementAndGet();
          r.bytesSent.addAndGet(f.length);
        }
      }
      long m1 = memberFrames.get();
      long a1 = attackerFrames.get();
      r.liveUnderAttack();
      r.end();
      long sent = r.framesSent.get();
      r.extra.addProperty("membersReceivedDuringFlip", m1 - m0);
      r.extra.addProperty("attackerReceivedDuringFlip", a1 - a0);
      r.extra.addProperty("rateLimitedFrames", rateLimited.get());
      r.extra.addProperty("membersClosedDuringFlip", memberClosed.get());
      r.extra.add("membersClosedBy", memberCloses.json());
      r.extra.addProperty("receivedPerAnnounceClientSide", sent > 0 ? Fmt.round3((double) (m1 - m0 + a1 - a0) / sent) : null);
    } finally {
      AttackingPeer.closeAll(r, attackers);
      for (Peer p : peers) {
        p.close();
      }
    }
  }
}
