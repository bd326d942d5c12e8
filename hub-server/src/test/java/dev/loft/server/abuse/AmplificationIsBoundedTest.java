package dev.loft.server.abuse;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonObject;
import dev.loft.protocol.CloseCodes;
import dev.loft.protocol.PeerIds;
import dev.loft.server.support.ChildHub;
import dev.loft.server.support.HealthyPair;
import dev.loft.server.support.RawWebSocket;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * One peer alternating announce between two networks of 1,000 members, within its rate limit,
 * made the hub send ~1,100 frames per frame it received (0.8 core). Network changes are limited
 * per peer, and a peer that keeps trying is disconnected.
 */
class AmplificationIsBoundedTest {
  private static final int MEMBERS = 200;

  @Test
  void networkFlipperIsLimitedThenEvictedAndTheHubSendsBoundedFrames() throws Exception {
    try (ChildHub hub = ChildHub.start(Abuse.HEAP); HealthyPair pair = HealthyPair.start(hub.uri())) {
      List<RawWebSocket> members = new ArrayList<>();
      try {
        for (int i = 0; i < MEMBERS; i++) { // members read nothing: their socket buffers take the notices
          RawWebSocket m = RawWebSocket.connect(hub.uri(), PeerIds.random(), "127.0.0.3", 0);
          m.sendText("{\"type\":\"announce\",\"networkName\":\"" + (i % 2 == 0 ? "a" : "b") + "\"}");
          members.add(m);
        }
        long outBefore = hub.stats().get("framesOut").getAsLong();
        int flips = 0;
        int closeCode;
        long started = System.nanoTime();
        try (RawWebSocket flipper = RawWebSocket.connect(hub.uri(), PeerIds.random(), "127.0.0.2", 0)) {
          try {
            while (System.nanoTime() - started < TimeUnit.SECONDS.toNanos(20)) {
              flipper.sendText("{\"type\":\"announce\",\"networkName\":\"" + (flips++ % 2 == 0 ? "a" : "b") + "\"}");
              flipper.socket().getOutputStream().flush();
              java.util.concurrent.locks.LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(10)); // 100/s: under the rate limit
            }
          } catch (IOException evicted) {
            // expected
          }
          closeCode = flipper.readUntilClosed();
        }
        long millis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - started);
        assertEquals(CloseCodes.RATE_LIMIT_EXCEEDED, closeCode, "flipper closed after " + flips + " flips in " + millis + " ms");
        JsonObject s = hub.stats();
        long out = s.get("framesOut").getAsLong() - outBefore - 2L * pair.completed();
        assertTrue(Abuse.counter(s, "abuse", "networkChangesLimited") > 0, s::toString);
        // At most the burst of network changes (5) reached the members, plus the refusals.
        assertTrue(out < 10 * MEMBERS, "the hub sent " + out + " frames for " + flips + " flips");
        System.out.println("[abuse] announce flip: " + flips + " flips in " + millis + " ms, hub sent " + out
            + " frames (" + (out / Math.max(1, flips)) + " per flip); " + pair.assertUnharmed(5, 2_000));
      } finally {
        members.forEach(RawWebSocket::close);
      }
      Abuse.settlesTo(hub, 2);
    }
  }

  @Test
  void peerThatMakesTheHubSendFarMoreThanItSendsIsEvicted() throws Exception {
    // A deliberately low --max-amplification: 1,000 subscribers make every publish 1,000 frames.
    try (ChildHub hub = ChildHub.start(Abuse.HEAP, "--max-amplification", "100")) {
      List<RawWebSocket> subscribers = new ArrayList<>();
      try {
        for (int i = 0; i < 1_000; i++) {
          RawWebSocket s = RawWebSocket.connect(hub.uri(), PeerIds.random(), i % 2 == 0 ? "127.0.0.3" : "127.0.0.4", 0);
          s.sendText("{\"type\":\"subscribe\",\"topic\":\"wide\"}");
          subscribers.add(s);
        }
        org.awaitility.Awaitility.await().atMost(java.time.Duration.ofSeconds(20))
            .until(() -> hub.stats().get("subscriptions").getAsInt() == 1_000);
        int closeCode;
        try (RawWebSocket publisher = RawWebSocket.connect(hub.uri(), PeerIds.random(), "127.0.0.2", 0)) {
          publisher.read(); // connected
          try {
            for (int m = 0; m < 400; m++) { // 400,000 frames asked for, within the rate limit's burst
              publisher.sendText("{\"type\":\"publish\",\"topic\":\"wide\",\"data\":" + m + "}");
            }
          } catch (IOException evicted) {
            // expected
          }
          closeCode = publisher.readUntilClosed();
        }
        assertEquals(CloseCodes.RATE_LIMIT_EXCEEDED, closeCode, "publisher evicted");
        org.awaitility.Awaitility.await().atMost(java.time.Duration.ofSeconds(5))
            .until(() -> Abuse.counter(hub.stats(), "abuse", "evictedAmplification") == 1);
      } finally {
        subscribers.forEach(RawWebSocket::close);
      }
      Abuse.settlesTo(hub, 0);
    }
  }
}
