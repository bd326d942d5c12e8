package dev.loft.stress;

import dev.loft.protocol.PeerIds;
import java.io.IOException;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;

/** header-flood: sockets send an upgrade request whose header line never ends, bytes as fast as they can. */
final class HeaderFloodAttack implements Attack {
  private final FloodAttackOptions o;

  HeaderFloodAttack(FloodAttackOptions options) {
    this.o = options;
  }

  @Override
  public void run(AbuseRun r) throws Exception {
    byte[] chunk = new byte[16_384];
    Arrays.fill(chunk, (byte) 'a');
    AtomicInteger made = new AtomicInteger();
    List<Double> endedAfter = Collections.synchronizedList(new ArrayList<>());
    List<Socket> open = Collections.synchronizedList(new ArrayList<>());
    List<Thread> threads = new ArrayList<>();
    r.begin();
    for (int i = 0; i < o.headerSockets; i++) {
      final int k = i;
      Thread t = new Thread(() -> {
        do {
          Socket s = null;
          AtomicReference<String> answer = new AtomicReference<>();
          try {
            s = RawSockets.open(r.wsUri(), RawSockets.source(k + made.getAndIncrement()), 0);
            open.add(s);
            double start = r.now();
            Socket sock = s;
            Thread reader = new Thread(() -> answer.set(RawSockets.drainHttpOutcome(sock, 600_000)), "header-reader");
            reader.setDaemon(true);
            reader.start();
            OutputStream out = s.getOutputStream();
            byte[] head = (RawSockets.upgradeHead(r.wsUri(), PeerIds.random()) + "X-Flood: ").getBytes(StandardCharsets.ISO_8859_1);
            out.write(head);
            r.bytesSent.addAndGet(head.length);
            String failure = null;
            try {
              while (r.running() && answer.get() == null) {
                out.write(chunk);
                r.bytesSent.addAndGet(chunk.length);
              }
            } catch (IOException e) {
              failure = RawSockets.outcomeOf(e);
            }
            if (failure != null) {
              reader.join(500);
              endedAfter.add(Fmt.round3(r.now() - start));
            }
            String a = answer.get();
            if (a == null && failure == null) {
              // the attack's end while the socket is open: the main thread measures, then closes it
              r.outcome("still open");
              return;
            }
            if ("closed by the tool".equals(failure) && (a == null || a.equals(failure))) {
              r.outcome("still open"); // blocked in write() until the tool closed it at the attack's end
              return;
            }
            r.outcome(a != null && !a.equals("closed by the tool") ? a : failure);
            if (a != null && failure == null) {
              endedAfter.add(Fmt.round3(r.now() - start));
            }
          } catch (IOException | InterruptedException e) {
            r.outcome("connect failed: " + (e instanceof IOException io ? RawSockets.outcomeOf(io) : e));
          } finally {
            if (s != null && !r.running()) {
              // left for the main thread to close after measuring
            } else {
              RawSockets.closeQuietly(s);
            }
          }
        } while (o.reconnect && r.running());
      }, "header-flooder-" + i);
      t.setDaemon(true);
      t.start();
      threads.add(t);
    }
    r.holdToEnd();
    long joinEnd = System.nanoTime() + TimeUnit.SECONDS.toNanos(1); // writers blocked in write() stay blocked
    for (Thread t : threads) {
      t.join(Math.max(1, (joinEnd - System.nanoTime()) / 1_000_000));
    }
    r.liveUnderAttack();
    r.end();
    r.stopping = true;
    synchronized (open) {
      open.forEach(RawSockets::closeQuietly);
    }
    r.extra.addProperty("connections", made.get());
    Collections.sort(endedAfter);
    r.extra.addProperty("hubEndedConnections", endedAfter.size());
    if (!endedAfter.isEmpty()) {
      r.extra.addProperty("secondsUntilEndedMin", endedAfter.get(0));
      r.extra.addProperty("secondsUntilEndedMax", endedAfter.get(endedAfter.size() - 1));
    }
  }
}
