package dev.loft.server;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import dev.loft.protocol.PeerIds;
import dev.loft.server.support.Hubs;
import dev.loft.server.support.Json;
import dev.loft.server.support.RawWebSocket;
import dev.loft.server.support.TestPeer;
import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.locks.LockSupport;
import org.junit.jupiter.api.Test;

/**
 * A direct write from a decoder thread that the socket takes only in part used to leave its
 * remainder at the tail of the connection's queue, behind whatever other threads queued meanwhile
 * (the selector path of a large fan-out, the library's pings): the frame on the wire was split by
 * another, and the receiver's stream corrupt. The remainder is now written first, always.
 */
class DirectWriteRemainderIsNeverSplitByOtherFramesTest {
  private static final int FAN_OUT = 20; // > ReadBatch.MAX_DIRECT_RECEIVERS: publishes go through the selector

  @Test
  void slowReaderGetsEveryFrameWholeWhileDirectsAndFanOutRace() throws Exception {
    try (HubServer hub = Hubs.start(Hubs.config()
        .rateLimitPerSecond(20_000).rateLimitBurst(20_000)
        .outboundHighWatermarkBytes(256L * 1024 * 1024).maxQueuedFrames(1_000_000)
        .connectionLostTimeout(Duration.ofSeconds(1)))) { // library pings queued by another thread, too
      List<TestPeer> subscribers = new ArrayList<>();
      AtomicBoolean running = new AtomicBoolean(true);
      try (RawWebSocket reader = RawWebSocket.connect(hub.uri(), PeerIds.random(), null, 8 * 1024);
           TestPeer direct = TestPeer.connect(hub.uri());
           TestPeer publisher = TestPeer.connect(hub.uri())) {
        reader.read(); // connected
        reader.sendText("{\"type\":\"announce\",\"networkName\":\"n\"}");
        reader.sendText("{\"type\":\"subscribe\",\"id\":\"s\",\"topic\":\"t\"}");
        for (int i = 1; i < FAN_OUT; i++) {
          TestPeer s = TestPeer.connect(hub.uri());
          s.send(Json.obj("type", "subscribe", "id", "s", "topic", "t"));
          s.expect("ack");
          s.stopReading(); // they only make the fan-out large; their backlogs are allowed to grow
          subscribers.add(s);
        }
        direct.announce("n");
        direct.expect("peer-discovered");
        String big = "d".repeat(48 * 1024);
        String small = "p".repeat(200);
        Thread directs = new Thread(() -> {
          int n = 0;
          while (running.get() && n < 400) {
            direct.send(Json.obj("type", "direct", "targetPeerId", reader.peerId(), "data", big + (n++)));
          }
        }, "directs");
        Thread publishes = new Thread(() -> {
          int n = 0;
          while (running.get() && n < 4_000) {
            publisher.send(Json.obj("type", "publish", "topic", "t", "data", small + (n++)));
          }
        }, "publishes");
        directs.start();
        publishes.start();
        int frames = 0;
        int directsSeen = 0;
        int messagesSeen = 0;
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        try {
          while (System.nanoTime() < deadline && (directsSeen < 400 || messagesSeen < 4_000)) {
            RawWebSocket.Frame f = reader.read(); // throws on a corrupt header
            frames++;
            if (f.opcode() == RawWebSocket.TEXT) {
              JsonObject frame = JsonParser.parseString(f.text()).getAsJsonObject(); // throws on a split frame
              String type = frame.get("type").getAsString();
              directsSeen += type.equals("direct") ? 1 : 0;
              messagesSeen += type.equals("message") ? 1 : 0;
            }
            if (frames % 64 == 0) {
              LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(1)); // a slow reader: the socket fills, writes go partial
            }
          }
        } catch (IOException | RuntimeException corrupt) {
          throw new AssertionError("stream corrupt after " + frames + " frames: " + corrupt, corrupt);
        } finally {
          running.set(false);
          directs.join(10_000);
          publishes.join(10_000);
        }
        assertEquals(400, directsSeen, "every direct arrived whole");
        assertEquals(4_000, messagesSeen, "every publish arrived whole");
      } finally {
        subscribers.forEach(TestPeer::abort);
      }
    }
  }
}
