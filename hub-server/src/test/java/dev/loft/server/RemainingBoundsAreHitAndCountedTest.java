package dev.loft.server;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonObject;
import dev.loft.protocol.PeerIds;
import dev.loft.server.core.Peer;
import dev.loft.server.stats.Stat;
import dev.loft.server.support.Hubs;
import dev.loft.server.support.Json;
import dev.loft.server.support.ManualTicker;
import dev.loft.server.support.RawSocketPeer;
import dev.loft.server.support.TestPeer;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/** The bounds not hit elsewhere: presence results, queued frames, and the dedupe window. */
class RemainingBoundsAreHitAndCountedTest {
  @Test
  void presenceAnswerIsCutAtMaxPresenceResultsAndCounted() {
    try (HubServer hub = Hubs.start(Hubs.config().maxPresenceResults(2));
        TestPeer a = TestPeer.connect(hub.uri());
        TestPeer b = TestPeer.connect(hub.uri());
        TestPeer c = TestPeer.connect(hub.uri())) {
      for (TestPeer p : new TestPeer[] {a, b, c}) {
        p.send(Json.obj("type", "subscribe", "id", "s", "topic", "room")).expect("ack");
      }
      a.send(Json.obj("type", "presence", "id", "who", "topic", "room"));
      JsonObject data = a.expect("ack").getAsJsonObject("data");
      assertEquals(3, data.get("count").getAsInt());
      assertEquals(2, data.getAsJsonArray("peers").size());
      assertTrue(data.get("truncated").getAsBoolean());
      assertEquals(1, hub.stats().get(Stat.PRESENCE_TRUNCATED));
    }
  }

  @Test
  void peerPastMaxQueuedFramesIsEvictedEvenUnderTheByteWatermark() throws Exception {
    String id = PeerIds.random();
    try (HubServer hub = Hubs.start(Hubs.config()
            .maxQueuedFrames(8).outboundHighWatermarkBytes(512L * 1024 * 1024)
            .rateLimitPerSecond(10_000).rateLimitBurst(10_000));
        RawSocketPeer stuck = RawSocketPeer.connect(hub.uri(), id);
        TestPeer publisher = TestPeer.connect(hub.uri())) {
      stuck.sendText(Json.obj("type", "subscribe", "topic", "t").toString());
      await().atMost(Duration.ofSeconds(5)).until(() -> hub.stats().get(Stat.SUBSCRIPTIONS) == 1);
      Peer stuckPeer = hub.core().peer(id);
      String payload = "x".repeat(32 * 1024);
      for (int i = 0; i < 4_000 && hub.stats().get(Stat.EVICTED_SLOW) == 0; i++) {
        publisher.send(Json.obj("type", "publish", "topic", "t", "data", payload));
      }
      await().atMost(Duration.ofSeconds(10)).until(() -> hub.stats().get(Stat.EVICTED_SLOW) == 1);
      assertTrue(stuckPeer.isClosing());
      assertTrue(hub.stats().get(Stat.DROPPED) >= 1);
      // Far below the byte watermark: it was the frame count that evicted it.
      assertTrue(hub.stats().get(Stat.QUEUED_OUTBOUND_BYTES) < 512L * 1024 * 1024);
    }
  }

  @Test
  void requestIdIsForgottenAfterTheDedupeTtlSoARepeatIsDeliveredAgain() {
    ManualTicker clock = new ManualTicker();
    try (HubServer hub = Hubs.start(Hubs.config().ticker(clock).dedupeTtl(Duration.ofSeconds(60)));
        TestPeer sub = TestPeer.connect(hub.uri());
        TestPeer pub = TestPeer.connect(hub.uri())) {
      sub.send(Json.obj("type", "subscribe", "id", "s", "topic", "t")).expect("ack");
      JsonObject frame = Json.obj("type", "publish", "id", "p-1", "topic", "t", "data", 1);
      pub.send(frame).expect("ack");
      sub.expect("message");
      pub.send(frame).expect("ack"); // within the window: acknowledged, not delivered
      assertEquals(1, hub.stats().get(Stat.DEDUPE_HITS));
      clock.advance(Duration.ofSeconds(61));
      pub.send(frame).expect("ack"); // forgotten: delivered again
      sub.expect("message");
      assertEquals(1, hub.stats().get(Stat.DEDUPE_HITS));
    }
  }
}
