package dev.loft.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonParser;
import dev.loft.protocol.CloseCodes;
import dev.loft.protocol.PeerIds;
import dev.loft.server.stats.Stat;
import dev.loft.server.support.Hubs;
import dev.loft.server.support.ManualTicker;
import dev.loft.server.support.RawWebSocket;
import java.io.IOException;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/**
 * A flooder evicted with 4001 reconnected at once and got a fresh rate-limit burst with every
 * socket: with --reconnect, 2,228 evictions and 983,000 pongs in 15 s (0.75 core). While its
 * address cools down (doubling with each eviction) its new peers are on probation: a small first
 * burst and no strikes. A well-behaved peer from that address still connects and works.
 */
class ReconnectingFlooderIsOnProbationTest {
  private static final int BURST = 400;

  @Test
  void reconnectingFlooderGetsAFewFramesNotAFreshBurst() throws Exception {
    ManualTicker clock = new ManualTicker();
    try (HubServer hub = Hubs.start(Hubs.config().ticker(clock).rateLimitPerSecond(200).rateLimitBurst(BURST)
        .addressCooldown(Duration.ofSeconds(1)))) {
      int first = pongsBeforeEviction(hub);
      assertTrue(first >= BURST, "a first flooder has the normal burst: " + first);
      int again = pongsBeforeEviction(hub);
      assertTrue(again <= 20, "on probation: " + again + " pongs before eviction");

      // A well-behaved peer from the same address, meanwhile, connects and is answered.
      try (RawWebSocket polite = RawWebSocket.connect(hub.uri(), PeerIds.random(), "127.0.0.2", 0)) {
        polite.read(); // connected
        polite.sendText("{\"type\":\"announce\",\"id\":\"a\",\"networkName\":\"n\"}");
        assertEquals("ack", JsonParser.parseString(polite.read().text()).getAsJsonObject().get("type").getAsString());
      }
      // Two evictions: a 2 s cooldown. Past it, the normal burst again.
      clock.advance(Duration.ofMillis(2_001));
      assertTrue(pongsBeforeEviction(hub) >= BURST, "cooled down");
      assertEquals(2, hub.stats().get(Stat.ADMITTED_ON_PROBATION));
    }
  }

  /** Floods pings without reading pongs until closed 4001; returns the pongs it was sent. */
  private static int pongsBeforeEviction(HubServer hub) throws IOException {
    try (RawWebSocket flooder = RawWebSocket.connect(hub.uri(), PeerIds.random(), "127.0.0.2", 0)) {
      flooder.read(); // connected
      try {
        for (int i = 0; i < 2 * BURST + 200; i++) {
          flooder.send(RawWebSocket.PING, true, new byte[0]);
        }
      } catch (IOException closed) {
        // expected
      }
      int pongs = 0;
      while (true) {
        RawWebSocket.Frame f = flooder.read();
        if (f.opcode() == RawWebSocket.PONG) {
          pongs++;
        } else if (f.opcode() == RawWebSocket.CLOSE) {
          assertEquals(CloseCodes.RATE_LIMIT_EXCEEDED, f.closeCode());
          return pongs;
        }
      }
    }
  }
}
