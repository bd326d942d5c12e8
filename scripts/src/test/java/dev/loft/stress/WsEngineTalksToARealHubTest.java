package dev.loft.stress;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.loft.protocol.PeerIds;
import dev.loft.stress.ws.WsConn;
import dev.loft.stress.ws.WsEngine;
import dev.loft.stress.ws.WsListener;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The load generator's own WebSocket client against the hub it measures, on real sockets: framing
 * tests prove the bytes, this proves that the hub and the client agree on them (handshake, masked
 * frames in, 64-bit lengths out, the closing handshake). A client the hub cannot talk to would make
 * every scenario fail, or worse, measure errors.
 */
@Timeout(30)
class WsEngineTalksToARealHubTest {
  private static final Duration WAIT = Duration.ofSeconds(10);
  private static HubTarget hub;
  private static WsEngine engine;

  @BeforeAll
  static void start() throws Exception {
    hub = new HubTarget.InProcess(List.of()); // port 0: a free port, real sockets
    engine = new WsEngine(1, 2);
  }

  @AfterAll
  static void stop() throws Exception {
    engine.close();
    hub.close();
  }

  /** What one connection saw. */
  private static class Seen implements WsListener {
    final Queue<String> texts = new ConcurrentLinkedQueue<>();
    volatile boolean open;
    volatile String close; // "code reason remote|local"

    @Override
    public void onOpen(WsConn conn) {
      open = true;
    }

    @Override
    public void onText(WsConn conn, byte[] buf, int off, int len) {
      texts.add(new String(buf, off, len, StandardCharsets.UTF_8));
    }

    @Override
    public void onClose(WsConn conn, int code, String reason, boolean remote) {
      close = code + " " + reason + " " + (remote ? "remote" : "local");
    }

    boolean got(String fragment) {
      return texts.stream().anyMatch(t -> t.contains(fragment));
    }

    String find(String fragment) {
      return texts.stream().filter(t -> t.contains(fragment)).findFirst().orElseThrow();
    }
  }

  private static WsConn connect(Seen seen) {
    WsConn conn = engine.connect(URI.create(Peer.withPeerId(hub.wsUrl(), PeerIds.random())), seen);
    await().atMost(WAIT).until(() -> seen.got("\"type\":\"connected\""));
    return conn;
  }

  @Test
  void batchedWritesLoseNoFrameAndKeepTheirOrder() throws Exception {
    try (WsEngine batched = new WsEngine(1, 2)) {
      batched.batchedWrites(true);
      Seen seen = new Seen() {
        @Override
        public void onText(WsConn conn, byte[] buf, int off, int len) {
          super.onText(conn, buf, off, len);
          if (new String(buf, off, len, StandardCharsets.UTF_8).contains("\"type\":\"connected\"")) {
            for (int i = 0; i < 50; i++) { // on the loop's thread: all 50 leave in one write
              conn.sendText("{\"type\":\"subscribe\",\"id\":\"s" + i + "\",\"topic\":\"batched-" + i + "\"}");
            }
          }
        }
      };
      batched.connect(URI.create(Peer.withPeerId(hub.wsUrl(), PeerIds.random())), seen);
      await().atMost(WAIT).until(() -> seen.texts.stream().filter(t -> t.contains("\"type\":\"ack\"")).count() == 50);
      List<String> acks = seen.texts.stream().filter(t -> t.contains("\"type\":\"ack\"")).toList();
      for (int i = 0; i < 50; i++) {
        assertTrue(acks.get(i).contains("\"id\":\"s" + i + "\""), acks.get(i));
      }
    }
  }

  @Test
  void theHandshakeCompletesAndTheHubsGreetingIsRead() {
    Seen seen = new Seen();

    WsConn conn = connect(seen);

    assertTrue(seen.open);
    assertTrue(conn.isOpen());
    conn.close(1000, "done");
  }

  @Test
  void aMessageLongerThan65535BytesCrossesTheHubWhole() {
    Seen subscriber = new Seen();
    Seen publisher = new Seen();
    WsConn sub = connect(subscriber);
    WsConn pub = connect(publisher);
    String topic = "ws-test-" + System.nanoTime();
    sub.sendText("{\"type\":\"subscribe\",\"id\":\"s\",\"topic\":\"" + topic + "\"}");
    await().atMost(WAIT).until(() -> subscriber.got("\"type\":\"ack\""));
    String pad = "p".repeat(70_000); // masked by the client with a 64-bit length, sent back with one

    pub.sendText("{\"type\":\"publish\",\"topic\":\"" + topic + "\",\"data\":{\"pad\":\"" + pad + "\"}}");

    await().atMost(WAIT).until(() -> subscriber.got("\"type\":\"message\""));
    assertTrue(subscriber.find("\"type\":\"message\"").contains("\"pad\":\"" + pad + "\""), "the whole payload");
    assertFalse(publisher.got("\"type\":\"error\""), () -> "the hub read the masked frame: " + publisher.texts);
    sub.close(1000, "done");
    pub.close(1000, "done");
  }

  @Test
  void theClosingHandshakeEndsWithTheCodeTheClientSent() {
    Seen seen = new Seen();
    WsConn conn = connect(seen);
    int liveBefore = engine.live();

    conn.close(1000, "done");

    await().atMost(WAIT).until(() -> seen.close != null);
    assertEquals("1000 done local", seen.close, "the hub echoes code and reason; the client started the close");
    await().atMost(WAIT).until(conn::isClosed);
    await().atMost(WAIT).until(() -> engine.live() < liveBefore);
  }

  @Test
  void anUpgradeTheServerRefusesEndsTheConnectionWithItsStatusLine() {
    Seen seen = new Seen();
    URI notAWebSocket = URI.create(hub.adminUrl().replace("http://", "ws://") + "/health");

    engine.connect(notAWebSocket, seen);

    await().atMost(WAIT).until(() -> seen.close != null);
    assertFalse(seen.open);
    assertTrue(seen.close.startsWith("1006 handshake refused: HTTP/1.1 "), seen.close);
  }
}
