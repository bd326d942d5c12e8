package dev.loft.server.abuse;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import dev.loft.protocol.PeerIds;
import dev.loft.server.support.ChildHub;
import dev.loft.server.support.HealthyPair;
import dev.loft.server.support.RawWebSocket;
import java.io.IOException;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/**
 * Every class of abuse at once, at random, for a minute, from five addresses, against a hub with
 * a 96 MiB heap: the healthy pair keeps its round trips, and afterwards every registry and
 * account is back at zero and the heap where it was.
 */
class MixedAbuseFromSeveralAddressesTest {
  private static final long SEED = Long.getLong("loft.abuse.seed", System.nanoTime());
  private static final int ATTACKERS = 5;
  private static final long DURATION_NANOS = TimeUnit.SECONDS.toNanos(Long.getLong("loft.abuse.seconds", 60));

  interface Attack {
    void run(ChildHub hub, String from, Random rnd) throws Exception;
  }

  private static final Map<String, Attack> ATTACKS = Map.of(
      "header-flood", MixedAbuseFromSeveralAddressesTest::headerFlood,
      "ping-flood", (hub, from, rnd) -> controlFlood(hub, from, RawWebSocket.PING, 125),
      "binary-flood", (hub, from, rnd) -> controlFlood(hub, from, RawWebSocket.BINARY, 1),
      "tree-announce", MixedAbuseFromSeveralAddressesTest::treeAnnounce,
      "subscribe-hog", MixedAbuseFromSeveralAddressesTest::subscribeHog,
      "network-flip", MixedAbuseFromSeveralAddressesTest::networkFlip,
      "reset-race", MixedAbuseFromSeveralAddressesTest::resetRace,
      "fragments", MixedAbuseFromSeveralAddressesTest::fragments,
      "slowloris", MixedAbuseFromSeveralAddressesTest::slowloris,
      "partial-frame", MixedAbuseFromSeveralAddressesTest::partialFrame);

  @Test
  void aMinuteOfEveryAbuseAtRandomLeavesTheHubHealthyAndEmpty() throws Exception {
    System.out.println("[abuse] mixed: seed " + SEED + " (-Dloft.abuse.seed to repeat)");
    try (ChildHub hub = ChildHub.start(Abuse.HEAP); HealthyPair pair = HealthyPair.start(hub.uri())) {
      long baselineMiB = Abuse.liveHeapMiB(hub);
      List<String> names = new ArrayList<>(new java.util.TreeSet<>(ATTACKS.keySet()));
      Map<String, AtomicInteger> runs = new ConcurrentHashMap<>();
      ExecutorService pool = Executors.newFixedThreadPool(ATTACKERS);
      long end = System.nanoTime() + DURATION_NANOS;
      try {
        List<Future<?>> done = new ArrayList<>();
        for (int a = 0; a < ATTACKERS; a++) {
          String from = "127.0.0." + (10 + a);
          Random rnd = new Random(SEED + a);
          done.add(pool.submit(() -> {
            while (System.nanoTime() < end) {
              String name = names.get(rnd.nextInt(names.size()));
              runs.computeIfAbsent(name, n -> new AtomicInteger()).incrementAndGet();
              try {
                ATTACKS.get(name).run(hub, from, rnd);
              } catch (IOException expected) {
                // refused, reset or evicted: what the hub is meant to do
              }
            }
            return null;
          }));
        }
        for (Future<?> f : done) {
          f.get(DURATION_NANOS / 1_000_000_000L + 60, TimeUnit.SECONDS);
        }
      } finally {
        pool.shutdownNow();
      }
      assertEquals("ok", JsonParser.parseString(hub.admin().get("/health").body()).getAsJsonObject().get("status").getAsString());
      String healthy = pair.assertUnharmed(20, 3_000);
      JsonObject s = Abuse.settlesTo(hub, 2);
      long live = Abuse.liveHeapMiB(hub);
      System.out.println("[abuse] mixed: attacks " + runs + "; " + healthy + "; live heap " + baselineMiB + " -> " + live
          + " MiB; abuse counters " + s.getAsJsonObject("abuse") + "; budget " + s.getAsJsonObject("budget"));
      assertTrue(live < baselineMiB + 8, "live heap " + baselineMiB + " -> " + live + " MiB");
      assertEquals(1, s.getAsJsonObject("abuse").get("addresses").getAsInt(), s::toString);
    }
  }

  private static void headerFlood(ChildHub hub, String from, Random rnd) throws IOException {
    try (Socket s = RawWebSocket.socket(hub.uri(), from, 0)) {
      OutputStream out = s.getOutputStream();
      out.write("GET / HTTP/1.1\r\nX-Endless: ".getBytes(StandardCharsets.US_ASCII));
      byte[] chunk = new byte[4096];
      java.util.Arrays.fill(chunk, (byte) 'h');
      for (int i = 0; i < 64; i++) {
        out.write(chunk);
      }
    }
  }

