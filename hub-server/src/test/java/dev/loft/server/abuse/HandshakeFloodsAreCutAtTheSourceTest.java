package dev.loft.server.abuse;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonObject;
import dev.loft.protocol.PeerIds;
import dev.loft.server.support.ChildHub;
import dev.loft.server.support.HealthyPair;
import dev.loft.server.support.RawWebSocket;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * Before the handshake the library buffers whatever a client sends until the handshake timeout
 * (50 sockets sending an endless header line took a 512 MiB hub from 4 to 285 MiB), and one host
 * could hold every pending handshake. Both are bounded where they start.
 */
class HandshakeFloodsAreCutAtTheSourceTest {
  private static final int SOCKETS = 50;

  @Test
  void endlessHeaderLineIsAnswered431AtTheCapNotBufferedUntilTheTimeout() throws Exception {
    try (ChildHub hub = ChildHub.start(Abuse.HEAP); HealthyPair pair = HealthyPair.start(hub.uri())) {
      ExecutorService pool = Executors.newFixedThreadPool(SOCKETS);
      try {
        List<Future<String>> answers = new ArrayList<>();
        long started = System.nanoTime();
        for (int i = 0; i < SOCKETS; i++) {
          answers.add(pool.submit(() -> floodHeaderLine(hub)));
        }
        for (Future<String> answer : answers) {
          String head = answer.get(30, TimeUnit.SECONDS);
          assertTrue(head.startsWith("HTTP/1.1 431"), "expected 431, got: " + head);
        }
        long millis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - started);
        assertTrue(millis < 5_000, "431s took " + millis + " ms: the hub waited for its handshake timeout");
      } finally {
        pool.shutdownNow();
      }
      JsonObject s = Abuse.settlesTo(hub, 2);
      assertTrue(Abuse.counter(s, "abuse", "handshakeTooLarge") >= SOCKETS, s::toString);
      assertTrue(Abuse.liveHeapMiB(hub) < 24, "live heap after the flood");
      System.out.println("[abuse] header flood: " + pair.assertUnharmed(5, 2_000));
    }
  }

  /** Sends a request whose header line never ends until the hub answers or closes; returns what it said. */
  private static String floodHeaderLine(ChildHub hub) throws IOException {
    try (Socket s = RawWebSocket.socket(hub.uri(), "127.0.0.2", 0)) {
      OutputStream out = s.getOutputStream();
      out.write(("GET /?peerId=" + PeerIds.random() + " HTTP/1.1\r\nX-Endless: ").getBytes(StandardCharsets.US_ASCII));
      byte[] chunk = new byte[1024];
      Arrays.fill(chunk, (byte) 'a');
      try {
        for (int i = 0; i < 16 * 1024; i++) { // 16 MiB at most, far past any cap
          out.write(chunk);
        }
      } catch (IOException closedByTheHub) {
        // expected: the hub answered and closed
      }
      InputStream in = s.getInputStream();
      byte[] head = in.readNBytes(64);
      return new String(head, StandardCharsets.US_ASCII);
    }
  }

  @Test
  void oneAddressCannotHoldEveryPendingHandshake() throws Exception {
    try (ChildHub hub = ChildHub.start(Abuse.HEAP, "--max-pending-handshakes", "100",
        "--max-pending-handshakes-per-address", "10", "--handshake-timeout", "60s")) {
      List<Socket> idle = new ArrayList<>();
      try {
        for (int i = 0; i < 30; i++) { // connect and say nothing (slowloris)
          idle.add(RawWebSocket.socket(hub.uri(), "127.0.0.2", 0));
        }
        int refused = 0;
        for (Socket s : idle) {
          s.setSoTimeout(300);
          try {
            if (s.getInputStream().read() < 0) {
              refused++; // closed at accept
            }
          } catch (java.net.SocketTimeoutException stillPending) {
            // one of the ten the address may hold
          } catch (IOException reset) {
            refused++;
          }
        }
        assertEquals(20, refused, "sockets past the address's share of 10 are closed at accept");
        // Another address still gets in while the first holds its share.
        try (RawWebSocket other = RawWebSocket.connect(hub.uri(), PeerIds.random(), "127.0.0.3", 0)) {
          assertEquals(RawWebSocket.TEXT, other.read().opcode(), "connected");
        }
        assertTrue(Abuse.counter(hub.stats(), "abuse", "rejectedPendingPerAddress") >= 20);
      } finally {
        for (Socket s : idle) {
          s.close();
        }
      }
      Abuse.settlesTo(hub, 0);
    }
  }
}
