package dev.loft.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.loft.protocol.CloseCodes;
import dev.loft.protocol.PeerIds;
import dev.loft.server.support.Hubs;
import dev.loft.server.support.ManualTicker;
import dev.loft.server.support.RawWebSocket;
import java.io.IOException;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/**
 * A flooder evicted with 4001 reconnected at once and got a fresh rate-limit burst with every
 * socket: with --reconnect, 2,228 evictions and 983,000 pongs in 15 s (0.75 core). Its address now
 * cools down, doubling with each eviction, and its sockets are closed at accept meanwhile.
 */
class FloodersAddressCoolsDownBeforeItMayReconnectTest {

  @Test
  void evictedFloodersAddressIsRefusedAtAcceptUntilItsCooldownEnds() throws Exception {
    ManualTicker clock = new ManualTicker();
    try (HubServer hub = Hubs.start(Hubs.config().ticker(clock).rateLimitPerSecond(10).rateLimitBurst(10)
        .rateLimitMaxStrikes(2).addressCooldown(Duration.ofSeconds(1)))) {
      floodUntilEvicted(hub);
      assertThrows(IOException.class, () -> RawWebSocket.connect(hub.uri(), PeerIds.random(), "127.0.0.2", 0),
          "refused at accept while cooling down");
      RawWebSocket.connect(hub.uri(), PeerIds.random(), "127.0.0.3", 0).close(); // other addresses are not affected

      clock.advance(Duration.ofMillis(1_001));
      floodUntilEvicted(hub); // allowed again; evicted again: the cooldown doubles to 2 s
      clock.advance(Duration.ofMillis(1_001));
      assertThrows(IOException.class, () -> RawWebSocket.connect(hub.uri(), PeerIds.random(), "127.0.0.2", 0));
      clock.advance(Duration.ofMillis(1_000));
      RawWebSocket.connect(hub.uri(), PeerIds.random(), "127.0.0.2", 0).close();
      assertEquals(2, hub.stats().abuse().rejectedCoolingDown());
    }
  }

  private static void floodUntilEvicted(HubServer hub) throws IOException {
    try (RawWebSocket flooder = RawWebSocket.connect(hub.uri(), PeerIds.random(), "127.0.0.2", 0)) {
      flooder.read(); // connected
      try {
        for (int i = 0; i < 200; i++) {
          flooder.send(RawWebSocket.PING, true, new byte[0]);
        }
      } catch (IOException closed) {
        // expected
      }
      assertEquals(CloseCodes.RATE_LIMIT_EXCEEDED, flooder.readUntilClosed());
    }
  }
}