  private static void controlFlood(ChildHub hub, String from, int opcode, int size) throws IOException {
    try (RawWebSocket ws = RawWebSocket.connect(hub.uri(), PeerIds.random(), from, 4096)) {
      byte[] payload = new byte[size];
      for (int i = 0; i < 20_000; i++) {
        ws.send(opcode, true, payload);
      }
    }
  }

  private static void treeAnnounce(ChildHub hub, String from, Random rnd) throws IOException {
    StringBuilder tree = new StringBuilder("[");
    while (tree.length() < 200_000) {
      tree.append("[0],");
    }
    tree.setLength(tree.length() - 1);
    tree.append(']');
    try (RawWebSocket ws = RawWebSocket.connect(hub.uri(), PeerIds.random(), from, 0)) {
      ws.sendText("{\"type\":\"announce\",\"networkName\":\"t\",\"data\":{\"x\":" + tree + "}}");
      ws.sendText("{\"type\":\"publish\",\"topic\":\"t\",\"data\":" + tree + "}");
      ws.read();
    }
  }

  private static void subscribeHog(ChildHub hub, String from, Random rnd) throws IOException {
    try (RawWebSocket ws = RawWebSocket.connect(hub.uri(), PeerIds.random(), from, 0)) {
      for (int t = 0; t < 100; t++) {
        ws.sendText("{\"type\":\"subscribe\",\"topic\":\"hog." + rnd.nextInt(1_000_000) + "\"}");
      }
      ws.read();
    }
  }

  private static void networkFlip(ChildHub hub, String from, Random rnd) throws IOException {
    try (RawWebSocket ws = RawWebSocket.connect(hub.uri(), PeerIds.random(), from, 0)) {
      for (int i = 0; i < 50; i++) {
        ws.sendText("{\"type\":\"announce\",\"networkName\":\"flip-" + (i % 2) + "\"}");
      }
      ws.read();
    }
  }

  private static void resetRace(ChildHub hub, String from, Random rnd) throws IOException {
    for (int i = 0; i < 20; i++) {
      try (Socket s = RawWebSocket.socket(hub.uri(), from, 0)) {
        s.getOutputStream().write(("GET /?peerId=" + PeerIds.random() + " HTTP/1.1\r\nHost: x\r\nUpgrade: websocket\r\n"
            + "Connection: Upgrade\r\nSec-WebSocket-Key: bG9mdC10ZXN0LWtleS0xNg==\r\nSec-WebSocket-Version: 13\r\n\r\n")
            .getBytes(StandardCharsets.US_ASCII));
        if (rnd.nextBoolean()) {
          RawWebSocket.readHead(s);
        }
        s.setSoLinger(true, 0);
      }
    }
  }

  private static void fragments(ChildHub hub, String from, Random rnd) throws IOException {
    try (RawWebSocket ws = RawWebSocket.connect(hub.uri(), PeerIds.random(), from, 0)) {
      ws.send(RawWebSocket.TEXT, false, "{".getBytes(StandardCharsets.US_ASCII));
      for (int i = 0; i < 5_000; i++) {
        ws.send(RawWebSocket.CONTINUATION, false, new byte[8]);
      }
    }
  }

  private static void slowloris(ChildHub hub, String from, Random rnd) throws IOException {
    List<Socket> idle = new ArrayList<>();
    try {
      for (int i = 0; i < 100; i++) {
        idle.add(RawWebSocket.socket(hub.uri(), from, 0));
      }
      idle.get(0).setSoTimeout(1_000);
      try {
        idle.get(0).getInputStream().read();
      } catch (java.net.SocketTimeoutException held) {
        // held for a second, as a slowloris does
      }
    } finally {
      for (Socket s : idle) {
        s.close();
      }
    }
  }

  private static void partialFrame(ChildHub hub, String from, Random rnd) throws IOException {
    try (RawWebSocket ws = RawWebSocket.connect(hub.uri(), PeerIds.random(), from, 0)) {
      int declared = 250_000; // under the 256 KiB frame cap: the library allocates it all
      byte[] header = {(byte) 0x81, (byte) (0x80 | 127), 0, 0, 0, 0, 0, (byte) (declared >> 16), (byte) (declared >> 8),
          (byte) declared, 0, 0, 0, 0, '{'};
      ws.sendBytes(header);
      ws.socket().setSoTimeout(1_000);
      try {
        ws.read();
      } catch (java.net.SocketTimeoutException held) {
        // held, half sent
      }
    }
  }
}
