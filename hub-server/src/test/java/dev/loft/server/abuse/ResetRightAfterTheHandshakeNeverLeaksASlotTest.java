package dev.loft.server.abuse;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.google.gson.JsonObject;
import dev.loft.protocol.PeerIds;
import dev.loft.server.support.ChildHub;
import dev.loft.server.support.HealthyPair;
import dev.loft.server.support.RawWebSocket;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/**
 * A close that races the open (a TCP reset right after the handshake) now and then left a
 * registry slot taken forever (1 in ~3,000): max peers and per-address slots eroded over weeks.
 * Each link is one compare-and-set state machine, so the slot always comes back.
 */
class ResetRightAfterTheHandshakeNeverLeaksASlotTest {
  private static final int RESETS = 3_000;
  private static final int CONCURRENCY = 32;

  @Test
  void thousandsOfResetsRacingTheOpenLeaveEveryRegistryAtZero() throws Exception {
    try (ChildHub hub = ChildHub.start(Abuse.HEAP); HealthyPair pair = HealthyPair.start(hub.uri())) {
      ExecutorService pool = Executors.newFixedThreadPool(CONCURRENCY);
      AtomicInteger next = new AtomicInteger();
      try {
        List<Future<?>> done = new ArrayList<>();
        for (int w = 0; w < CONCURRENCY; w++) {
          done.add(pool.submit(() -> {
            int i;
            while ((i = next.getAndIncrement()) < RESETS) {
              resetRacingTheOpen(hub, i % 2 == 0);
            }
            return null;
          }));
        }
        for (Future<?> f : done) {
          f.get(120, TimeUnit.SECONDS);
        }
      } finally {
        pool.shutdownNow();
      }
      JsonObject s = Abuse.settlesTo(hub, 2);
      assertEquals(1, s.getAsJsonObject("abuse").get("addresses").getAsInt(), "only the pair's address: " + s);
      System.out.println("[abuse] reset race: closedDuringOpen=" + Abuse.counter(s, "abuse", "closedDuringOpen")
          + "; " + pair.assertUnharmed(5, 3_000));
    }
  }

  /** Sends the upgrade request and resets: after the 101 arrived, or (half the time) before. */
  private static void resetRacingTheOpen(ChildHub hub, boolean waitFor101) {
    try (Socket s = RawWebSocket.socket(hub.uri(), "127.0.0.2", 0)) {
      String request = "GET /?peerId=" + PeerIds.random() + " HTTP/1.1\r\nHost: 127.0.0.1\r\n"
          + "Upgrade: websocket\r\nConnection: Upgrade\r\n"
          + "Sec-WebSocket-Key: bG9mdC10ZXN0LWtleS0xNg==\r\nSec-WebSocket-Version: 13\r\n\r\n";
      OutputStream out = s.getOutputStream();
      out.write(request.getBytes(StandardCharsets.US_ASCII));
      if (waitFor101) {
        RawWebSocket.readHead(s);
      }
      s.setSoLinger(true, 0); // close() now sends RST
    } catch (java.io.IOException refusedOrReset) {
      // the hub may refuse under load (per-address cap): that is not what this test is about
    }
  }
}
