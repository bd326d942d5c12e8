package dev.loft.server.abuse;

import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonObject;
import dev.loft.protocol.PeerIds;
import dev.loft.server.support.ChildHub;
import dev.loft.server.support.HealthyPair;
import dev.loft.server.support.RawWebSocket;
import java.io.IOException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * Frames that cost the hub more than the peer: pings it must answer (a peer that pinged without
 * reading left 90 MiB of queued pongs on the heap, never evicted) and binary frames each answered
 * by an error frame (740,000 in 10 s, 0.7 core). Each takes a rate-limit token; pongs count as
 * outbound frames; error replies are rate-limited, then cost strikes.
 */
class FramesThatCostTheHubMoreAreChargedTest {

  @Test
  void pingFloodFromAPeerThatDoesNotReadIsEvictedAndFreed() throws Exception {
    floodIsEvictedAndFreed(RawWebSocket.PING, "controlFramesIn");
  }

  @Test
  void binaryFloodIsRateLimitedAndItsErrorRepliesAreBounded() throws Exception {
    floodIsEvictedAndFreed(RawWebSocket.BINARY, "binaryFramesIn");
  }

  private static void floodIsEvictedAndFreed(int opcode, String counted) throws Exception {
    try (ChildHub hub = ChildHub.start(Abuse.HEAP); HealthyPair pair = HealthyPair.start(hub.uri())) {
      long framesOutBefore = hub.stats().get("framesOut").getAsLong();
      long sent = 0;
      long started = System.nanoTime();
      try (RawWebSocket attacker = RawWebSocket.connect(hub.uri(), PeerIds.random(), "127.0.0.2", 4096)) {
        attacker.sendText("{\"type\":\"announce\",\"networkName\":\"flood\"}");
        byte[] payload = new byte[opcode == RawWebSocket.PING ? 125 : 1];
        try {
          while (System.nanoTime() - started < TimeUnit.SECONDS.toNanos(15)) { // never reads
            attacker.send(opcode, true, payload);
            sent++;
          }
        } catch (IOException evicted) {
          // expected: the hub closed the socket
        }
      }
      long millis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - started);
      assertTrue(millis < 10_000, "the flooder was not evicted: it sent " + sent + " frames for " + millis + " ms");
      JsonObject s = Abuse.settlesTo(hub, 2);
      assertTrue(Abuse.counter(s, "abuse", counted) > 0, s::toString);
      assertTrue(Abuse.counter(s, null, "evictedRateLimit") + Abuse.counter(s, null, "evictedSlow") >= 1, s::toString);
      long framesOut = s.get("framesOut").getAsLong() - framesOutBefore - 2L * pair.completed();
      assertTrue(framesOut < 1_000, "the hub sent " + framesOut + " frames for " + sent + " the flooder sent");
      long live = Abuse.liveHeapMiB(hub);
      assertTrue(live < 24, "live heap after the flood: " + live + " MiB");
      System.out.println("[abuse] opcode " + opcode + " flood: " + sent + " frames in " + millis
          + " ms, hub sent " + framesOut + "; " + pair.assertUnharmed(5, 2_000));
    }
  }

  @Test
  void endlessFragmentsAreCutAtTheFragmentCap() throws Exception {
    try (ChildHub hub = ChildHub.start(Abuse.HEAP)) {
      try (RawWebSocket attacker = RawWebSocket.connect(hub.uri(), PeerIds.random(), "127.0.0.2", 0)) {
        attacker.read(); // connected
        attacker.send(RawWebSocket.TEXT, false, "{\"type\":".getBytes());
        try {
          for (int i = 0; i < 10_000; i++) { // the library never checks the sum of non-final fragments
            attacker.send(RawWebSocket.CONTINUATION, false, new byte[0]);
          }
        } catch (IOException closed) {
          // expected
        }
        assertTrue(attacker.readUntilClosed() == 1009 || attacker.socket().isClosed(), "closed 1009");
      }
      JsonObject s = Abuse.settlesTo(hub, 0);
      assertTrue(Abuse.counter(s, "abuse", "tooManyFragments") >= 1, s::toString);
    }
  }
}
