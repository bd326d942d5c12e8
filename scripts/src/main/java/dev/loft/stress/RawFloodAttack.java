package dev.loft.stress;

import dev.loft.protocol.PeerIds;
import java.io.IOException;
import java.io.OutputStream;
import java.net.Socket;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;

/**
 * ping-flood (opcode 9) and binary-flood (opcode 2): a socket that completed its handshake and
 * never reads again writes tiny masked frames as fast as the kernel takes them.
 */
final class RawFloodAttack implements Attack {
  private final int opcode;
  private final byte[] payload;
  private final FloodAttackOptions o;

  RawFloodAttack(int opcode, byte[] payload, FloodAttackOptions options) {
    this.opcode = opcode;
    this.payload = payload;
    this.o = options;
  }

  @Override
  public void run(AbuseRun r) throws Exception {
    byte[] buf = RawSockets.maskedFrames(opcode, payload, Math.max(1, 65_536 / (6 + payload.length)));
    int perWrite = buf.length / (6 + payload.length);
    r.extra.addProperty("frameBytes", 6 + payload.length);
    r.extra.addProperty("rcvbuf", o.rcvbuf);
    AtomicLong blockedSince = new AtomicLong();
    List<Double> closedAfter = new ArrayList<>();
    int connectionsMade = 0;
    r.begin();
    do {
      Socket s = RawSockets.open(r.wsUri(), RawSockets.source(connectionsMade), o.rcvbuf);
      connectionsMade++;
      String status = RawSockets.handshake(s, r.wsUri(), PeerIds.random());
      if (!RawSockets.is101(status)) {
        r.outcome("refused " + RawSockets.statusCode(status));
        RawSockets.closeQuietly(s);
        if (!o.reconnect) {
          break;
        }
        r.scenario.hold(0.2);
        continue;
      }
      double start = r.now();
      String[] failure = {null};
      double[] failedAt = {-1};
      Thread writer = new Thread(() -> {
        try {
          OutputStream out = s.getOutputStream();
          while (r.running()) {
            out.write(buf);
            r.framesSent.addAndGet(perWrite);
            r.bytesSent.addAndGet(buf.length);
            blockedSince.set(System.nanoTime());
          }
        } catch (IOException e) {
          failure[0] = RawSockets.outcomeOf(e);
          failedAt[0] = r.now();
        }
      }, "raw-flooder");
      writer.setDaemon(true);
      blockedSince.set(System.nanoTime());
      writer.start();
      writer.join(r.millisToEnd());
      boolean hubEnded = failure[0] != null && !"closed by the tool".equals(failure[0]);
      if (!hubEnded || !o.reconnect || !r.running()) {
        // the attack's end: measure while the socket (and whatever the hub holds for it) still exists
        long blockedMs = (System.nanoTime() - blockedSince.get()) / 1_000_000;
        r.extra.addProperty("lastWriteBlockedMillis", writer.isAlive() ? blockedMs : 0);
        r.liveUnderAttack();
        r.end();
      }
      r.stopping = !o.reconnect || !r.running();
      String drained = RawSockets.drainOutcome(s, 2_000, 256L << 20);
      String outcome = drained.startsWith("close") ? drained : hubEnded ? failure[0] : drained;
      if (hubEnded || !"still open".equals(outcome)) {
        closedAfter.add(Fmt.round3((failedAt[0] >= 0 ? failedAt[0] : r.now()) - start));
      }
      r.outcome(outcome);
      RawSockets.closeQuietly(s);
      writer.join(2_000);
    } while (o.reconnect && r.running());
    r.extra.addProperty("connections", connectionsMade);
    r.extra.add("secondsUntilEnded", Report.toJson(closedAfter.toString()));
  }
}
